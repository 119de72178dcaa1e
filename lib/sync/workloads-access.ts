import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { problemAt } from '../errors/edgefleet-error';
import { IEdgeStore, MANAGED_BY_LABEL } from '../model/contract';
import { ManifestFile } from '../model/manifest-file';
import { StoreLayer } from '../model/store-layer';
import { compareStrings } from '../util/compare-strings';
import { renderedJson } from '../util/rendered-json';

/** The ServiceAccount, in flux-system, that a store's workloads Kustomization applies as. */
export const WORKLOADS_APPLIER = 'edgefleet-workloads';

/** Namespace of Flux's controllers and of the applier's ServiceAccount. */
const FLUX_NAMESPACE = 'flux-system';

/** What the applier may do with each kind it applies: server-side apply (get, create, patch), prune (delete), and read back. */
const APPLY_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** Kinds whose resource name is not the lower-cased kind with the English plural ending. */
const IRREGULAR_RESOURCES: Record<string, string> = { Endpoints: 'endpoints' };

/**
 * Least privilege for what a store's workloads layer applies: its Flux Kustomization impersonates the
 * ServiceAccount `edgefleet-workloads` (in `dist/clusters/<id>/workloads-applier.yaml`), which a Role
 * and RoleBinding in each namespace of the workloads layer (in the infrastructure layer,
 * `infrastructure/workloads-access.yaml`, applied first) allow to apply, prune and read exactly the kinds
 * that layer holds there, and nothing else: no cluster-scoped object, no other namespace, no other kind.
 * So whoever can merge a workload cannot make it a cluster-admin. A late check fails synth when the
 * workloads layer holds an object the applier may not write, with the fix.
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

/** The Roles and RoleBindings of the applier, one pair per namespace, made when the store is rendered, from what its workloads layer holds then. */
class RoleFile extends ManifestFile {
  constructor(
    scope: Construct,
    id: string,
    private readonly objects: () => any[],
  ) {
    super(scope, id, { tree: 'stores', path: 'infrastructure/workloads-access.yaml' });
  }

  public documents(): object[] {
    const kindsByNamespace = new Map<string, Map<string, Set<string>>>();
    for (const o of this.objects()) {
      const namespace = o.metadata?.namespace;
      if (!namespace) continue;
      const groups = kindsByNamespace.get(namespace) ?? new Map<string, Set<string>>();
      kindsByNamespace.set(namespace, groups);
      const group = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/')[0] : '';
      groups.set(group, (groups.get(group) ?? new Set()).add(resourceOf(o.kind)));
    }
    return [...kindsByNamespace.keys()].sort(compareStrings).flatMap((namespace) => roleAndBinding(namespace, kindsByNamespace.get(namespace)!));
  }
}

function roleAndBinding(namespace: string, groups: Map<string, Set<string>>): object[] {
  const metadata = { labels: MANAGED_BY_LABEL, name: WORKLOADS_APPLIER, namespace };
  const rules = [...groups.keys()].sort(compareStrings).map((group) => ({
    apiGroups: [group],
    resources: [...groups.get(group)!].sort(compareStrings),
    verbs: APPLY_VERBS,
  }));
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: WORKLOADS_APPLIER },
      subjects: [{ kind: 'ServiceAccount', name: WORKLOADS_APPLIER, namespace: FLUX_NAMESPACE }],
    },
  ];
}

/** The resource name of a kind, as the API server's discovery lists it: lower case, plural. */
function resourceOf(kind: string): string {
  const irregular = IRREGULAR_RESOURCES[kind];
  if (irregular) return irregular;
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}
