/**
 * Diff benchmark: builds a Git repository holding a generated fleet's dist/, promotes the POS OS
 * from canary to early (about a fifth of the stores change), and times `edgefleet diff`.
 * Usage: node build/bench/diff-bench.js [stores]   (default 10000)
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { generatedInventory } from './generated-inventory';
import { diffDist, formatDiffText, synthesize } from '../lib';
import { RELEASES, buildFleet } from '../stores';

function main(): void {
  const count = Number(process.argv[2] ?? 10000);
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'edgefleet-diff-bench-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' } });
  const rows = generatedInventory(count);
  git('init', '-q', '-b', 'main');
  synthesize(buildFleet(rows), { outdir: path.join(repo, 'dist') });
  git('add', '-A');
  git('commit', '-qm', 'base');
  const promoted = { ...RELEASES, posOs: { ...RELEASES.posOs, candidate: { version: '4.2.0', throughRing: 'early' } } };
  synthesize(buildFleet(rows, promoted), { outdir: path.join(repo, 'dist'), allowWideChange: true });

  const t0 = performance.now();
  const diff = diffDist({ dir: path.join(repo, 'dist') });
  const text = formatDiffText(diff);
  const ms = performance.now() - t0;
  console.log(text.trim().split('\n').pop());
  console.log(`edgefleet diff of ${count} stores (${diff.stores.length} changed): ${(ms / 1000).toFixed(2)} s`);
  fs.rmSync(repo, { recursive: true, force: true });
}

main();
