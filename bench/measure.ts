import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** CPU and wall time of one command, its own child processes included. */
export interface Measured {
  /** User + system CPU seconds of the command and every process it waited for; undefined where the platform cannot tell. */
  readonly cpuSeconds?: number;
  /** Wall-clock seconds. */
  readonly wallSeconds: number;
  /** What it printed. */
  readonly stdout: string;
  /** Its exit status. */
  readonly status: number | null;
}

/** User + system CPU seconds of this process's waited-for children, from /proc/self/stat (Linux). */
function childrenCpuSeconds(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of proc(5) (cutime, cstime), counted after the command name: indexes 13 and 14.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Runs `command` and measures it: wall time, and the CPU time of it and of the processes it ran
 * (git, kubectl), read as the growth of this process's children's CPU time. Clock ticks are
 * 1/100 s on Linux (USER_HZ), so figures are good to about 0.01 s.
 */
export function measure(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Measured {
  const cpuBefore = childrenCpuSeconds();
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: options.cwd, env: options.env ?? process.env, encoding: 'utf8', maxBuffer: 2 ** 30 });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = childrenCpuSeconds();
  if (result.error) throw result.error;
  return {
    cpuSeconds: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
    wallSeconds,
    stdout: result.stdout,
    status: result.status,
  };
}

/** `12.34 CPU-s, 6.78 s wall`. */
export function showMeasured(m: Measured): string {
  return `${m.cpuSeconds === undefined ? '? ' : m.cpuSeconds.toFixed(2)} CPU-s, ${m.wallSeconds.toFixed(2)} s wall`;
}

/** The machine, for the first line of a benchmark's output. */
export function machine(): string {
  return `node ${process.version}, ${os.cpus().length} x ${os.cpus()[0].model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`;
}

/**
 * The command that runs the compiled CLI with `args`, as the published package runs it (in this
 * checkout bin/edgefleet runs the TypeScript sources through tsx, whose start-up is not edgefleet's cost).
 */
export function compiledCli(...args: string[]): [string, string[]] {
  const main = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
  return [
    process.execPath,
    ['-e', `require(${JSON.stringify(main)}).main(process.argv.slice(1)).then((code) => { process.exitCode = code; })`, ...args],
  ];
}
