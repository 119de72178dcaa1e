import { readTimings } from './harness/timings';

/** Prints the figures the scenarios recorded. */
export default function globalTeardown(): void {
  const lines = readTimings().map((l) => l.split('\t'));
  if (lines.length === 0) return;
  const width = Math.max(...lines.map(([scenario, what]) => `${scenario}: ${what}`.length));
  process.stderr.write(
    `\ne2e figures:\n${lines.map(([scenario, what, value]) => `  ${`${scenario}: ${what}`.padEnd(width)}  ${value}`).join('\n')}\n`,
  );
}
