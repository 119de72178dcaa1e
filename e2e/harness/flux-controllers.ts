import * as fs from 'fs';
import * as path from 'path';
import { binaries } from './binaries';
import { Kubectl } from './kubectl';
import { ManagedProcess, freePort } from './processes';

/** Namespace of the Flux controllers and of bootstrap's objects. */
export const FLUX_NAMESPACE = 'flux-system';

/** The controllers the suite runs, by their Deployment names in gotk-components.yaml. */
const CONTROLLERS = ['source-controller', 'kustomize-controller'] as const;

/**
 * Flags of the controllers' Deployments that only make sense in a pod (addresses, paths, leader
 * election, log format): the suite sets its own. Every other flag, including those that the store's
 * bootstrap patches add, is passed on, so the local processes behave as the store's pods would.
 */
const POD_ONLY_FLAGS = [
  '--storage-path',
  '--storage-addr',
  '--storage-adv-addr',
  '--metrics-addr',
  '--health-addr',
  '--events-addr',
  '--enable-leader-election',
  '--log-encoding',
  '--log-level',
];

/**
 * Flux's source-controller and kustomize-controller as local processes against a store's API
 * server, with the arguments of their Deployments there. source-controller keeps its artifacts in
 * `<dir>/artifacts`, which outlives a restart as the store's persistent artifact claim does, and
 * serves them on the same port after a restart.
 */
export class FluxControllers {
  /** Starts both controllers with their state in `dir`, reading their flags from their Deployments. */
  public static async start(dir: string, kubeconfig: string): Promise<FluxControllers> {
    const kubectl = new Kubectl(kubeconfig);
    const args = Object.fromEntries(CONTROLLERS.map((name) => [name, deploymentFlags(kubectl, name)])) as Record<
      (typeof CONTROLLERS)[number],
      string[]
    >;
    const ports = { storage: await freePort(), sourceHealth: await freePort(), kustomizeHealth: await freePort() };
    const flux = new FluxControllers(dir, kubeconfig, ports, args);
    flux.launch();
    return flux;
  }

  private processes: ManagedProcess[] = [];
  private starts = 0;

  private constructor(
    private readonly dir: string,
    private readonly kubeconfig: string,
    private readonly ports: { storage: number; sourceHealth: number; kustomizeHealth: number },
    /** The flags each controller's Deployment gives it, pod-only flags left out. */
    public readonly args: Record<(typeof CONTROLLERS)[number], string[]>,
  ) {}

  /** The processes running now, for measurements. */
  public get running(): readonly ManagedProcess[] {
    return this.processes.filter((p) => p.alive);
  }

  /** Stops both controllers, as a store reboot or a pod eviction would. */
  public async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    this.processes = [];
  }

  /** Stops and starts both controllers: their caches and retry state are gone, the artifact storage stays. */
  public async restart(): Promise<void> {
    await this.stop();
    this.launch();
  }

  /** Where source-controller keeps its artifacts (a GitRepository's `status.artifact.path` is relative to it). */
  public get artifactStorage(): string {
    return path.join(this.dir, 'artifacts');
  }

  /** The controllers' last log lines, for failure messages. */
  public tail(lines = 40): string {
    return this.processes.map((p) => `--- ${p.name} (${p.logFile})\n${p.tail(lines)}`).join('\n');
  }

  private launch(): void {
    const bin = binaries();
    const env = { KUBECONFIG: this.kubeconfig, RUNTIME_NAMESPACE: FLUX_NAMESPACE };
    const log = (name: string) => path.join(this.dir, 'logs', `${name}-${this.starts}.log`);
    const local = ['--log-encoding=console', '--log-level=debug', '--metrics-addr=127.0.0.1:0'];
    const storage = `127.0.0.1:${this.ports.storage}`;
    const artifacts = path.join(this.dir, 'artifacts');
    fs.mkdirSync(artifacts, { recursive: true });
    this.processes = [
      new ManagedProcess(
        'source-controller',
        bin.sourceController,
        [
          ...this.args['source-controller'],
          ...local,
          `--health-addr=127.0.0.1:${this.ports.sourceHealth}`,
          `--storage-path=${artifacts}`,
          `--storage-addr=${storage}`,
          `--storage-adv-addr=${storage}`,
        ],
        log('source-controller'),
        env,
      ),
      new ManagedProcess(
        'kustomize-controller',
        bin.kustomizeController,
        [...this.args['kustomize-controller'], ...local, `--health-addr=127.0.0.1:${this.ports.kustomizeHealth}`],
        log('kustomize-controller'),
        env,
      ),
    ];
    this.starts += 1;
  }
}

/** The flags of a controller's Deployment in flux-system, pod-only flags left out. */
function deploymentFlags(kubectl: Kubectl, name: string): string[] {
  const deployment = kubectl.get('deployment', name, FLUX_NAMESPACE);
  if (!deployment) throw new Error(`no Deployment ${name} in ${FLUX_NAMESPACE}: was the store bootstrapped?`);
  const manager = deployment.spec.template.spec.containers.find((c: any) => c.name === 'manager') ?? deployment.spec.template.spec.containers[0];
  return (manager.args ?? []).filter((arg: string) => !POD_ONLY_FLAGS.includes(arg.split('=')[0]));
}
