import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { binaries } from './binaries';
import { ControlPlane } from './control-plane';
import { FLUX_NAMESPACE, FluxControllers } from './flux-controllers';
import { Kubectl } from './kubectl';
import { waitFor } from './processes';
import { RealNode } from './real-node';
import { ResolvedNodeProfile } from '../../lib';
import { packageRoot } from '../../lib/util/package-root';

/** Where the upstream KubeVirt and CDI CRDs are: ../shared/crds beside the checkout, or $EDGEFLEET_SHARED/crds. */
function sharedCrds(): string {
  const shared = process.env.EDGEFLEET_SHARED ?? path.resolve(packageRoot(__dirname), '..', 'shared');
  const crds = path.join(shared, 'crds');
  if (!fs.existsSync(path.join(crds, 'kubevirt'))) {
    throw new Error(
      `the end-to-end suite installs the upstream KubeVirt and CDI CRDs from ${crds}, which does not exist (put the shared folder beside the ` +
        `checkout, or set EDGEFLEET_SHARED)`,
    );
  }
  return crds;
}

/** The kinds of a store's `flux-system` source. */
export type FluxSourceKind = 'GitRepository' | 'OCIRepository';

/** The resource of each Flux kind the suite reads. */
const FLUX_RESOURCES: Record<FluxSourceKind | 'Kustomization', string> = {
  GitRepository: 'gitrepositories.source.toolkit.fluxcd.io',
  OCIRepository: 'ocirepositories.source.toolkit.fluxcd.io',
  Kustomization: 'kustomizations.kustomize.toolkit.fluxcd.io',
};

/** The Ready condition and revisions of a Flux object, as its controller reports them. */
export interface FluxStatus {
  readonly ready: boolean;
  readonly reason?: string;
  readonly message?: string;
  /** A source: the revision of its artifact; Kustomization: the last revision it applied. */
  readonly revision?: string;
  readonly observedCurrent: boolean;
}

/** What the store's node profile says the store image provides before Flux's first sync. */
export type StoreNode = Pick<ResolvedNodeProfile, 'runtimeClasses' | 'runtimeClassSource' | 'localStorageClass' | 'kubevirtNamespace'>;

/**
 * What a store has before Flux's first sync: the Flux, KubeVirt and CDI CRDs (and Rancher Fleet's,
 * for a management cluster), KubeVirt's namespace (made by its operator's install), and what K3s
 * provides: the local-path StorageClass and, where K3s creates them, the node's RuntimeClasses.
 */
export function installStorePlatform(kubectl: Kubectl, node: StoreNode, crdGroups: string[] = ['kubevirt', 'cdi']): void {
  const crds = sharedCrds();
  const files = [
    ...binaries().fluxCrds,
    ...crdGroups.flatMap((dir) =>
      fs
        .readdirSync(path.join(crds, dir))
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((f) => path.join(crds, dir, f)),
    ),
  ];
  for (const file of files) kubectl.apply({ file });
  kubectl.run(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
  const k3sRuntimeClasses = node.runtimeClassSource === 'k3s' ? node.runtimeClasses : [];
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: node.kubevirtNamespace } },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: node.localStorageClass },
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    },
    ...k3sRuntimeClasses.map((name) => ({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name }, handler: name })),
  ];
  kubectl.apply({ yaml: objects.map((o) => JSON.stringify(o)).join('\n') });
}

/**
 * A ResourceQuota of no pods in flux-system: the suite runs Flux's controllers as processes, standing
 * in for the pods of their Deployments, which must not start a second copy on a real node.
 */
const NO_FLUX_PODS = {
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { name: 'e2e-flux-runs-as-processes', namespace: FLUX_NAMESPACE },
  spec: { hard: { pods: '0' } },
};

/**
 * One store as the suite sees it: a real control plane with what K3s and the store image provide
 * (the local-path StorageClass, the node's RuntimeClasses), the KubeVirt, CDI and Flux CRDs, and
 * Flux's controllers, bootstrapped from the store's folder of the fleet repository; optionally a real
 * node (RealNode) on which the store's pods run.
 */
export class StoreCluster {
  /**
   * Starts a store's control plane with what its node provides, its state in `dir`, and with
   * `realNode` the store's node registered as `storeId` with the profile's taints; Flux starts at
   * {@link bootstrap}. What started is stopped again if a later step fails.
   */
  public static async start(dir: string, storeId: string, profile: ResolvedNodeProfile, options: { realNode?: boolean } = {}): Promise<StoreCluster> {
    const node = options.realNode ? RealNode.prepare(path.join(dir, 'node'), storeId, profile.taints) : undefined;
    let plane: ControlPlane | undefined;
    try {
      plane = await ControlPlane.start(path.join(dir, 'control-plane'), node?.controlPlaneNetwork);
      const nodeFigures = await node?.start(plane);
      installStorePlatform(plane.kubectl, profile);
      return new StoreCluster(dir, storeId, plane, node, nodeFigures ?? {});
    } catch (e) {
      await node?.stop();
      await plane?.stop();
      throw e;
    }
  }

