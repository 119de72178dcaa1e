import { IConstruct } from 'constructs';
import { checkDnsLabel, checkInteger, checkOneOf, checkQuantity } from '../prop-checks/checks';
import { compareStrings } from '../util/compare-strings';
import { overlay } from '../util/overlay';

/** CPU architectures a store node can have. */
export const SUPPORTED_ARCHITECTURES = ['arm64', 'amd64'] as const;

/** A CPU architecture a store node can have. */
export type CpuArchitecture = (typeof SUPPORTED_ARCHITECTURES)[number];

/** Who creates a store's RuntimeClass objects: the store's K3s, or edgefleet in the store folder. */
export const RUNTIME_CLASS_SOURCES = ['k3s', 'edgefleet'] as const;

/** Who creates a store's RuntimeClass objects. */
export type RuntimeClassSource = (typeof RUNTIME_CLASS_SOURCES)[number];

/** A taint on the store node, which every workload of the store tolerates. */
export interface NodeTaint {
  /** Taint key. */
  readonly key: string;
  /** Taint effect. @default 'NoSchedule' */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/**
 * The hardware and base image of a store node. Set fleet-wide on `EdgeFleet` and
 * override per store on `EdgeStore`, field by field.
 */
export interface NodeProfile {
  /** CPU cores of the node. @default 4 */
  readonly cpu?: number;
  /** Memory of the node, as a Kubernetes quantity. @default '8Gi' */
  readonly memory?: string;
  /** CPU architecture: workloads are scheduled only onto nodes with this `kubernetes.io/arch`. @default 'arm64' */
  readonly arch?: CpuArchitecture;
  /** Taints of the node; every workload of the store tolerates them. @default - one taint `edge-node:NoSchedule` */
  readonly taints?: NodeTaint[];
  /** StorageClass backed by the node's own disk, used for VM disks and volumes. @default 'local-path' (K3s's local-path provisioner) */
  readonly localStorageClass?: string;
  /**
   * Room on the node's disk for the volumes and VM disks of `localStorageClass`, as a Kubernetes quantity
   * (`"200Gi"`): the planner fails a store whose claims and DataVolumes would not fit at the peak of a POS OS
   * release, when each VM booting from a DataVolume holds its new boot disk beside the one it runs and the
   * one kept for a rollback.
   * @default - not checked: the report shows what the store needs
   */
  readonly localStorage?: string;
  /**
   * RuntimeClasses the node's image provides, each named after its containerd handler. K3s configures
   * a handler for each containerd shim it finds at start (k3s pkg/agent/containerd/runtimes.go), so list
   * `wasmedge` only where the store image carries `containerd-shim-wasmedge-v1`.
   * @default - none: the store runs no Wasm apps
   */
  readonly runtimeClasses?: string[];
  /**
   * Who creates the `node.k8s.io/v1` RuntimeClass objects of `runtimeClasses`. `'k3s'`: the store's K3s,
   * whose packaged `runtimes` component publishes a RuntimeClass for every runtime it can detect
   * (k3s manifests/runtimes.yaml, k3s-io/k3s#8700), unless started with `--disable=runtimes`.
   * `'edgefleet'`: the store folder's infrastructure layer, for K3s with `--disable=runtimes`, an older K3s,
   * or another distribution. A pod whose RuntimeClass does not exist is rejected by the API server.
   * @default 'k3s'
   */
  readonly runtimeClassSource?: RuntimeClassSource;
  /**
   * Namespace of the KubeVirt operator (its `KubeVirt` custom resource lives there), as the store image or
   * bootstrap installs it: `kubevirt` with KubeVirt's release manifests.
   * @default 'kubevirt'
   */
  readonly kubevirtNamespace?: string;
  /**
   * The KubeVirt release the store image or bootstrap installs (its operator's tag, such as `v1.6.5`), where
   * it differs from the one edgefleet targets: synth and `edgefleet validate` warn about what that release
   * does differently, such as an arm64 VM whose pinned `firmware.serial` never reaches the guest before
   * v1.6.5. Written on the store's `KubeVirt` custom resource (annotation `edgefleet.io/kubevirt-version`).
   * @default - KUBEVIRT_VERSION, the release edgefleet targets
   */
  readonly kubevirtVersion?: string;
  /**
   * Overrides of what the node reserves before any workload (K3s, KubeVirt, CDI, the sync agent, each
   * VM's console log), for the resource planner: measure your own image and put the figures here.
   * @default - the documented defaults of `DEFAULT_RESERVATION`
   */
  readonly reservation?: ReservationModel;
}

/**
 * Annotation of a store's Namespace listing the RuntimeClasses its node provides, so that the
 * synthesized folder says what it needs (`edgefleet validate` checks every runtimeClassName against it).
 */
export const RUNTIME_CLASSES_ANNOTATION = 'edgefleet.io/node-runtime-classes';

/** A node profile with every field decided (the reservation, KubeVirt version and local storage stay optional: absent means the defaults). */
export type ResolvedNodeProfile = Required<Omit<NodeProfile, 'reservation' | 'kubevirtVersion' | 'localStorage'>> &
  Pick<NodeProfile, 'reservation' | 'kubevirtVersion' | 'localStorage'>;

/** The node profile a fleet gets when it says nothing: the customer's 4-core, 8 GiB ARM64 store node. */
export const DEFAULT_NODE_PROFILE: ResolvedNodeProfile = {
  cpu: 4,
  memory: '8Gi',
  arch: 'arm64',
  taints: [{ key: 'edge-node', effect: 'NoSchedule' }],
  localStorageClass: 'local-path',
  runtimeClasses: [],
  runtimeClassSource: 'k3s',
  kubevirtNamespace: 'kubevirt',
};

/** Lays `override` over `base` field by field and validates the result. */
export function resolveNodeProfile(scope: IConstruct, base: ResolvedNodeProfile, override: NodeProfile = {}): ResolvedNodeProfile {
  const profile = overlay<NodeProfile>(base as Required<NodeProfile>, override) as ResolvedNodeProfile;
  checkInteger(scope, 'nodeProfile.cpu', profile.cpu, 1);
  checkQuantity(scope, 'nodeProfile.memory', profile.memory, '8Gi', 'bytes');
  checkOneOf(scope, 'nodeProfile.arch', profile.arch, SUPPORTED_ARCHITECTURES);
  checkDnsLabel(scope, 'nodeProfile.localStorageClass', profile.localStorageClass);
  if (profile.localStorage !== undefined) checkQuantity(scope, 'nodeProfile.localStorage', profile.localStorage, '200Gi', 'bytes');
  profile.runtimeClasses.forEach((rc, i) => checkDnsLabel(scope, `nodeProfile.runtimeClasses[${i}]`, rc));
  checkOneOf(scope, 'nodeProfile.runtimeClassSource', profile.runtimeClassSource, RUNTIME_CLASS_SOURCES);
  checkDnsLabel(scope, 'nodeProfile.kubevirtNamespace', profile.kubevirtNamespace);
  for (const [item, r] of Object.entries(profile.reservation ?? {})) {
    checkQuantity(scope, `nodeProfile.reservation.${item}.cpu`, r.cpu, '500m', 'cpu', true);
    checkQuantity(scope, `nodeProfile.reservation.${item}.memory`, r.memory, '1600Mi', 'bytes', true);
  }
  return inCanonicalOrder(profile);
}

/**
 * The profile with its sets in one order, whatever order they were declared in: RuntimeClasses
 * and taints are sets to Kubernetes, and the output must not change when a list is reordered.
 */
function inCanonicalOrder(profile: ResolvedNodeProfile): ResolvedNodeProfile {
  const taintKey = (t: NodeTaint) => `${t.key}\0${t.effect ?? 'NoSchedule'}`;
  return {
    ...profile,
    runtimeClasses: [...new Set(profile.runtimeClasses)].sort(compareStrings),
    taints: [...profile.taints].sort((a, b) => compareStrings(taintKey(a), taintKey(b))),
  };
}

/**
 * What a store node reserves before any workload, item by item. Every figure has its source; a
 * fleet overrides any of them per node profile (`nodeProfile.reservation`) with its own measurements.
 */
export interface ReservationModel {
  /** K3s server (API server, controllers, kubelet, containerd, SQLite), as a CPU and memory quantity pair. */
  readonly k3sServer?: ReservedResources;
  /**
   * KubeVirt's control plane (virt-operator, virt-api, virt-controller, virt-handler), on stores that run VMs.
   * Without an override, the planner sums KubeVirt's components (from its operator's sources) at the replicas of the store's KubeVirt custom
   * resource.
   */
  readonly kubevirt?: ReservedResources;
  /**
   * CDI's control plane (cdi-operator, cdi-deployment, cdi-apiserver, cdi-uploadproxy), on stores with DataVolumes.
   * Without an override, the planner sums CDI's components (from its operator's sources).
   */
  readonly cdi?: ReservedResources;
  /** Flux's four controllers, on Flux stores. */
  readonly flux?: ReservedResources;
  /** Fleet's agent, on Fleet stores. */
  readonly fleetAgent?: ReservedResources;
  /** The virt-launcher console-log sidecar of each VM. */
  readonly vmConsoleLog?: ReservedResources;
}

/** A CPU and memory reservation, as Kubernetes quantities. */
export interface ReservedResources {
  /** CPU, e.g. `500m`. */
  readonly cpu: string;
  /** Memory, e.g. `1600Mi`. */
  readonly memory: string;
}
