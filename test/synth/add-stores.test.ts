import * as fs from 'fs';
import * as path from 'path';
import { EdgeFleet, EdgeMonitor, EdgeStore, renderFleet, synthesize } from '../../lib';
import { MAX_REPORTED_PROBLEMS } from '../../lib/synth/for-each-store';
import { snapshotDir, tempDir, testFleet } from '../util';

/** One store of an inventory, as plain data. */
interface Row {
  readonly line: number;
  readonly id: string;
  readonly tag?: string;
  readonly memory?: string;
}

function defineStore(fleet: EdgeFleet, row: Row): EdgeStore {
  const store = new EdgeStore(fleet, row.id, { labels: { region: 'eu-west' } });
  new EdgeMonitor(store, 'edge-monitor', { image: `registry.example.com/edge-monitor:${row.tag ?? '1.4.2'}`, memory: row.memory });
  return store;
}

/** A fleet whose stores are declared with addStores, located by line in messages. */
function declaredFleet(rows: Row[], fleet = testFleet()): EdgeFleet {
  fleet.addStores(rows, defineStore, { inputsOf: ({ line, ...inputs }) => inputs, where: (row) => `inventory.csv line ${row.line}` });
  return fleet;
}

const rows = (...ids: string[]): Row[] => ids.map((id, i) => ({ line: i + 2, id }));

