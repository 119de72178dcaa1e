import * as fs from 'fs';
import * as path from 'path';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  EdgeFleet,
  EdgeMonitor,
  EdgeStore,
  EncryptedSecret,
  IReadsFiles,
  ManifestFile,
  Release,
  ReleaseProps,
  SynthesizeOptions,
  synthesize,
} from '../../lib';
import { codeDigest } from '../../lib/synth/fleet-digest';
import { KEYS, SecretsRepo, fixture } from '../secrets/secrets-repo';
import { snapshotDir, tempDir, testFleet } from '../util';

/** A construct of one's own that reads a file while the store is built: a ConfigMap holding it. */
class FileConfigMap extends ManifestFile implements IReadsFiles {
  public readonly inputFiles: string[];
  constructor(store: EdgeStore, id: string, file: string) {
    super(store, id, { tree: 'stores', path: `workloads/${id}.yaml` });
    this.inputFiles = [file];
    new k8s.KubeConfigMap(this, 'Resource', {
      metadata: { name: id, namespace: store.workloadNamespace },
      data: { content: fs.readFileSync(file, 'utf8') },
    });
  }
}

interface Item {
  readonly id: string;
  readonly tag?: string;
}

/** A fleet of stores declared with addStores, whose edge monitor version comes from a Release unless the item pins one. */
function fleetOf(items: Item[], monitor: ReleaseProps = { stable: '1.4.2' }): EdgeFleet {
  const fleet = testFleet();
  const release = new Release(fleet, 'edge-monitor', monitor);
  fleet.addStores(items, (f, item) => {
    const store = new EdgeStore(f, item.id, { labels: { region: 'eu-west' } });
    new EdgeMonitor(store, 'edge-monitor', { image: `registry.example.com/edge-monitor:${item.tag ?? release.versionFor(store)}` });
    return store;
  });
  return fleet;
}

const ids = (...names: string[]): Item[] => names.map((id) => ({ id }));

/** A synth with the digest cache, counting the files of outdir that it reads. */
function synthCounting(fleet: EdgeFleet, outdir: string, options: SynthesizeOptions = {}) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- spied on: the module object itself, not an import's copy
  const read = jest.spyOn(require('fs'), 'readFileSync');
  try {
    const result = synthesize(fleet, { outdir, cacheDir: path.join(outdir, '..', 'cache'), ...options });
    return { ...result, reads: read.mock.calls.filter(([file]) => String(file).startsWith(outdir)).length };
  } finally {
    read.mockRestore();
  }
}

/** A fresh output folder with its cache folder beside it. */
function outdirWithCache(): string {
  return path.join(tempDir(), 'dist');
}

