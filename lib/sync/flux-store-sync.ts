import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { FluxOciSource } from './flux-oci-source';
import { gitRepositoryPatch } from './git-repository-patch';
import { WORKLOADS_APPLIER, WorkloadsAccess } from './workloads-access';
import {
  Kustomization,
  KustomizationSpecDeletionPolicy,
  KustomizationSpecSourceRefKind,
} from '../../imports/flux-kustomize-kustomize.toolkit.fluxcd.io';
import { IEdgeStore } from '../model/contract';
import { FLUX_BOOTSTRAP_FILES, FLUX_SYNC_FILE, FLUX_SYSTEM, storeFolderInRepository } from '../model/dist-layout';
import { ManifestFile } from '../model/manifest-file';
import { OCI_SYNC_FILE } from '../model/oci-artifacts';
import { podPlacement } from '../model/pod-placement';
import { STORE_LAYERS, StoreLayer } from '../model/store-layer';
import { KEEP_ANNOTATIONS } from '../policies/keep-annotations';
import { layerDecryption } from '../secrets/encrypted-secret';
import { compareStrings } from '../util/compare-strings';
import { yamlText } from '../util/yaml-text';

/**
 * The claim that keeps source-controller's artifacts (`/data`) across restarts. Its default emptyDir
 * loses them, so a store that reboots while offline has nothing to apply until Git is back
 * (fluxcd/source-controller#936, fluxcd/flux2#2072).
 */
export const ARTIFACT_CLAIM = 'source-controller-data';

/**
 * How long one layer may take to apply and become ready, and how soon a failed apply is retried.
 * Retries are local (the artifact is cached in the store), so they cost no WAN traffic.
 */
const LAYER_TIMING: Record<StoreLayer, { timeout: string; retryInterval: string; wait: boolean; serviceAccountName?: string }> = {
  // Waited for, so that workloads never start before their namespace and prerequisites exist. Applied
  // as Flux's own controller: it creates namespaces, cluster-scoped platform objects and the RBAC below.
  infrastructure: { timeout: '2m', retryInterval: '1m', wait: true },
  // Not waited for: a VM importing its disk may take long, and must not hold back the rest. Applied as
  // a ServiceAccount that may write only the kinds of this layer, in its namespaces (see WorkloadsAccess).
  workloads: { timeout: '10m', retryInterval: '2m', wait: false, serviceAccountName: WORKLOADS_APPLIER },
};

/**
 * What a store's Flux reconciles, in `dist/clusters/<id>/`: one Kustomization per store layer
 * (workloads depend on infrastructure, and are applied with least privilege: see
 * {@link WorkloadsAccess}), a `kustomization.yaml` that lists exactly these files (so that Flux applies
 * nothing else that lands in the folder), and a patch of bootstrap's `flux-system` GitRepository so
 * that it polls at the store's interval and follows its source (see {@link gitRepositoryPatch}) or,
 * for a store on OCI, the store's own OCIRepository in place of bootstrap's (see {@link FluxOciSource}).
 */
export class FluxStoreSync extends Construct {
  constructor(store: IEdgeStore, id: string) {
    super(store, id);
    let previous: StoreLayer | undefined;
    for (const layer of STORE_LAYERS) {
      this.layerKustomization(store, layer, previous);
      previous = layer;
    }
    new WorkloadsAccess(store, 'WorkloadsAccess');
    const root = new ManifestFile(this, 'Kustomization', { tree: 'clusters', path: 'kustomization.yaml', kustomizeResource: false });
    root.addDocument({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['flux-system', ...STORE_LAYERS.map((layer) => `${layer}.yaml`), 'workloads-applier.yaml'].sort(compareStrings),
    });
    const bootstrap = new ManifestFile(this, 'Bootstrap', { tree: 'clusters', path: 'flux-system/kustomization.yaml' });
    bootstrap.addDocument(bootstrapKustomization(store));
    if (store.sync.source === 'oci') new FluxOciSource(store, 'OciSource');
    const artifacts = new ManifestFile(this, 'ArtifactStorage', { tree: 'clusters', path: `flux-system/${ARTIFACT_CLAIM}.yaml` });
    new k8s.KubePersistentVolumeClaim(artifacts, 'Resource', {
      metadata: { name: ARTIFACT_CLAIM, namespace: FLUX_SYSTEM, annotations: KEEP_ANNOTATIONS },
      spec: {
        storageClassName: store.nodeProfile.localStorageClass,
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: k8s.Quantity.fromString('1Gi') } },
      },
    });
    bootstrapPlaceholders(store).forEach((path) => new ManifestFile(this, path, { tree: 'clusters', path }));
  }

  private layerKustomization(store: IEdgeStore, layer: StoreLayer, dependsOn: StoreLayer | undefined): void {
    const file = new ManifestFile(this, layer, { tree: 'clusters', path: `${layer}.yaml` });
    const timing = LAYER_TIMING[layer];
    new Kustomization(file, 'Resource', {
      metadata: { name: kustomizationName(layer), namespace: FLUX_SYSTEM },
      spec: {
        interval: store.sync.interval,
        retryInterval: timing.retryInterval,
        timeout: timing.timeout,
        wait: timing.wait,
        serviceAccountName: timing.serviceAccountName,
        prune: true,
        // Deleting the Kustomization (the store removed from the fleet, a layer renamed) leaves what it
        // applied running: the store keeps what it last pulled. Objects removed from Git are still pruned.
        deletionPolicy: KustomizationSpecDeletionPolicy.ORPHAN,
        suspend: store.sync.autoSync ? undefined : true,
        path: `./${storeFolderInRepository(store.fleet.repository.path, store.id)}/${layer}`,
        sourceRef: { kind: sourceKind(store), name: FLUX_SYSTEM },
        dependsOn: dependsOn ? [{ name: kustomizationName(dependsOn) }] : undefined,
        // Decided once the store's EncryptedSecrets are added, after this construct.
        decryption: Lazy.any({ produce: () => layerDecryption(store, layer) }),
      },
    });
  }
}

