/**
 * Synth benchmark: prints time and peak memory of a synth of the example fleet (stores/inventory.csv)
 * and of generated fleets of the same shape. Each fleet runs in a fresh process, so that peak
 * memory is that fleet's alone. Usage: npm run bench [-- 1000 10000]
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { generatedInventory } from './generated-inventory';
import { renderFleet, synthesize } from '../lib';
import { buildFleet } from '../stores';

/** Runs in the child process: one fleet, timed phase by phase, printed as JSON. */
function measure(size: string, outdir: string): void {
  const t0 = performance.now();
  const fleet = size === 'example' ? buildFleet() : buildFleet(generatedInventory(Number(size)));
  const t1 = performance.now();
  const files = renderFleet(fleet);
  const t2 = performance.now();
  const first = synthesize(fleet, { outdir });
  const sameFleet = size === 'example' ? buildFleet() : buildFleet(generatedInventory(Number(size)));
  const t3 = performance.now();
  const again = synthesize(sameFleet, { outdir });
  const t4 = performance.now();
  process.stdout.write(JSON.stringify({
    stores: fleet.stores.length,
    files: files.size,
    buildMs: t1 - t0,
    renderMs: t2 - t1,
    firstSynthMs: t3 - t2,
    firstWritten: first.written.length,
    noChangeSynthMs: t4 - t3,
    noChangeWritten: again.written.length,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  }));
}

function row(cells: Array<string | number>): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(10) : String(c).padStart(13))).join(' ');
}

function main(): void {
  const [mode, size, outdir] = process.argv.slice(2);
  if (mode === '--child') return measure(size, outdir);

  const sizes = ['example', ...(process.argv.length > 2 ? process.argv.slice(2) : ['1000'])];
  console.log(`edgefleet synth benchmark: node ${process.version}, ${os.cpus().length} x ${os.cpus()[0].model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
  console.log('synth = validate + render + write to an empty dist/; re-synth = the same fleet again, nothing to write\n');
  console.log(row(['fleet', 'stores', 'files', 'build ms', 'render ms', 'synth ms', 're-synth ms', 'ms/store', 'peak RSS MiB']));
  for (const s of sizes) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgefleet-bench-'));
    const r = JSON.parse(execFileSync(process.execPath, [__filename, '--child', s, outdir], { encoding: 'utf8', maxBuffer: 1 << 20 }));
    fs.rmSync(outdir, { recursive: true, force: true });
    const perStore = (r.buildMs + r.firstSynthMs) / r.stores;
    console.log(row([s, r.stores, r.files, r.buildMs.toFixed(0), r.renderMs.toFixed(0), r.firstSynthMs.toFixed(0), r.noChangeSynthMs.toFixed(0), perStore.toFixed(2), r.peakRssMiB.toFixed(0)]));
    if (r.noChangeWritten !== 0) throw new Error(`re-synth of ${s} rewrote ${r.noChangeWritten} files`);
  }
}

main();
