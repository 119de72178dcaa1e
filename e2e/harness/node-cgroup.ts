import * as fs from 'fs';
import * as path from 'path';
import { sleep } from './processes';

/** The mount points of the machine's cgroup hierarchies (v1 ones, and the unified one of a hybrid setup). */
function hierarchies(): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => ['cgroup', 'cgroup2'].includes(fields[fields.indexOf('-') + 1]))
    .map((fields) => fields[4]);
}

/** The pids hierarchy, where every process of the node is listed. */
const PIDS_HIERARCHY = '/sys/fs/cgroup/pids';

/** Every folder below `dir`, deepest first. */
function foldersDeepestFirst(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const children = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(dir, e.name));
  return [...children.flatMap(foldersDeepestFirst), dir];
}

/**
 * The cgroup of one real node, `/<name>` in every hierarchy: kubelet puts the pods below it
 * (`<name>/kubepods`, its cgroupRoot), and the suite starts the node's own processes in
 * `<name>/node`, whose children (containerd's shims among them) stay there. So every process of the
 * node, containers included, is listed below `<name>` in the pids hierarchy, and can be stopped by
 * its PID, whoever started it.
 */
export class NodeCgroup {
  /** Creates `/<name>` and `/<name>/node` in every hierarchy. */
  public static create(name: string): NodeCgroup {
    if (!fs.existsSync(PIDS_HIERARCHY)) throw new Error(`the real node needs the cgroup v1 pids hierarchy at ${PIDS_HIERARCHY}`);
    const cgroup = new NodeCgroup(name);
    for (const hierarchy of hierarchies()) {
      for (const dir of [path.join(hierarchy, name), path.join(hierarchy, name, 'node')]) {
        fs.mkdirSync(dir, { recursive: true });
        inheritCpuset(dir);
      }
    }
    return cgroup;
  }

  /** The cgroup `/<name>` as it is, e.g. one a killed run left behind. */
  public static existing(name: string): NodeCgroup {
    return new NodeCgroup(name);
  }

  private constructor(public readonly name: string) {}

  /** The cgroup.procs file that puts a process into the node's own cgroup (pids hierarchy). */
  public get procsFile(): string {
    return path.join(PIDS_HIERARCHY, this.name, 'node', 'cgroup.procs');
  }

  /** Every process of the node: its own processes, containerd's shims, and every container's. */
  public pids(): number[] {
    return pidsBelow(path.join(PIDS_HIERARCHY, this.name));
  }

  /** The processes of one pod (its containers' and its sandbox's), from the cgroup kubelet made for it. */
  public pidsOfPod(uid: string): number[] {
    const podDir = foldersDeepestFirst(path.join(PIDS_HIERARCHY, this.name, 'kubepods')).find((dir) => path.basename(dir) === `pod${uid}`);
    return podDir ? pidsBelow(podDir) : [];
  }

  /** The processes in the node's own cgroup (not in a pod's), with their command names. */
  public ownProcesses(): { pid: number; command: string }[] {
    return fs
      .readFileSync(this.procsFile, 'utf8')
      .split('\n')
      .filter((l) => l)
      .map(Number)
      .map((pid) => ({ pid, command: commandOf(pid) }));
  }

  /** Stops every process of the node by PID, as a shutdown does: SIGTERM, then SIGKILL to those left after `graceMs`. */
  public async stopAll(graceMs = 5_000, timeoutMs = 20_000): Promise<void> {
    const started = Date.now();
    signalAll(this.pids(), 'SIGTERM');
    for (let pids = this.pids(); pids.length > 0; pids = this.pids()) {
      if (Date.now() - started > timeoutMs) {
        throw new Error(`processes of the node still running after SIGKILL: ${pids.map((p) => `${p} (${commandOf(p)})`).join(', ')}`);
      }
      if (Date.now() - started > graceMs) signalAll(pids, 'SIGKILL');
      await sleep(100);
    }
  }

  /**
   * SIGKILLs every process of the node and removes its cgroups, synchronously: the last resort at
   * the suite's exit when a test failed before the node's own stop. Best effort.
   */
  public killAllNow(): void {
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let attempt = 0; attempt < 50 && this.pids().length > 0; attempt++) {
      signalAll(this.pids(), 'SIGKILL');
      Atomics.wait(pause, 0, 0, 100);
    }
    for (const hierarchy of hierarchies()) {
      for (const dir of foldersDeepestFirst(path.join(hierarchy, this.name))) {
        try {
          fs.rmdirSync(dir);
        } catch {
          // still busy: left for the next run's look at the machine
        }
      }
    }
  }

  /** Removes the node's cgroups from every hierarchy (its processes must be gone). */
  public async remove(): Promise<void> {
    for (const hierarchy of hierarchies()) {
      for (const dir of foldersDeepestFirst(path.join(hierarchy, this.name))) await removeCgroup(dir);
    }
  }
}

/** The processes of a cgroup and its children. */
function pidsBelow(dir: string): number[] {
  return foldersDeepestFirst(dir).flatMap((d) =>
    fs
      .readFileSync(path.join(d, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter((l) => l)
      .map(Number),
  );
}

/** Sends `signal` to each process, ignoring those already gone. */
function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone meanwhile
    }
  }
}

/** A new cpuset cgroup has no CPUs and no memory nodes until given its parent's. */
function inheritCpuset(dir: string): void {
  for (const file of ['cpuset.cpus', 'cpuset.mems']) {
    const own = path.join(dir, file);
    if (fs.existsSync(own) && fs.readFileSync(own, 'utf8').trim() === '') fs.writeFileSync(own, fs.readFileSync(path.join(dir, '..', file), 'utf8'));
  }
}

/** rmdir of a cgroup, retried while the kernel still counts an exiting process in it. */
async function removeCgroup(dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      if (attempt >= 50) throw new Error(`cannot remove cgroup ${dir}: ${(e as Error).message}`);
      await sleep(100);
    }
  }
}

/** A process's command name, or '?' once it is gone. */
export function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}
