/**
 * Publish benchmark: a Git repository holds a generated fleet's dist/ with every Flux store on its
 * store branch, and a bare repository beside it takes the branches. `edgefleet publish` runs as CI
 * runs it (the compiled CLI) for the first publish, a publish with nothing to do, a one-store change,
 * a promotion to the early ring, then to the general ring; each beside the baseline of the same run: committing
 * that change to main (`git add -A && git commit`), which CI does anyway. Last, a publish with
 * nothing to do from a fresh shallow clone (the branches' commits fetched first), beside making
 * that clone. CPU-seconds count git's processes too.
 * Usage: npm run bench:publish [-- <stores>...]   (default 10000)
 */
import * as fs from 'fs';
import * as path from 'path';
import { GeneratedFleetOptions, fleetRepository, generatedFleet, git, removeRepository } from './fleet-repository';
import { Measured, compiledCli, machine, measure } from './measure';
import { synthesize } from '../lib';

/** Who commits the changes. */
const COMMITTER = {
  ...process.env,
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
};

/** Several measured commands as one. */
function together(...steps: Measured[]): Measured {
  const cpuSeconds = steps.every((s) => s.cpuSeconds !== undefined) ? steps.reduce((n, s) => n + s.cpuSeconds!, 0) : undefined;
  return {
    cpuSeconds,
    wallSeconds: steps.reduce((n, s) => n + s.wallSeconds, 0),
    stdout: steps.map((s) => s.stdout).join(''),
    status: steps.find((s) => s.status !== 0)?.status ?? 0,
  };
}

function cpu(m: Measured): string {
  return m.cpuSeconds === undefined ? '?' : m.cpuSeconds.toFixed(2);
}

function row(cells: Array<string | number>): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(38) : String(c).padStart(12))).join(' ');
}

/** `edgefleet publish` in `cwd`, measured; fails the benchmark when publish fails. */
function publish(cwd: string, remote: string): Measured {
  const run = measure(...compiledCli('publish', '--remote', remote), { cwd });
  if (run.status !== 0) throw new Error(`edgefleet publish failed in ${cwd}:\n${run.stdout}`);
  return run;
}

/** The branches moved, from publish's summary line. */
function moved(run: Measured): number {
  const summary = /(\d+) updated, (\d+) created/.exec(run.stdout);
  return summary ? Number(summary[1]) + Number(summary[2]) : NaN;
}

function benchmark(count: number): void {
  const onBranches = { source: 'store-branch' } as const;
  const repo = fleetRepository(count, onBranches);
  const remote = `${repo}-stores.git`;
  const clone = `${repo}-ci`;
  git(path.dirname(repo), 'init', '-q', '--bare', remote);
  const changedStore = Math.floor(count / 2) + 3;
  const changes: Array<[string, GeneratedFleetOptions | undefined]> = [
    ['first publish (every branch new)', undefined],
    ['nothing changed', undefined],
    ['one store changed', { changedStore }],
    ['ring promotion (early, 20%)', { changedStore, posOsThroughRing: 'early' }],
    ['promotion to the general ring (76%)', { changedStore, posOsThroughRing: 'general' }],
  ];
  try {
    console.log(`\n${count} stores`);
    console.log(row(['', 'branches', 'baseline s', 'baseline CPU', 'publish s', 'publish CPU']));
    for (const [name, change] of changes) {
      let baseline: Measured | undefined;
      if (change) {
        synthesize(generatedFleet(count, { ...onBranches, ...change }), { outdir: path.join(repo, 'dist'), allowWideChange: true });
        baseline = together(
          measure('git', ['add', '-A'], { cwd: repo }),
          measure('git', ['commit', '-q', '--allow-empty', '-m', name], { cwd: repo, env: COMMITTER }),
        );
      }
      const run = publish(repo, remote);
      console.log(
        row([name, moved(run), baseline ? baseline.wallSeconds.toFixed(2) : '', baseline ? cpu(baseline) : '', run.wallSeconds.toFixed(2), cpu(run)]),
      );
    }
    const cloned = measure('git', ['clone', '-q', '--depth=1', `file://${repo}`, clone]);
    const fresh = publish(clone, remote);
    console.log(
      row([
        'fresh shallow clone (CI), nothing changed',
        moved(fresh),
        cloned.wallSeconds.toFixed(2),
        cpu(cloned),
        fresh.wallSeconds.toFixed(2),
        cpu(fresh),
      ]),
    );
  } finally {
    [repo, remote, clone].forEach((dir) => fs.existsSync(dir) && removeRepository(dir));
  }
}

function main(): void {
  const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [10000];
  console.log(`edgefleet publish benchmark: ${machine()}`);
  console.log('baseline: committing the change to main (git add -A && git commit), or, last, cloning the repository at depth 1');
  sizes.forEach(benchmark);
}

main();