describe('the digest cache', () => {
  test('GIVEN a synthesized fleet WHEN synthesized again unchanged THEN no store is rendered, and no file is read or written', () => {
    // GIVEN
    const outdir = outdirWithCache();
    synthCounting(fleetOf(ids('store-001', 'store-002')), outdir);
    const before = snapshotDir(outdir);

    // WHEN
    const again = synthCounting(fleetOf(ids('store-001', 'store-002')), outdir);

    // THEN
    expect(again).toMatchObject({ stores: 2, rendered: 0, written: [], deleted: [], reads: 0, unchanged: before.size });
    expect(snapshotDir(outdir)).toEqual(before);
  });

  test('GIVEN one item changed WHEN synthesized THEN only that store is rendered and only its files (and the report) are written', () => {
    const outdir = outdirWithCache();
    synthCounting(fleetOf(ids('store-001', 'store-002', 'store-003')), outdir);
    const result = synthCounting(fleetOf([{ id: 'store-001' }, { id: 'store-002', tag: '1.5.0' }, { id: 'store-003' }]), outdir);
    expect(result.rendered).toBe(1);
    expect(result.reads).toBe(0);
    expect(result.written).toEqual(['REPORT.md', 'report.html', 'stores/store-002/images.txt', 'stores/store-002/workloads/edge-monitor.yaml']);
  });

  test('GIVEN a fleet-wide input changed (a release pin) WHEN synthesized THEN every store is rendered again, and only changed files written', () => {
    const outdir = outdirWithCache();
    synthCounting(fleetOf(ids('store-001', 'store-002')), outdir);
    const result = synthCounting(fleetOf(ids('store-001', 'store-002'), { stable: '1.4.2', stores: { 'store-002': '1.4.1' } }), outdir);
    expect(result.rendered).toBe(2);
    expect(result.written).toEqual(['REPORT.md', 'report.html', 'stores/store-002/images.txt', 'stores/store-002/workloads/edge-monitor.yaml']);
  });

  test(
    'GIVEN files touched but unchanged (a fresh clone, a checkout) WHEN synthesized THEN their content confirms the stores without rendering, ' +
      'once',
    () => {
      // GIVEN
      const outdir = outdirWithCache();
      synthCounting(fleetOf(ids('store-001')), outdir);
      const later = new Date(Date.now() + 60_000);
      for (const file of snapshotDir(outdir).keys()) fs.utimesSync(path.join(outdir, file), later, later);

      // WHEN
      const first = synthCounting(fleetOf(ids('store-001')), outdir);
      const second = synthCounting(fleetOf(ids('store-001')), outdir);

      // THEN
      expect(first).toMatchObject({ rendered: 0, written: [] });
      expect(first.reads).toBeGreaterThan(0);
      expect(second).toMatchObject({ rendered: 0, written: [], reads: 0 });
    },
  );

  test('GIVEN a file of a cached store edited, one deleted and one added WHEN synthesized THEN the store is rendered and its folder restored', () => {
    // GIVEN
    const outdir = outdirWithCache();
    synthCounting(fleetOf(ids('store-001', 'store-002')), outdir);
    const expected = snapshotDir(outdir);
    fs.writeFileSync(path.join(outdir, 'stores/store-001/workloads/edge-monitor.yaml'), 'edited by hand\n');
    fs.rmSync(path.join(outdir, 'stores/store-002/images.txt'));
    fs.writeFileSync(path.join(outdir, 'clusters/store-002/stray.yaml'), 'a: 1\n');

    // WHEN
    const result = synthCounting(fleetOf(ids('store-001', 'store-002')), outdir);

    // THEN
    expect(result.rendered).toBe(2);
    expect(result.written).toEqual(['stores/store-001/workloads/edge-monitor.yaml', 'stores/store-002/images.txt']);
    expect(result.deleted).toEqual(['clusters/store-002/stray.yaml']);
    expect(snapshotDir(outdir)).toEqual(expected);
  });

  test(
    'GIVEN flux bootstrap filled in a placeholder WHEN synthesized again THEN the store is confirmed without rendering and the file is ' + 'kept',
    () => {
      const outdir = outdirWithCache();
      synthCounting(fleetOf(ids('store-001')), outdir);
      const bootstrapped = path.join(outdir, 'clusters/store-001/flux-system/gotk-sync.yaml');
      fs.writeFileSync(bootstrapped, '# written by flux bootstrap\n');
      const result = synthCounting(fleetOf(ids('store-001')), outdir);
      expect(result).toMatchObject({ rendered: 0, written: [], reads: 0 });
      expect(fs.readFileSync(bootstrapped, 'utf8')).toBe('# written by flux bootstrap\n');
    },
  );

  test('GIVEN a store removed WHEN synthesized THEN its folders are deleted and the others are not rendered', () => {
    const outdir = outdirWithCache();
    synthCounting(fleetOf(ids('store-001', 'store-002')), outdir);
    const result = synthCounting(fleetOf(ids('store-001')), outdir);
    expect(result).toMatchObject({ rendered: 0, removedStores: ['store-002'], written: ['REPORT.md', 'report.html'] });
    expect(fs.existsSync(path.join(outdir, 'stores/store-002'))).toBe(false);
  });

  test('GIVEN items that are not plain data WHEN synthesized twice THEN their stores are rendered each time', () => {
    const outdir = outdirWithCache();
    const fleet = () => {
      const f = testFleet();
      f.addStores([new Map([['id', 'store-001']])], (fl, item) => new EdgeStore(fl, item.get('id')!));
      return f;
    };
    synthCounting(fleet(), outdir);
    expect(synthCounting(fleet(), outdir)).toMatchObject({ rendered: 1, written: [] });
  });

  test('GIVEN a fleet-wide construct that does not say what it holds WHEN synthesized THEN the cache is not used, and the result says why', () => {
    const outdir = outdirWithCache();
    const fleet = fleetOf(ids('store-001'));
    new Construct(fleet, 'regional-defaults');
    const result = synthCounting(fleet, outdir);
    expect(result.cacheNote).toBe('Construct "regional-defaults" in the fleet does not say what it holds (give it a digestInputs() method)');
    expect(fs.existsSync(path.join(outdir, '..', 'cache'))).toBe(false);
  });

  test(
    "GIVEN a file that a store's construct reads (IReadsFiles) changed WHEN synthesized THEN that store is rendered again and its output follows " +
      'the file',
    () => {
      // GIVEN
      const outdir = outdirWithCache();
      const input = path.join(tempDir(), 'settings.txt');
      fs.writeFileSync(input, 'first\n');
      const fleet = () => {
        const f = testFleet();
        f.addStores(ids('store-001', 'store-002'), (fl, item) => {
          const store = new EdgeStore(fl, item.id);
          if (item.id === 'store-001') new FileConfigMap(store, 'settings', input);
          return store;
        });
        return f;
      };
      synthCounting(fleet(), outdir);

      // WHEN
      fs.writeFileSync(input, 'second\n');
      const result = synthCounting(fleet(), outdir);

      // THEN
      expect(result).toMatchObject({ rendered: 1, written: ['stores/store-001/workloads/settings.yaml'] });
      expect(fs.readFileSync(path.join(outdir, 'stores/store-001/workloads/settings.yaml'), 'utf8')).toContain('content: |\n    second\n');
    },
  );

  test(
    "GIVEN a store's encrypted Secret file replaced WHEN synthesized with the cache THEN the store is checked again (here: the new file is for " +
      'the wrong key)',
    () => {
      // GIVEN
      const repo = new SecretsRepo({ 'secrets/store-a/telemetry-credentials.yaml': fixture('store-a.yaml') });
      const fleet = () => {
        const f = new EdgeFleet({
          repository: { url: 'https://git.example.com/retail/fleet.git' },
          secrets: { operators: [KEYS.operators], folder: path.join(repo.root, 'secrets') },
        });
        f.addStores(ids('store-a'), (fl, item) => {
          const store = new EdgeStore(fl, item.id, { ageRecipient: KEYS['store-a'] });
          new EncryptedSecret(store, 'telemetry-credentials');
          return store;
        });
        return f;
      };
      synthCounting(fleet(), repo.dist);

      // WHEN
      repo.write('secrets/store-a/telemetry-credentials.yaml', fixture('store-a-old-key.yaml'));

      // THEN
      expect(() => synthCounting(fleet(), repo.dist)).toThrow(/telemetry-credentials\.yaml is encrypted for the wrong keys/);
    },
  );

  test('GIVEN another module loaded WHEN the code digest is taken THEN it changes', () => {
    const before = codeDigest();
    const module = path.join(tempDir(), 'extra.js');
    fs.writeFileSync(module, 'module.exports = 1;\n');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module loaded late, as a fleet might
    require(module);
    expect(codeDigest()).not.toBe(before);
  });
});
