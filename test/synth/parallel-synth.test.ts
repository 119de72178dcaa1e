import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MIN_STORES_PER_WORKER } from '../../lib/synth/store-workers';
import { snapshotDir, tempDir } from '../util';

const ROOT = path.join(__dirname, '..', '..');

/** Synthesizes the generated fleet in a fresh Node.js process (worker threads need real modules, not jest's). */
function synthInProcess(
  stores: number,
  threads: number,
  outdir = path.join(tempDir(), 'dist'),
  brokenStore?: number,
): { outdir: string; result: any } {
  const stdout = execFileSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'test/fixtures/parallel-synth.ts'), outdir, String(threads)],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        EDGEFLEET_BENCH_STORES: String(stores),
        EDGEFLEET_BENCH_BROKEN_STORE: brokenStore ? String(brokenStore) : '',
        TS_NODE_PROJECT: path.join(ROOT, 'test/tsconfig.json'),
      },
    },
  );
  return { outdir, result: JSON.parse(stdout) };
}

describe('synth on several threads', () => {
  test("GIVEN a fleet large enough for a worker thread WHEN synthesized on two threads THEN the output is byte-identical to one thread's", () => {
    // GIVEN
    const stores = 2 * MIN_STORES_PER_WORKER + 20;

    // WHEN
    const parallel = synthInProcess(stores, 2);
    const single = synthInProcess(stores, 1);

    // THEN
    expect(parallel.result).toMatchObject({ threads: 2, rendered: stores });
    expect(single.result).toMatchObject({ threads: 1, rendered: stores });
    const a = snapshotDir(parallel.outdir);
    expect(a.size).toBeGreaterThan(stores * 10);
    expect(a).toEqual(snapshotDir(single.outdir));
  }, 180_000);

  test(
    'GIVEN a mistake in a store a worker thread renders WHEN synthesized on two threads THEN it is reported and the stores written meanwhile are ' +
      'taken back',
    () => {
      // GIVEN
      const stores = 2 * MIN_STORES_PER_WORKER + 20;
      const outdir = path.join(tempDir(), 'dist');
      fs.mkdirSync(outdir);
      fs.writeFileSync(path.join(outdir, 'README.md'), 'not ours\n');

      // WHEN
      const { result } = synthInProcess(stores, 2, outdir, stores - 5);

      // THEN
      expect(result.error).toMatch(
        new RegExp(
          `^1 problem in the fleet definition:\n  - store "store-${stores - 5}": EdgeMonitor "edge-monitor": memory "2 GB" is not a Kubernetes ` +
            `quantity`,
        ),
      );
      expect([...snapshotDir(outdir).keys()]).toEqual(['README.md']);
    },
    180_000,
  );
});
