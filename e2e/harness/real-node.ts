import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { binaries } from './binaries';
import { ControlPlane, ControlPlaneNetwork } from './control-plane';
import { Kubectl } from './kubectl';
import { NodeCgroup, commandOf } from './node-cgroup';
import { NodePaths, containerdConfig, cniConfig, coreDnsObjects, kubeProxyConfig, kubeletConfig } from './node-config';
import { NodeImages, nodeImageTarballs } from './node-images';
import { NodeNetwork } from './node-network';
import { ManagedProcess, run, waitFor } from './processes';
import { NodeTaint } from '../../lib';

/** How long the node may take to register and become schedulable, or a pod to become Ready (a busy 2-core machine). */
const NODE_READY_TIMEOUT_MS = 120_000;

/** The Unix socket path limit (sun_path) less the NUL. */
const MAX_SOCKET_PATH = 107;

/**
 * Where each running node's name is written with the PID of the run that owns it, so that the next
 * run removes a node whose run was killed before it could stop it.
 */
const OWNERS = '/run/edgefleet-e2e';

/** The namespace of the node's own workloads (CoreDNS). */
const SYSTEM_NAMESPACE = 'kube-system';

/** A pod as `kubectl get pods -o json` has it, with what the scenarios read. */
export interface PodState {
  readonly namespace: string;
  readonly name: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly images: string[];
  readonly restarts: number;
  readonly uid: string;
  readonly runtimeClassName?: string;
  readonly nodeName?: string;
  readonly ip?: string;
  /** When the last of its containers started running (ms since the epoch), or 0 when one is not running. */
  readonly startedAt: number;
}

function podState(pod: any): PodState {
  const statuses: any[] = pod.status?.containerStatuses ?? [];
  return {
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    phase: pod.status?.phase ?? 'Unknown',
    ready: (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
    images: pod.spec.containers.map((c: any) => c.image),
    restarts: statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0),
    uid: pod.metadata.uid,
    runtimeClassName: pod.spec.runtimeClassName,
    nodeName: pod.spec.nodeName,
    ip: pod.status?.podIP,
    startedAt:
      statuses.length > 0 && statuses.every((c) => c.state?.running) ? Math.max(...statuses.map((c) => Date.parse(c.state.running.startedAt))) : 0,
  };
}

/** Where a node keeps its state below `dir` (its disk, its /run, its /var/log). */
function nodePaths(dir: string): NodePaths {
  const state = path.join(dir, 'run');
  const paths = {
    containerdRoot: path.join(dir, 'containerd'),
    containerdState: path.join(state, 'containerd'),
    containerdSocket: path.join(state, 'containerd', 'containerd.sock'),
    kubeletRoot: path.join(dir, 'kubelet'),
    varLog: path.join(dir, 'var', 'log'),
    varLibCni: path.join(dir, 'var', 'lib', 'cni'),
    varLibEdgefleet: path.join(dir, 'var', 'lib', 'edgefleet'),
    cniConfig: path.join(dir, 'etc', 'cni', 'net.d'),
  };
  if (paths.containerdSocket.length > MAX_SOCKET_PATH) {
    throw new Error(
      `containerd's socket path ${paths.containerdSocket} is longer than a Unix socket allows: set EDGEFLEET_E2E_WORK to a shorter folder`,
    );
  }
  return paths;
}

/**
 * A real Kubernetes node for a store: containerd (with the Wasm stand-in behind the `wasmedge`
 * handler), kubelet, kube-proxy (iptables), kube-scheduler and CoreDNS, in a network namespace with
 * no route out (NodeNetwork) and a mount namespace of their own, where the node's /var/log and
 * /var/lib/cni are folders of the scenario. Every process of the node, containers included, is in
 * its cgroup (NodeCgroup) and is stopped by PID; its mounts go with its mount namespace, its packet
 * filter and links with its network namespace. The control plane runs on the host and listens on
 * the host's end of the node's link.
 */
