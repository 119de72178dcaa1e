/**
 * Publish benchmark: a Git repository holding a generated fleet's dist/ (every store on its store
 * branch) and a bare remote; times `edgefleet publish` for the first publish, a publish with nothing
 * to do, a one-store change, a ring promotion and a fleet-wide change, each beside the baseline of
 * the same run: committing that change to main (`git add -A && git commit`), which CI does anyway;
 * then a publish with nothing to do from a fresh shallow clone, as CI runs it (the branches' commits
 * fetched first), beside the baseline of making that clone.
 * Prints wall and CPU seconds (user + system, git's processes included).
 * Usage: node build/bench/publish-bench.js [stores...]   (default 10000)
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { timed } from './cpu-time';
import { LibraryFleetOptions, libraryFleet } from './library-fleet';
import { publishStoreBranches, synthesize } from '../lib';

const IDENTITY = { GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.com' };

function row(cells: Array<string | number>): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(30) : String(c).padStart(12))).join(' ');
}

function benchmark(count: number): void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgefleet-publish-bench-'));
  const repo = path.join(root, 'fleet');
  const remote = path.join(root, 'stores.git');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe', env: { ...process.env, ...IDENTITY } });
  fs.mkdirSync(repo);
  git('init', '-q', '-b', 'main');
  git('init', '-q', '--bare', remote);

  const steps: Array<[string, Omit<LibraryFleetOptions, 'stores' | 'source'>]> = [
    ['first publish (every branch new)', {}],
    ['nothing changed', {}],
    ['one store changed', { monitorPins: { [Math.floor(count / 2)]: '1.4.3' } }],
    ['ring promotion (early, 20%)', { monitorPins: { [Math.floor(count / 2)]: '1.4.3' }, posOs: { canary: '4.2.0', early: '4.2.0' } }],
    ['fleet-wide change', { monitorPins: { [Math.floor(count / 2)]: '1.4.3' }, posOs: { canary: '4.2.0', early: '4.2.0' }, monitor: '1.5.0' }],
  ];
  console.log(`\n${count} stores (${root})`);
  console.log(row(['', 'branches', 'commit s', 'commit CPU s', 'publish s', 'publish CPU s']));
  for (const [name, options] of steps) {
    synthesize(libraryFleet({ stores: count, source: 'store-branch', ...options }), { outdir: path.join(repo, 'dist'), allowWideChange: true });
    const commit = timed(() => {
      git('add', '-A');
      git('commit', '-q', '--allow-empty', '-m', name);
    });
    const publish = timed(() => publishStoreBranches({ repo, remote }));
    const moved = publish.result.updates.length;
    console.log(row([name, moved, commit.wallSeconds.toFixed(2), commit.cpuSeconds.toFixed(2), publish.wallSeconds.toFixed(2), publish.cpuSeconds.toFixed(2)]));
  }
  const fresh = path.join(root, 'ci-clone');
  const clone = timed(() => execFileSync('git', ['clone', '-q', '--depth=1', `file://${repo}`, fresh], { stdio: 'pipe' }));
  const publish = timed(() => publishStoreBranches({ repo: fresh, remote }));
  console.log(row(['fresh shallow clone (CI), no change', publish.result.updates.length, clone.wallSeconds.toFixed(2), clone.cpuSeconds.toFixed(2), publish.wallSeconds.toFixed(2), publish.cpuSeconds.toFixed(2)]));
  fs.rmSync(root, { recursive: true, force: true });
}

function main(): void {
  const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [10000];
  console.log(`edgefleet publish benchmark: node ${process.version}, git ${execFileSync('git', ['--version'], { encoding: 'utf8' }).trim().split(' ').pop()}, ${os.cpus().length} x ${os.cpus()[0].model}`);
  console.log('each step: synthesize the change, commit it to main (the baseline), then publish the store branches to a bare repository;');
  console.log('last: clone the repository at depth 1 (the baseline), then publish from that clone');
  sizes.forEach(benchmark);
}

main();
