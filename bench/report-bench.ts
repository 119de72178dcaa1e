/*
 * How long the fleet report takes to render at fleet scale: the Markdown and HTML reports of generated
 * fleets (npm run bench:report -- 1000 10000), CPU-seconds of this process beside wall time, and the
 * size of each, with the same rendering of 100 stores as the baseline measured in the same run.
 */
import { cpuUsage } from 'process';
import { machine } from './measure';
import { generatedReport } from './report-screenshot';
import { renderReportHtml } from '../lib/report/render-report-html';
import { renderReportMarkdown } from '../lib/report/render-report-markdown';
import type { FleetReport } from '../lib/report/report-model';

const RENDERERS: Array<[string, (report: FleetReport) => string]> = [
  ['Markdown', renderReportMarkdown],
  ['HTML', renderReportHtml],
];

/** CPU-seconds (user + system) and wall seconds of `run`, and what it returned. */
function timed<T>(run: () => T): { cpuSeconds: number; wallSeconds: number; result: T } {
  const cpu = cpuUsage();
  const started = process.hrtime.bigint();
  const result = run();
  const used = cpuUsage(cpu);
  return { cpuSeconds: (used.user + used.system) / 1e6, wallSeconds: Number(process.hrtime.bigint() - started) / 1e9, result };
}

function main(): void {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  console.log(`bench:report on ${machine()}`);
  console.log('| report | stores | CPU-s | wall s | size | CPU-s per 1,000 stores |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const stores of [100, ...(sizes.length > 0 ? sizes : [10000])]) {
    const report = generatedReport(stores);
    for (const [format, render] of RENDERERS) {
      const m = timed(() => render(report));
      const size = `${(Buffer.byteLength(m.result) / 2 ** 20).toFixed(2)} MiB`;
      console.log(
        `| ${format} | ${stores.toLocaleString('en-US')} | ${m.cpuSeconds.toFixed(2)} | ${m.wallSeconds.toFixed(2)} | ${size} | ` +
          `${((m.cpuSeconds * 1000) / stores).toFixed(3)} |`,
      );
    }
  }
}

main();
