import { Cluster } from '../../imports/fleet-cluster-fleet.cattle.io';
import { ClusterGroup } from '../../imports/fleet-clustergroup-fleet.cattle.io';
import { GitRepo } from '../../imports/fleet-gitrepo-fleet.cattle.io';
import { EdgefleetError } from '../errors/edgefleet-error';
import { FleetRegistration, MANAGED_BY_LABEL, IEdgeFleet } from '../model/contract';
import { storeFolderInRepository } from '../model/dist-layout';
import type { NodeTaint } from '../model/node-profile';
import type { ResolvedSyncPolicy } from '../model/sync-policy';
import { durationSeconds, isDnsLabel } from '../prop-checks/checks';
import { compareStrings } from '../util/compare-strings';
import { yamlText } from '../util/yaml-text';

/** Label of every Fleet Cluster that carries the store id. */
export const STORE_ID_LABEL = 'edgefleet.io/store';

/**
 * What `dist/fleet/` needs to know of a store: an `EdgeStore`, or the summary synth keeps of one
 * after releasing its construct tree.
 */
export interface FleetManagedStore {
  /** The store id. */
  readonly id: string;
  /** The store's labels. */
  readonly storeLabels: Record<string, string>;
  /** The store's sync policy. */
  readonly sync: ResolvedSyncPolicy;
  /** Manager-initiated Fleet registration, when given. */
  readonly fleetRegistration?: FleetRegistration;
  /** The store node's taints. */
  readonly nodeProfile: { readonly taints: NodeTaint[] };
}

/** Store labels that get a ClusterGroup per value. */
export const GROUPED_LABELS = ['region', 'ring'];

/**
 * What the platform team applies once to the Fleet management cluster, in `dist/fleet/`
 * (`kubectl apply -k dist/fleet`): a Cluster per Fleet store, ClusterGroups per region and ring,
 * and the GitRepo listing the Fleet stores' folders. Targeting is in
 * each store's `fleet.yaml`, by cluster name, so relabelling a store never retargets its bundle.
 * Returns paths relative to dist/, empty when no store uses Fleet.
 */
export function renderRancherFleet(fleet: IEdgeFleet, stores: FleetManagedStore[]): Map<string, string> {
  const fleetStores = stores.filter((s) => s.sync.agent === 'fleet');
  const files = new Map<string, string>();
  if (fleetStores.length === 0) return files;
  const add = (path: string, manifest: object) => files.set(`fleet/${path}`, sortedYaml(manifest));

  for (const store of fleetStores) add(`clusters/${store.id}.yaml`, cluster(fleet, store));
  for (const [label, value] of clusterGroupKeys(fleetStores)) add(`clustergroups/${label}-${value}.yaml`, clusterGroup(fleet, label, value));
  add(`gitrepos/${FLEET_STORES_GITREPO}.yaml`, gitRepo(fleet, fleetStores));

  const resources = [...files.keys()].map((f) => f.replace(/^fleet\//, '')).sort(compareStrings);
  files.set('fleet/kustomization.yaml', sortedYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }));
  return files;
}

function cluster(fleet: IEdgeFleet, store: FleetManagedStore): object {
  const registration = store.fleetRegistration;
  return Cluster.manifest({
    metadata: {
      name: store.id,
      namespace: fleet.fleetWorkspace,
      labels: { ...store.storeLabels, ...MANAGED_BY_LABEL, [STORE_ID_LABEL]: store.id },
      annotations: registration ? { 'edgefleet.io/api-endpoint': registration.apiEndpoint } : undefined,
    },
    spec: {
      // Agent-initiated by default: the store only needs outbound HTTPS. The agent is installed with the same clientID.
      clientId: registration ? undefined : store.id,
      kubeConfigSecret: registration?.kubeconfigSecretName,
      paused: store.sync.autoSync ? undefined : true,
      agentTolerations: store.nodeProfile.taints.map((t) => ({ key: t.key, operator: 'Exists', effect: t.effect ?? 'NoSchedule' })),
    },
  });
}

/** The (label, value) pairs of region and ring present among the Fleet stores, sorted. */
function clusterGroupKeys(stores: FleetManagedStore[]): Array<[string, string]> {
  const keys = new Map<string, [string, string]>();
  for (const store of stores) {
    for (const label of GROUPED_LABELS) {
      const value = store.storeLabels[label];
      if (value === undefined) continue;
      if (!isDnsLabel(`${label}-${value}`)) {
        throw new EdgefleetError(
          `store "${store.id}": labels "${label}" value "${value}" cannot name a Fleet ClusterGroup "${label}-${value}" (use lower-case ` +
            `letters, digits and "-")`,
        );
      }
      keys.set(`${label}-${value}`, [label, value]);
    }
  }
  return [...keys].sort(([a], [b]) => compareStrings(a, b)).map(([, key]) => key);
}

function clusterGroup(fleet: IEdgeFleet, label: string, value: string): object {
  return ClusterGroup.manifest({
    metadata: { name: `${label}-${value}`, namespace: fleet.fleetWorkspace, labels: MANAGED_BY_LABEL },
    spec: { selector: { matchLabels: { ...MANAGED_BY_LABEL, [label]: value } } },
  });
}

/**
 * The one GitRepo of the Fleet stores. Its name never changes, so that a change of the stores'
 * intervals changes it in place (`kubectl apply -k` does not prune: a GitRepo renamed would leave the
 * old one deploying the same stores). Fleet's manager polls Git once per GitRepo and its agents
 * take their bundles from the manager, so the interval is the manager's, the shortest the stores ask for.
 */
export const FLEET_STORES_GITREPO = 'edgefleet-stores';

function gitRepo(fleet: IEdgeFleet, stores: FleetManagedStore[]): object {
  const { url, branch, path } = fleet.repository;
  const interval = stores.map((s) => s.sync.interval).reduce((a, b) => (durationSeconds(b) < durationSeconds(a) ? b : a));
  return GitRepo.manifest({
    metadata: { name: FLEET_STORES_GITREPO, namespace: fleet.fleetWorkspace, labels: MANAGED_BY_LABEL },
    spec: {
      repo: url,
      branch,
      pollingInterval: interval,
      paths: stores.map((s) => storeFolderInRepository(path, s.id)),
      keepResources: true,
      correctDrift: { enabled: true },
    },
  });
}

/** YAML with keys sorted, like every object cdk8s writes. */
function sortedYaml(manifest: object): string {
  return yamlText(manifest, { sortKeys: true });
}
