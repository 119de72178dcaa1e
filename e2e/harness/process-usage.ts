import * as fs from 'fs';
import { sleep } from './processes';

/** Memory and CPU of a set of processes: resident memory now, CPU time over a window. */
export interface Usage {
  readonly name: string;
  /** Resident set size, summed over the processes (MiB). */
  readonly rssMiB: number;
  /** CPU used over the window, in thousandths of a core. */
  readonly cpuMillicores: number;
  /** How many processes were counted. */
  readonly processes: number;
}

/** The clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** A process's user + system CPU time in ticks, or undefined once it is gone. */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** A process's resident set size in KiB, or 0 once it is gone. */
function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Measures each named group of processes over the same window: RSS at its end, CPU as the ticks
 * spent during it. Processes are read from /proc, the same way for the node's programs and for
 * the pods' (whose PIDs come from their cgroups).
 */
export async function measureUsage(groups: { name: string; pids: () => number[] }[], windowMs: number): Promise<Usage[]> {
  const before = groups.map((g) => new Map(g.pids().map((pid) => [pid, cpuTicks(pid)])));
  await sleep(windowMs);
  return groups.map((group, i) => {
    const pids = group.pids();
    const ticks = pids.reduce((sum, pid) => {
      const now = cpuTicks(pid);
      const then = before[i].get(pid) ?? now;
      return sum + (now !== undefined && then !== undefined ? now - then : 0);
    }, 0);
    return {
      name: group.name,
      rssMiB: pids.reduce((sum, pid) => sum + rssKiB(pid), 0) / 1024,
      cpuMillicores: (ticks / TICKS_PER_SECOND / (windowMs / 1000)) * 1000,
      processes: pids.length,
    };
  });
}

/** The figures as a table, one group a line. */
export function usageTable(usage: Usage[]): string {
  const width = Math.max(...usage.map((u) => u.name.length), 'component'.length);
  const header = `${'component'.padEnd(width)}  RSS MiB  CPU m  processes`;
  return [
    header,
    ...usage.map(
      (u) =>
        `${u.name.padEnd(width)}  ${u.rssMiB.toFixed(1).padStart(7)}  ${u.cpuMillicores.toFixed(0).padStart(5)}  ${String(u.processes).padStart(9)}`,
    ),
  ].join('\n');
}
