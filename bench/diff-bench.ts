/**
 * Diff benchmark: a Git repository holds a generated fleet's dist/; the POS OS candidate is promoted
 * from canary to early (a fifth of the stores change) and synthesized; then `edgefleet diff` runs as
 * a user runs it, and, as the baseline in the same run, `git diff` of the same change (the patch a
 * reviewer would otherwise read). CPU-seconds count git's processes too.
 * Usage: npm run bench:diff [-- <stores>]   (default 10000)
 */
import * as path from 'path';
import { fleetRepository, generatedFleet, removeRepository } from './fleet-repository';
import { compiledCli, machine, measure, showMeasured } from './measure';
import { synthesize } from '../lib';

function main(): void {
  const count = Number(process.argv[2] ?? 10000);
  if (!Number.isInteger(count) || count < 1) throw new Error(`usage: diff-bench.js [stores] ("${process.argv[2]}" is not a number of stores)`);
  console.log(`edgefleet diff benchmark: ${machine()}`);
  console.log(`preparing: ${count} generated stores committed, then the POS OS candidate promoted through ring "early"...`);
  const repo = fleetRepository(count);
  try {
    synthesize(generatedFleet(count, { posOsThroughRing: 'early' }), { outdir: path.join(repo, 'dist'), allowWideChange: true });
    const diff = measure(...compiledCli('diff', '--dir', 'dist'), { cwd: repo });
    if (diff.status !== 0) throw new Error(`edgefleet diff failed:\n${diff.stdout}`);
    const baseline = measure('git', ['diff', 'HEAD', '--', 'dist'], { cwd: repo });
    const lines = diff.stdout.trim().split('\n');
    console.log(`\n${lines[lines.length - 1]}`);
    console.log(
      `${lines.length} lines of output (${(diff.stdout.length / 1024).toFixed(0)} KiB); git diff: ${baseline.stdout.split('\n').length} lines ` +
        `(${(baseline.stdout.length / 1024).toFixed(0)} KiB)\n`,
    );
    console.log(`edgefleet diff  ${showMeasured(diff)}`);
    console.log(`git diff        ${showMeasured(baseline)}   (baseline: the raw patch of the same change)`);
  } finally {
    removeRepository(repo);
  }
}

main();