  private controllers?: FluxControllers;
  /** The kind of the store's `flux-system` source: a GitRepository, or an OCIRepository for a store on OCI. */
  private sourceKind: FluxSourceKind = 'GitRepository';

  private constructor(
    private readonly dir: string,
    public readonly storeId: string,
    public readonly plane: ControlPlane,
    private readonly realNode: RealNode | undefined,
    /** How long the real node's start took, step by step (seconds). */
    public readonly nodeFigures: Record<string, number>,
  ) {}

  /** The store's real node, when it has one. */
  public get node(): RealNode {
    if (!this.realNode) throw new Error(`store ${this.storeId} has no real node`);
    return this.realNode;
  }

  /** The store's Flux controllers, once bootstrapped. */
  public get flux(): FluxControllers {
    if (!this.controllers) throw new Error(`store ${this.storeId} is not bootstrapped`);
    return this.controllers;
  }

  public get kubectl(): Kubectl {
    return this.plane.kubectl;
  }

  /**
   * `flux bootstrap`'s last steps: apply the store's flux-system folder (the Flux components with our
   * patches, and the sync objects) from the tree bootstrap committed (`dist`), then start the
   * controllers as their Deployments say.
   */
  public async bootstrap(dist: string, source: FluxSourceKind = 'GitRepository'): Promise<void> {
    this.sourceKind = source;
    if (this.realNode) {
      this.kubectl.apply({
        yaml: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: FLUX_NAMESPACE } }, NO_FLUX_PODS].map((o) => JSON.stringify(o)).join('\n'),
      });
    }
    this.kubectl.apply({ kustomize: path.join(dist, 'clusters', this.storeId, 'flux-system') });
    this.controllers = await FluxControllers.start(path.join(this.dir, 'flux'), this.plane.kubeconfig);
  }

  /** The status of a Flux object in flux-system, or undefined when it does not exist. */
  public fluxStatus(kind: FluxSourceKind | 'Kustomization', name: string): FluxStatus | undefined {
    const o = this.kubectl.get(FLUX_RESOURCES[kind], name, FLUX_NAMESPACE);
    if (!o) return undefined;
    const ready = (o.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
    return {
      ready: ready?.status === 'True',
      reason: ready?.reason,
      message: ready?.message,
      revision: kind === 'Kustomization' ? o.status?.lastAppliedRevision : o.status?.artifact?.revision,
      observedCurrent: o.status?.observedGeneration === o.metadata.generation,
    };
  }

  /** The files (not the folders) of the artifact that the store's source-controller made from its last fetch of its `flux-system` source. */
  public sourceArtifactFiles(): string[] {
    const source = this.kubectl.get(FLUX_RESOURCES[this.sourceKind], FLUX_NAMESPACE, FLUX_NAMESPACE);
    const tarball = path.join(this.flux.artifactStorage, source.status.artifact.path);
    const listing = spawnSync('tar', ['-tvzf', tarball], { encoding: 'utf8' });
    if (listing.status !== 0) throw new Error(`tar -tvzf ${tarball}: ${listing.stderr}`);
    return listing.stdout
      .split('\n')
      .filter((line) => line.startsWith('-'))
      .map((line) => line.split(/\s+/).pop()!)
      .sort();
  }

  /** Waits until every named Kustomization is Ready having applied `commit`; returns the seconds it took. */
  public async waitForApplied(commit: string, kustomizations: string[], timeoutMs: number): Promise<number> {
    const started = Date.now();
    await waitFor(
      `Kustomizations ${kustomizations.join(', ')} Ready at ${commit.slice(0, 8)}`,
      () => {
        this.plane.failIfDead();
        const statuses = kustomizations.map((k) => [k, this.fluxStatus('Kustomization', k)] as const);
        const pending = statuses.filter(([, s]) => !(s?.ready && s.observedCurrent && s.revision?.endsWith(commit)));
        if (pending.length === 0) return true;
        throw new Error(
          pending
            .map(([k, s]) => `${k}: ${s ? `${s.reason ?? 'no Ready condition'} ${s.message ?? ''} (applied ${s.revision ?? 'nothing'})` : 'absent'}`)
            .join('; '),
        );
      },
      timeoutMs,
    ).catch((e) => {
      throw new Error(`${e.message}\n${this.flux.tail()}`);
    });
    return (Date.now() - started) / 1000;
  }

  /** Asks the store's source and Kustomizations to reconcile now, as `flux reconcile` does; returns each Kustomization's request token. */
  public requestReconcile(kustomizations: string[]): Map<string, string> {
    this.kubectl.requestReconcile(FLUX_RESOURCES[this.sourceKind], FLUX_NAMESPACE, FLUX_NAMESPACE);
    return new Map(kustomizations.map((k) => [k, this.kubectl.requestReconcile('kustomizations.kustomize.toolkit.fluxcd.io', k, FLUX_NAMESPACE)]));
  }

  /** Stops Flux, the node and the control plane (each, whatever the others do). */
  public async stop(): Promise<void> {
    try {
      await this.controllers?.stop();
      await this.realNode?.stop();
    } finally {
      await this.plane.stop();
    }
  }
}
