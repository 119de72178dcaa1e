import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

/** A program the suite started: its output goes to a log file, and it is stopped by its PID. */
export class ManagedProcess {
  /** Stops every process still running: the last resort when a test fails before its own cleanup. */
  public static stopAll(): void {
    for (const p of ManagedProcess.running) p.kill('SIGKILL');
  }

  private static readonly running = new Set<ManagedProcess>();

  private readonly child: ChildProcess;
  private exited: Promise<number | null>;

  /** Starts `command` with `args`, appending its stdout and stderr to `logFile`. */
  constructor(
    public readonly name: string,
    command: string,
    args: string[],
    public readonly logFile: string,
    env: NodeJS.ProcessEnv = {},
  ) {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const log = fs.openSync(logFile, 'a');
    this.child = spawn(command, args, { stdio: ['ignore', log, log], env: { ...process.env, ...env } });
    fs.closeSync(log);
    ManagedProcess.running.add(this);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        ManagedProcess.running.delete(this);
        resolve(code);
      }),
    );
  }

  /** The process id. */
  public get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether the process is still running. */
  public get alive(): boolean {
    return ManagedProcess.running.has(this);
  }

  /** The last lines of the log, for failure messages. */
  public tail(lines = 30): string {
    if (!fs.existsSync(this.logFile)) return '';
    return fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  public async stop(graceMs = 5000): Promise<void> {
    if (!this.alive) return;
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private kill(signal: NodeJS.Signals): void {
    try {
      this.child.kill(signal);
    } catch {
      // already gone
    }
  }
}

process.on('exit', () => ManagedProcess.stopAll());

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a command to completion; throws with its output when it fails. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 2 ** 28,
  });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs` with the last reason. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, pollMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${lastError ? `: ${(lastError as Error).message ?? lastError}` : ''}`);
    }
    await sleep(pollMs);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
