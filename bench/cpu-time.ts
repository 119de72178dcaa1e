import * as fs from 'fs';
import { performance } from 'perf_hooks';

/** Clock ticks per second of /proc's CPU times (USER_HZ): 100 on Linux. */
const USER_HZ = 100;

/**
 * CPU-seconds (user + system) of this process and of the children it has waited for, such as the
 * git processes of `spawnSync`; children count only where /proc is there (Linux).
 */
function cpuSeconds(): number {
  const self = process.cpuUsage();
  let children = 0;
  if (fs.existsSync('/proc/self/stat')) {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    children = (Number(fields[13]) + Number(fields[14])) / USER_HZ;
  }
  return (self.user + self.system) / 1e6 + children;
}

/** Wall and CPU time of one run of `work`. */
export interface Timed<T> {
  readonly result: T;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

/** Runs `work` and measures its wall time and the CPU time of this process and its children. */
export function timed<T>(work: () => T): Timed<T> {
  const cpu = cpuSeconds();
  const wall = performance.now();
  const result = work();
  return { result, wallSeconds: (performance.now() - wall) / 1000, cpuSeconds: cpuSeconds() - cpu };
}
