import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../../lib/util/package-root';

/** Where the suite keeps its state: one folder per scenario, logs included; `.e2e/` in the checkout unless EDGEFLEET_E2E_WORK says otherwise. */
export const E2E_WORK = process.env.EDGEFLEET_E2E_WORK ?? path.join(packageRoot(__dirname), '.e2e');

const TIMINGS = path.join(E2E_WORK, 'timings.tsv');

/** Records a figure for the summary printed at the end of the run. */
export function recordTiming(scenario: string, what: string, seconds: number): void {
  fs.mkdirSync(E2E_WORK, { recursive: true });
  fs.appendFileSync(TIMINGS, `${scenario}\t${what}\t${seconds.toFixed(1)}\n`);
}

/** The recorded figures, one line each. */
export function readTimings(): string[] {
  return fs.existsSync(TIMINGS) ? fs.readFileSync(TIMINGS, 'utf8').trim().split('\n') : [];
}

/** Forgets the figures of an earlier run. */
export function resetTimings(): void {
  fs.rmSync(TIMINGS, { force: true });
}