function sourceKind(store: IEdgeStore): KustomizationSpecSourceRefKind {
  return store.sync.source === 'oci' ? KustomizationSpecSourceRefKind.OCI_REPOSITORY : KustomizationSpecSourceRefKind.GIT_REPOSITORY;
}

/** The files `flux bootstrap` fills in; on OCI only `gotk-components.yaml`, since synth writes the source ({@link FluxOciSource}). */
function bootstrapPlaceholders(store: IEdgeStore): string[] {
  return store.sync.source === 'oci' ? FLUX_BOOTSTRAP_FILES.filter((path) => path !== FLUX_SYNC_FILE) : FLUX_BOOTSTRAP_FILES;
}

function kustomizationName(layer: StoreLayer): string {
  return `edgefleet-${layer}`;
}

/**
 * The kustomization.yaml of `flux-system/`, which `flux bootstrap` keeps and builds with its own
 * manifests (fluxcd/flux2#1300): it sets the poll interval and the branch of the store's
 * GitRepository (its store branch, or the fleet's branch with an artifact of only its folders).
 */
function bootstrapKustomization(store: IEdgeStore): object {
  const persistentArtifacts = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'source-controller', namespace: FLUX_SYSTEM },
    spec: { template: { spec: { volumes: [{ name: 'data', emptyDir: null, persistentVolumeClaim: { claimName: ARTIFACT_CLAIM } }] } } },
  };
  // After a failed fetch source-controller retries with exponential backoff up to 15 minutes
  // (fluxcd/pkg runtime/controller rate_limiter.go): capped at the interval, a store that was
  // offline for hours notices the link is back within one interval.
  const retryWithinInterval = [{ op: 'add', path: '/spec/template/spec/containers/0/args/-', value: `--max-retry-delay=${store.sync.interval}` }];
  // Flux's controllers are the store's first pods: on a tainted node they must tolerate its taints
  // like every other workload, or nothing of the store is ever applied. gotk-components.yaml holds
  // only Flux's Deployments, so the patch targets them all, whatever controllers bootstrap installs.
  const toleratesNodeTaints = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'flux-controllers' },
    spec: { template: { spec: { tolerations: podPlacement(store.nodeProfile).tolerations } } },
  };
  const sourceController = { kind: 'Deployment', name: 'source-controller' };
  const onOci = store.sync.source === 'oci';
  const syncFiles = onOci ? [...bootstrapPlaceholders(store), OCI_SYNC_FILE] : FLUX_BOOTSTRAP_FILES;
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [...syncFiles.map((f) => f.replace('flux-system/', '')), `${ARTIFACT_CLAIM}.yaml`],
    patches: [
      ...(onOci ? [] : [{ target: { kind: 'GitRepository', name: FLUX_SYSTEM }, patch: yamlText(gitRepositoryPatch(store)) }]),
      { target: sourceController, patch: yamlText(persistentArtifacts) },
      { target: sourceController, patch: yamlText(retryWithinInterval) },
      { target: { kind: 'Deployment' }, patch: yamlText(toleratesNodeTaints) },
    ],
  };
}
