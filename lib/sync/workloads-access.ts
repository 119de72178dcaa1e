import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { problemAt } from '../errors/edgefleet-error';
import { IEdgeStore, MANAGED_BY_LABEL } from '../model/contract';
import { ManifestFile } from '../model/manifest-file';
import { StoreLayer } from '../model/store-layer';
import { KEEP_ANNOTATIONS } from '../policies/keep-annotations';
import { compareStrings } from '../util/compare-strings';
import { renderedJson } from '../util/rendered-json';

/** The ServiceAccount, in flux-system, that a store's workloads Kustomization applies as. */
export const WORKLOADS_APPLIER = 'edgefleet-workloads';

/** Namespace of Flux's controllers and of the applier's ServiceAccount. */
const FLUX_NAMESPACE = 'flux-system';

/**
 * What the applier may do in a namespace of the workloads layer: anything namespaced, there only (Flux's
 * multi-tenancy guide binds a tenant's reconciler the same way). Not the kinds the layer holds now:
 * pruning reads and deletes what the layer's inventory holds from earlier commits, so a Role cut to
 * today's kinds makes removing the last VM or app fail with PruneFailed (found by the e2e suite).
 */
const NAMESPACE_ADMIN_RULES = [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }];

/**
 * Least privilege for what a store's workloads layer applies: its Flux Kustomization impersonates the
 * ServiceAccount `edgefleet-workloads` (in `dist/clusters/<id>/workloads-applier.yaml`), which a Role
 * and RoleBinding in each namespace of the workloads layer (in the infrastructure layer,
 * `infrastructure/workloads-access.yaml`, applied first) allow to apply, prune and read what is in that
 * namespace, and nothing else: no cluster-scoped object, no other namespace. So whoever can merge a
 * workload cannot make it a cluster-admin. The Role and RoleBinding are kept when Git no longer has
 * them, like the Namespace they are in: after a namespace rename the layer must still prune its old
 * objects there. A late check fails synth when the workloads layer holds an object the applier may not
 * write, with the fix.
 */
export class WorkloadsAccess extends Construct {
  constructor(
    private readonly store: IEdgeStore,
    id: string,
  ) {
    super(store, id);
    const applier = new ManifestFile(this, 'Applier', { tree: 'clusters', path: 'workloads-applier.yaml' });
    new k8s.KubeServiceAccount(applier, 'Resource', { metadata: { name: WORKLOADS_APPLIER, namespace: FLUX_NAMESPACE } });
    new RoleFile(this, 'Roles', () => this.workloadObjects());
    this.node.addValidation({ validate: () => this.unwritableObjects() });
  }

  /** Every API object of one layer of the store, as it will be written. */
  private layerObjects(layer: StoreLayer): any[] {
    return this.store.node
      .findAll()
      .filter(ManifestFile.isManifestFile)
      .filter((f) => f.tree === 'stores' && f.path.startsWith(`${layer}/`))
      .flatMap((f) => f.apiObjects())
      .map((o: ApiObject) => renderedJson(o));
  }

  private workloadObjects(): any[] {
    return this.layerObjects('workloads');
  }

  /** The objects of the workloads layer outside the namespaces that the infrastructure layer creates. */
  private unwritableObjects(): string[] {
    const namespaces = this.layerObjects('infrastructure')
      .filter((o) => o.kind === 'Namespace')
      .map((o) => o.metadata.name as string)
      .sort(compareStrings);
    return this.workloadObjects()
      .filter((o) => !namespaces.includes(o.metadata?.namespace))
      .map((o) => {
        const object = `${o.kind} "${o.metadata?.name}"`;
        const where = o.metadata?.namespace ? `in namespace "${o.metadata.namespace}"` : 'cluster-scoped (it has no namespace)';
        return problemAt(
          this.store,
          `${object} of the workloads layer is ${where}, which that layer's ServiceAccount ${WORKLOADS_APPLIER} may not write ` +
            `(it writes ${namespaces.map((n) => `"${n}"`).join(', ')} only): give it one of those namespaces, or add it in the infrastructure layer`,
        );
      });
  }
}

/** The Roles and RoleBindings of the applier, one pair per namespace of its workloads layer, made when the store is rendered. */
class RoleFile extends ManifestFile {
  constructor(
    scope: Construct,
    id: string,
    private readonly objects: () => any[],
  ) {
    super(scope, id, { tree: 'stores', path: 'infrastructure/workloads-access.yaml' });
  }

  public documents(): object[] {
    const namespaces = new Set(this.objects().map((o) => o.metadata?.namespace as string | undefined));
    return [...namespaces]
      .filter((n): n is string => n !== undefined)
      .sort(compareStrings)
      .flatMap(roleAndBinding);
  }
}

function roleAndBinding(namespace: string): object[] {
  const metadata = { annotations: KEEP_ANNOTATIONS, labels: MANAGED_BY_LABEL, name: WORKLOADS_APPLIER, namespace };
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules: NAMESPACE_ADMIN_RULES },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: WORKLOADS_APPLIER },
      subjects: [{ kind: 'ServiceAccount', name: WORKLOADS_APPLIER, namespace: FLUX_NAMESPACE }],
    },
  ];
}