describe('EdgeFleet.addStores', () => {
  test(
    'GIVEN stores declared with addStores WHEN synthesized THEN the output is that of the same stores built with new EdgeStore, and no store ' +
      'stays in the tree',
    () => {
      // GIVEN
      const eager = testFleet();
      rows('store-001', 'store-002').forEach((row) => defineStore(eager, row));
      const declared = declaredFleet(rows('store-002', 'store-001'));

      // WHEN
      const outdir = tempDir();
      const result = synthesize(declared, { outdir });

      // THEN
      expect(snapshotDir(outdir)).toEqual(renderFleet(eager));
      expect(result).toMatchObject({ stores: 2, rendered: 2, removedStores: [] });
      expect(declared.node.children.filter((c) => c instanceof EdgeStore)).toEqual([]);
    },
  );

  test('GIVEN declared stores WHEN the fleet is asked for its stores THEN every one is built and kept, ordered by id', () => {
    const fleet = declaredFleet(rows('store-002', 'store-001'));
    expect(fleet.storeCount).toBe(2);
    expect(fleet.stores.map((s) => s.id)).toEqual(['store-001', 'store-002']);
    expect(fleet.declaredStores).toEqual([]);
  });

  test(
    'GIVEN mistakes in several stores WHEN synthesized THEN every one is reported, each located and naming its store, and dist/ stays as it ' + 'was',
    () => {
      // GIVEN
      const outdir = tempDir();
      synthesize(declaredFleet(rows('store-001')), { outdir });
      const before = snapshotDir(outdir);
      const fleet = declaredFleet([
        { line: 2, id: 'store-001', memory: '2 GB' },
        { line: 3, id: 'store-002' },
        { line: 4, id: 'Store 3' },
        { line: 5, id: 'store-004', tag: 'latest' },
      ]);

      // WHEN
      const run = () => synthesize(fleet, { outdir });

      // THEN
      expect(run).toThrow(
        [
          '3 problems in the fleet definition:',
          '  - inventory.csv line 2: store "store-001": EdgeMonitor "edge-monitor": memory "2 GB" is not a Kubernetes quantity (use "128Mi")',
          '  - inventory.csv line 4: fleet: store id "Store 3" is not an RFC 1123 label',
        ].join('\n'),
      );
      expect(() => synthesize(fleet, { outdir })).toThrow(
        /inventory\.csv line 5: store "store-004": .*image "registry\.example\.com\/edge-monitor:latest" is not pinned/,
      );
      expect(snapshotDir(outdir)).toEqual(before);
    },
  );

  test('GIVEN more mistakes than synth reports WHEN synthesized THEN it stops at the cap and says so', () => {
    const fleet = declaredFleet(Array.from({ length: MAX_REPORTED_PROBLEMS + 10 }, (_, i) => ({ line: i + 2, id: `store-${i}`, memory: 'lots' })));
    let message = '';
    try {
      synthesize(fleet, { outdir: tempDir() });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`${MAX_REPORTED_PROBLEMS + 1} problems in the fleet definition`);
    expect(message).toContain(`(synth stopped looking after ${MAX_REPORTED_PROBLEMS} problems: fix these and run it again)`);
    expect(message).not.toContain(`line ${MAX_REPORTED_PROBLEMS + 2}`);
  });

  test('GIVEN one mistake in the definition that every store shares WHEN synthesized THEN it is said once, naming the stores and lines', () => {
    // GIVEN
    const fleet = declaredFleet([
      ...Array.from({ length: 5 }, (_, i) => ({ line: i + 2, id: `store-00${i + 1}`, memory: 'lots' })),
      { line: 9, id: 'store-009', tag: 'Latest!' },
    ]);

    // WHEN
    let message = '';
    try {
      synthesize(fleet, { outdir: tempDir() });
    } catch (e) {
      message = (e as Error).message;
    }

    // THEN
    expect(message.split('\n')).toEqual([
      '6 problems in the fleet definition:',
      '  - 5 stores, "store-001", "store-002", "store-003" and 2 more (inventory.csv lines 2, 3, 4 and 2 more): EdgeMonitor "edge-monitor": ' +
        'memory "lots" is not a Kubernetes quantity (use "128Mi")',
      expect.stringMatching(
        /^  - inventory\.csv line 9: store "store-009": EdgeMonitor "edge-monitor": image "registry\.example\.com\/edge-monitor:Latest!" is not/,
      ),
    ]);
  });

  test('GIVEN two items of the same store id WHEN synthesized THEN both places are named', () => {
    const fleet = declaredFleet([
      { line: 2, id: 'store-001' },
      { line: 9, id: 'store-001' },
    ]);
    expect(() => synthesize(fleet, { outdir: tempDir() })).toThrow(
      'inventory.csv line 9: store "store-001" is defined twice (also at inventory.csv line 2) (each store needs its own id)',
    );
  });

  test('GIVEN a declared store with the id of a store built with new EdgeStore WHEN synthesized THEN it is reported as defined twice', () => {
    const fleet = testFleet();
    defineStore(fleet, { line: 0, id: 'store-001' });
    declaredFleet(rows('store-001'), fleet);
    expect(() => synthesize(fleet, { outdir: tempDir() })).toThrow(
      'inventory.csv line 2: fleet: store "store-001" is defined twice (each store needs its own id)',
    );
  });

  test('GIVEN a definition that returns no store WHEN synthesized THEN the message says what addStores expects', () => {
    const fleet = testFleet();
    fleet.addStores([1], (() => undefined) as any);
    expect(() => synthesize(fleet, { outdir: tempDir() })).toThrow(
      'the function given to addStores() returned undefined (return the EdgeStore it creates with new EdgeStore(fleet, id, props), with the ' +
        'fleet it is given)',
    );
  });

  test(
    "GIVEN a definition that throws an error of its own WHEN synthesized THEN it is reported as a mistake of that store in the fleet's code, " +
      'with where it was thrown',
    () => {
      // GIVEN
      const fleet = declaredFleet(rows('store-001', 'store-002'));
      fleet.addStores([{ line: 9, id: 'store-003' }], (_f, row: any) => row.options.cpu.toUpperCase(), {
        where: (row) => `inventory.csv line ${row.line}`,
      });

      // WHEN
      let message = '';
      try {
        synthesize(fleet, { outdir: tempDir() });
      } catch (e) {
        message = (e as Error).message;
      }

      // THEN
      expect(message).toContain(
        "inventory.csv line 9: the function given to addStores() failed in the fleet's own code (not in edgefleet): TypeError: Cannot read " +
          "properties of undefined (reading 'cpu')",
      );
      expect(message).toMatch(/\n {6}at .*\(test\/synth\/add-stores\.test\.ts:\d+:\d+\)/);
      expect(message).not.toMatch(/ {6}at .*lib\/(fleet|synth)\//);
      expect(message).not.toContain('internal error');
    },
  );
});

describe('synth of removed stores', () => {
  test('GIVEN stores removed from the fleet WHEN synthesized THEN the result names them', () => {
    const outdir = tempDir();
    synthesize(declaredFleet(rows('store-001', 'store-002', 'store-003', 'store-004')), { outdir });
    const result = synthesize(declaredFleet(rows('store-002')), { outdir });
    expect(result.removedStores).toEqual(['store-001', 'store-003', 'store-004']);
    expect(fs.readdirSync(path.join(outdir, 'stores'))).toEqual(['store-002']);
  });

  test('GIVEN removals beyond the limit WHEN the guard refuses them THEN it says the stores are removals and what to do', () => {
    const outdir = tempDir();
    synthesize(declaredFleet(rows('store-001', 'store-002', 'store-003', 'store-004')), { outdir });
    const smallerFleet = declaredFleet(rows('store-001'), testFleet({ maxStoresChangedOutsideFirstRing: 1 }));
    expect(() => synthesize(smallerFleet, { outdir })).toThrow(
      'blast-radius guard: this change touches 3 existing stores outside the first ring, more than the 1 allowed; all of them are removals ' +
        '(stores no longer in the fleet, whose folders synth would delete): ' +
        'store-002 (removed), store-003 (removed), store-004 (removed). If these stores are leaving the fleet, run again with --allow-wide-change; ' +
        "if this is a new fleet written over another fleet's output, delete its store folders (stores/ and clusters/ of the output folder) first.",
    );
  });

  test(
    "GIVEN a new fleet synthesized over another fleet's output WHEN synthesized THEN it is refused whatever the limit, and the other tree " + 'stays',
    () => {
      // GIVEN
      const outdir = tempDir();
      synthesize(declaredFleet(rows('store-001', 'store-002', 'store-003')), { outdir });
      const before = snapshotDir(outdir);

      // WHEN / THEN
      expect(() => synthesize(declaredFleet(rows('paris-01')), { outdir })).toThrow(
        `${outdir} holds 3 stores (store-001, store-002, store-003) and this fleet has none of them: it looks like another fleet's tree, which ` +
          `synth would delete. ` +
          'Synth writes to repository.path at the top of the Git work tree that holds the current folder: give a new fleet repository its own ' +
          '(git init), ' +
          'or set repository.path to its folder in a shared one. To replace that tree on purpose, run again with --allow-wide-change.',
      );
      expect(snapshotDir(outdir)).toEqual(before);
      expect(synthesize(declaredFleet(rows('paris-01')), { outdir, allowWideChange: true }).removedStores).toEqual([
        'store-001',
        'store-002',
        'store-003',
      ]);
    },
  );
});

describe('synth into an empty folder', () => {
  test('GIVEN an empty output folder WHEN synthesized THEN no file is read and no file system call fails', () => {
    // GIVEN
    const outdir = tempDir();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- spied on: the module object itself, not an import's copy
    const nodeFs = require('fs');
    const read = jest.spyOn(nodeFs, 'readFileSync');
    const lstat = jest.spyOn(nodeFs, 'lstatSync');
    const stat = jest.spyOn(nodeFs, 'statSync');

    // WHEN
    synthesize(declaredFleet(rows('store-001', 'store-002')), { outdir });

    // THEN
    const inOutdir = (calls: any[][]) => calls.filter(([file]) => String(file).startsWith(outdir));
    expect(inOutdir(read.mock.calls)).toEqual([]);
    const failed = [...lstat.mock.results, ...stat.mock.results].filter((r) => r.type === 'throw' || (r.type === 'return' && r.value === undefined));
    expect(failed).toEqual([]);
    expect(lstat.mock.calls.length + stat.mock.calls.length).toBeLessThan(20);
  });
});