export class RealNode {
  /**
   * Creates the node's namespaces and cgroup and checks that nothing can leave the machine from it;
   * start the control plane at {@link controlPlaneNetwork}, then {@link start} the node.
   */
  public static prepare(dir: string, name: string, taints: NodeTaint[]): RealNode {
    const paths = nodePaths(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    const network = NodeNetwork.create();
    fs.mkdirSync(OWNERS, { recursive: true });
    fs.writeFileSync(path.join(OWNERS, network.name), String(process.pid));
    try {
      network.assertIsolated();
      return new RealNode(dir, name, taints, paths, network, NodeCgroup.create(network.name));
    } catch (e) {
      network.delete();
      fs.rmSync(path.join(OWNERS, network.name), { force: true });
      throw e;
    }
  }

  /**
   * Removes every node whose run no longer exists (killed before it could stop its node): its
   * processes by PID, its cgroups, its namespaces. Returns their names.
   */
  public static removeAbandoned(): string[] {
    const abandoned = (fs.existsSync(OWNERS) ? fs.readdirSync(OWNERS) : []).filter(
      (name) => !isRunning(Number(fs.readFileSync(path.join(OWNERS, name), 'utf8'))),
    );
    for (const name of abandoned) {
      NodeCgroup.existing(name).killAllNow();
      NodeNetwork.existing(name).delete();
      fs.rmSync(path.join(OWNERS, name), { force: true });
    }
    return abandoned;
  }

  /** The node's own images, loaded when it first starts. */
  public images?: NodeImages;
  private plane?: ControlPlane;
  private holder?: ManagedProcess;
  private processes: ManagedProcess[] = [];
  private boots = 0;
  private readonly onExit: () => void;

  private constructor(
    public readonly dir: string,
    public readonly name: string,
    private readonly taints: NodeTaint[],
    public readonly paths: NodePaths,
    public readonly network: NodeNetwork,
    private readonly cgroup: NodeCgroup,
  ) {
    this.onExit = () => this.stopNow();
    process.on('exit', this.onExit);
  }

  /** Where the control plane must listen for the node and its pods to reach it. */
  public get controlPlaneNetwork(): ControlPlaneNetwork {
    const { host, serviceCidr, apiServiceIp } = this.network.addresses;
    return { address: host, serviceCidr, apiServiceIp };
  }

  /** A kubectl of the node's control plane. */
  public get kubectl(): Kubectl {
    if (!this.plane) throw new Error('the node has not started');
    return this.plane.kubectl;
  }

  /**
   * Starts the node against `plane` for the first time: writes its configuration, starts its
   * processes, loads its own images (pause, CoreDNS), waits until the node is Ready and schedulable,
   * then deploys CoreDNS and waits until it is Ready. Returns the seconds each step took.
   */
  public async start(plane: ControlPlane): Promise<Record<string, number>> {
    const seconds = timer();
    this.plane = plane;
    this.writeConfiguration(plane);
    await this.startProcesses();
    const started = seconds();
    const { images, tarballs } = nodeImageTarballs(path.join(this.dir, 'node-images'));
    this.images = images;
    this.importImages(tarballs);
    await this.waitUntilSchedulable();
    const schedulable = seconds();
    this.kubectl.apply({
      yaml: coreDnsObjects(images.coredns, this.network.addresses.dnsServiceIp)
        .map((o) => JSON.stringify(o))
        .join('\n'),
    });
    await this.waitForPods(SYSTEM_NAMESPACE, 1);
    return { 'node programs started (s)': started, 'node Ready and schedulable (s)': schedulable, 'node up, CoreDNS Ready (s)': seconds() };
  }

  /** `ctr -n k8s.io images import` of each tarball: how a store loads images without a registry. */
  public importImages(tarballs: string[]): void {
    for (const tarball of tarballs) this.ctr(['images', 'import', tarball]);
  }

  /** The images containerd holds for Kubernetes (namespace k8s.io), by name. */
  public imageNames(): string[] {
    return this.ctr(['images', 'list', '--quiet'])
      .split('\n')
      .filter((l) => l && !l.startsWith('sha256:'))
      .sort();
  }

  /** How many images containerd was asked to pull (its CRI logs every PullImage request), over every start of the node. */
  public pullRequests(): number {
    return this.logsOf('containerd').reduce((sum, log) => sum + (fs.readFileSync(log, 'utf8').match(/PullImage /g) ?? []).length, 0);
  }

  /**
   * The pods of `namespace` (every namespace when undefined) that run for good: not those of Jobs, which
   * come and go on their own schedule (the VM restarter's CronJob runs every 15 minutes in its window).
   */
  public pods(namespace?: string): PodState[] {
    return this.kubectl
      .list('pods', namespace)
      .filter((pod) => !(pod.metadata.ownerReferences ?? []).some((owner: any) => owner.kind === 'Job'))
      .map(podState);
  }

  /** Waits until `namespace` has `count` pods, all Running and Ready on this node; returns them. */
  public async waitForPods(
    namespace: string,
    count: number,
    timeoutMs = NODE_READY_TIMEOUT_MS,
    accept: (pod: PodState) => boolean = () => true,
  ): Promise<PodState[]> {
    return waitFor(
      `${count} pods Running and Ready in ${namespace}`,
      () => {
        this.failIfDead();
        const pods = this.pods(namespace);
        const ready = pods.filter((p) => p.phase === 'Running' && p.ready && p.nodeName === this.name && accept(p));
        if (ready.length === count && pods.length === count) return ready;
        throw new Error(
          pods.map((p) => `${p.name}: ${p.phase}${p.ready ? ', Ready' : ''}${accept(p) ? '' : ' (not yet the expected pod)'}`).join('; ') ||
            'no pods',
        );
      },
      timeoutMs,
      250,
    );
  }

  /**
   * A reboot of the store node, without its control plane: every process of the node (containerd,
   * its shims and every container, kubelet, kube-proxy, the scheduler) stopped with SIGTERM, then
   * SIGKILL; its /run, mounts and packet filter gone; then started again from its disk (containerd's
   * images, kubelet's folder). Resolves once its processes are started.
   */
  public async reboot(): Promise<void> {
    await this.stopProcesses();
    fs.rmSync(path.dirname(this.paths.containerdState), { recursive: true, force: true });
    this.network.resetAsAfterReboot();
    await this.startProcesses();
  }

  /** The command names of a pod's processes (its sandbox's and its containers'), from its cgroup. */
  public podCommands(pod: PodState): string[] {
    return this.cgroup.pidsOfPod(pod.uid).map(commandOf).sort();
  }

  /** The node's own programs (containerd's shims together) and each running pod, as groups of processes to measure. */
  public usageGroups(): { name: string; pids: () => number[] }[] {
    const own = (names: string[]) => () =>
      this.cgroup
        .ownProcesses()
        .filter((p) => names.includes(p.command))
        .map((p) => p.pid);
    return [
      { name: 'containerd', pids: own(['containerd']) },
      { name: 'containerd shims', pids: own(['containerd-shim', 'containerd-shim-runc-v2']) },
      { name: 'kubelet', pids: own(['kubelet']) },
      { name: 'kube-proxy', pids: own(['kube-proxy']) },
      { name: 'kube-scheduler', pids: own(['kube-scheduler']) },
      ...this.pods()
        .filter((p) => p.phase === 'Running')
        .map((p) => ({ name: `pod ${p.namespace}/${p.name}`, pids: () => this.cgroup.pidsOfPod(p.uid) })),
    ];
  }

  /** Stops the node: every process by PID, then its cgroup and namespaces are removed. */
  public async stop(): Promise<void> {
    try {
      await this.stopProcesses();
      await this.cgroup.remove();
    } finally {
      this.network.delete();
      fs.rmSync(path.join(OWNERS, this.network.name), { force: true });
      process.off('exit', this.onExit);
    }
  }

  /** Throws with a process's last log lines when one of the node's programs has exited. */
  public failIfDead(): void {
    const dead = this.processes.find((p) => !p.alive);
    if (dead) throw new Error(`${dead.name} exited:\n${dead.tail()}`);
  }

  /** The last log lines of the node's programs, for failure messages. */
  public tail(lines = 20): string {
    return this.processes.map((p) => `--- ${p.name} (${p.logFile})\n${p.tail(lines)}`).join('\n');
  }

  private writeConfiguration(plane: ControlPlane): void {
    const file = (name: string, content: string) => {
      const target = path.join(this.dir, 'config', name);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
      return target;
    };
    for (const folder of [this.paths.varLog, this.paths.varLibCni, this.paths.varLibEdgefleet, this.paths.cniConfig, this.paths.kubeletRoot]) {
      fs.mkdirSync(folder, { recursive: true });
    }
    fs.writeFileSync(path.join(this.paths.cniConfig, '10-edgefleet-e2e.conflist'), cniConfig(this.network.addresses, this.paths));
    const bin = binaries();
    file('containerd.toml', containerdConfig(this.paths, `registry.k8s.io/pause:${bin.node.pauseVersion}`, bin.node.wasmRunc));
    file('resolv.conf', '# The node has no route out of the machine: no upstream resolver.\n');
    file(
      'kubelet.yaml',
      kubeletConfig(this.network.addresses, this.paths, {
        cgroupRoot: `/${this.cgroup.name}`,
        caCert: plane.pki.caCert,
        resolvConf: path.join(this.dir, 'config', 'resolv.conf'),
        taints: this.taints,
      }),
    );
    file('kube-proxy.yaml', kubeProxyConfig(this.network.addresses, plane.kubeconfig, this.name));
  }

  /** Starts the mount namespace's holder, then containerd, kubelet, kube-proxy and the scheduler in the node's namespaces. */
  private async startProcesses(): Promise<void> {
    const bin = binaries();
    const plane = this.plane!;
    const config = (name: string) => path.join(this.dir, 'config', name);
    this.boots += 1;
    // The holder makes the node's mount namespace and keeps it alive: the node's /var/log,
    // /var/lib/cni and /var/lib/edgefleet (the agents' buffers) are the scenario's folders there,
    // and every mount the node makes stays in it.
    for (const folder of ['/var/lib/cni', '/var/lib/edgefleet']) fs.mkdirSync(folder, { recursive: true });
    this.holder = this.spawnInNode(
      'node namespaces',
      'unshare',
      [
        '--mount',
        '--propagation',
        'slave',
        '--',
        'sh',
        '-c',
        'mount --bind "$0" /var/log && mount --bind "$1" /var/lib/cni && mount --bind "$2" /var/lib/edgefleet && exec sleep infinity',
        this.paths.varLog,
        this.paths.varLibCni,
        this.paths.varLibEdgefleet,
      ],
      false,
    );
    this.processes = [this.holder];
    await waitFor('the node mount namespace', () => (commandOf(this.holder!.pid!) === 'sleep' ? true : this.failIfDead()), 10_000, 50);

    this.processes.push(this.spawnInNode('containerd', 'containerd', ['--config', config('containerd.toml')]));
    await waitFor(
      'containerd',
      () => (spawnSync('ctr', ['--address', this.paths.containerdSocket, 'version']).status === 0 ? true : this.failIfDead()),
      30_000,
      100,
    );
    this.processes.push(
      this.spawnInNode('kubelet', bin.kubelet, [
        '--config',
        config('kubelet.yaml'),
        '--kubeconfig',
        plane.kubeconfig,
        '--root-dir',
        this.paths.kubeletRoot,
        '--node-ip',
        this.network.addresses.node,
        '--hostname-override',
        this.name,
        '--v=1',
      ]),
      this.spawnInNode('kube-proxy', bin.kubeProxy, ['--config', config('kube-proxy.yaml'), '--v=1']),
      this.spawnInNode('kube-scheduler', bin.kubeScheduler, [
        '--kubeconfig',
        plane.kubeconfig,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        '--v=1',
      ]),
    );
  }

  /**
   * Starts a program in the node's cgroup and network namespace, and (once the holder runs) in its
   * mount namespace: `sh` joins the cgroup, then execs nsenter, which execs the program, so the PID
   * is the program's.
   */
  private spawnInNode(name: string, command: string, args: string[], inMountNamespace = true): ManagedProcess {
    const mount = inMountNamespace ? [`--mount=/proc/${this.holder!.pid}/ns/mnt`] : [];
    return new ManagedProcess(
      name,
      'sh',
      ['-c', 'echo $$ >"$0" && exec "$@"', this.cgroup.procsFile, 'nsenter', `--net=${this.network.path}`, ...mount, '--', command, ...args],
      path.join(this.dir, 'logs', `${name.replace(/ /g, '-')}-${this.boots}.log`),
    );
  }

  private async waitUntilSchedulable(): Promise<void> {
    await waitFor(
      `node ${this.name} Ready and schedulable`,
      () => {
        this.failIfDead();
        const node = this.kubectl.get('node', this.name);
        const ready = node?.status?.conditions?.find((c: any) => c.type === 'Ready');
        const systemTaints = (node?.spec?.taints ?? []).filter((t: any) => t.key.startsWith('node.kubernetes.io/'));
        if (ready?.status === 'True' && systemTaints.length === 0) return true;
        throw new Error(
          node ? `Ready ${ready?.status} (${ready?.message}), taints ${systemTaints.map((t: any) => t.key).join(', ')}` : 'not registered',
        );
      },
      NODE_READY_TIMEOUT_MS,
      250,
    ).catch((e) => {
      throw new Error(`${e.message}\n${this.tail()}`);
    });
  }

  /** Stops the node's programs in the reverse order of their start, then every process left in its cgroup (shims, containers, the holder). */
  private async stopProcesses(): Promise<void> {
    for (const p of [...this.processes].reverse().filter((q) => q !== this.holder)) await p.stop();
    await this.cgroup.stopAll();
    this.processes = [];
    this.holder = undefined;
  }

  private ctr(args: string[]): string {
    return run('ctr', ['--address', this.paths.containerdSocket, '--namespace', 'k8s.io', ...args]);
  }

  private logsOf(name: string): string[] {
    const logs = path.join(this.dir, 'logs');
    return fs.existsSync(logs)
      ? fs
          .readdirSync(logs)
          .filter((f) => f.startsWith(`${name}-`))
          .map((f) => path.join(logs, f))
      : [];
  }

  /** At the suite's exit, if the node was not stopped: every process killed, the cgroup and namespace removed, synchronously. */
  private stopNow(): void {
    this.cgroup.killAllNow();
    this.network.delete();
    fs.rmSync(path.join(OWNERS, this.network.name), { force: true });
  }
}

/** Seconds since the timer was made, each time it is called. */
function timer(): () => number {
  const started = Date.now();
  return () => (Date.now() - started) / 1000;
}

/** Whether a process of that PID exists. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
