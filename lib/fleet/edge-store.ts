import { ApiObject, ApiObjectProps, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { EdgeFleet } from './edge-fleet';
import { NodeProfile, ResolvedNodeProfile, resolveNodeProfile } from './node-profile';
import { StoreLayer } from './store-layer';
import { StoreManifests } from '../workloads/store-manifests';
import { ResolvedSyncPolicy, SyncPolicy, resolveSyncPolicy } from './sync-policy';
import { IDescribable, fail, problemAt } from '../errors/edgefleet-error';
import { ManifestFile } from '../output/manifest-file';
import { FluxStoreSync } from '../sync/flux-store-sync';
import { checkDnsLabel, checkLabels } from '../validation/checks';

/** Properties of an {@link EdgeStore}. */
export interface EdgeStoreProps {
  /** Labels of the store (region, city, ring, ...): the handles to vary settings by. @default {} */
  readonly labels?: Record<string, string>;
  /** Overrides of the fleet's node profile, field by field. @default - the fleet's node profile */
  readonly nodeProfile?: NodeProfile;
  /** Overrides of the fleet's sync policy, field by field. @default - the fleet's sync policy */
  readonly sync?: SyncPolicy;
}

/** Label that marks every object edgefleet generates. */
export const MANAGED_BY_LABEL = { 'app.kubernetes.io/managed-by': 'edgefleet' };

/**
 * One store: one single-node K3s cluster with its own folders `dist/stores/<id>/` (what runs there)
 * and `dist/clusters/<id>/` (what its Flux reconciles). Workloads are added as children.
 */
export class EdgeStore extends Chart implements IDescribable {
  /** The store id, an RFC 1123 label such as `store-001`. */
  public readonly id: string;
  /** The fleet this store belongs to. */
  public readonly fleet: EdgeFleet;
  /** Labels of the store (region, city, ring, ...). `labels` holds the labels of every generated object. */
  public readonly storeLabels: Record<string, string>;
  /** The store's node profile, fleet defaults applied. */
  public readonly nodeProfile: ResolvedNodeProfile;
  /** The store's sync policy, fleet defaults applied. */
  public readonly sync: ResolvedSyncPolicy;
  /** Namespace of the store's workloads. */
  public readonly workloadNamespace: string;

  constructor(fleet: EdgeFleet, id: string, props: EdgeStoreProps = {}) {
    checkDnsLabel(fleet, 'store id', id);
    if (fleet.node.tryFindChild(id)) {
      fail(fleet, `store "${id}" is defined twice (each store needs its own id)`);
    }
    super(fleet, id, { disableResourceNameHashes: true, labels: MANAGED_BY_LABEL });
    this.id = id;
    this.fleet = fleet;
    this.storeLabels = checkLabels(this, 'labels', { ...props.labels });
    this.nodeProfile = resolveNodeProfile(this, fleet.nodeProfile, props.nodeProfile);
    this.sync = resolveSyncPolicy(this, fleet.sync, props.sync);
    this.workloadNamespace = fleet.namespace;

    const infrastructure = new ManifestFile(this, 'Namespace', { tree: 'stores', path: 'infrastructure/namespace.yaml' });
    new k8s.KubeNamespace(infrastructure, 'Resource', { metadata: { name: this.workloadNamespace } });
    new FluxStoreSync(this, 'FluxSync');
    this.node.addValidation({ validate: () => this.findDuplicateObjects() });
  }

  /** How the store is named in messages. */
  public get subject(): string {
    return `store "${this.node.id}"`;
  }

  /** Late check: two objects of the same kind, namespace and name in the store folder break `kustomize build`. */
  private findDuplicateObjects(): string[] {
    const fileOf = new Map<string, string>();
    const problems: string[] = [];
    for (const file of this.node.findAll().filter(ManifestFile.isManifestFile).filter((f) => f.tree === 'stores')) {
      for (const o of file.node.findAll().filter(ApiObject.isApiObject)) {
        const key = `${o.kind} "${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.name}"`;
        const first = fileOf.get(key);
        if (first !== undefined) {
          problems.push(problemAt(this, `${key} is generated twice, in ${first} and ${file.path} (rename one of them)`));
        }
        fileOf.set(key, file.path);
      }
    }
    return problems;
  }

  /**
   * Escape hatch: adds Kubernetes objects that no edgefleet construct generates, written to
   * `dist/stores/<id>/<layer>/<id>.yaml`. Give each object its `metadata.name` and, where namespaced, `metadata.namespace`.
   */
  public addManifests(id: string, manifests: ApiObjectProps[], layer: StoreLayer = 'workloads'): StoreManifests {
    return new StoreManifests(this, id, { manifests, layer });
  }
}
