import type { ReservationModel, ReservedResources } from '../model/node-profile';

/** A reservation with the source of its figures. */
export interface SourcedReservation extends ReservedResources {
  /** Where the figures come from. */
  readonly source: string;
}

/** The items of the model that are fixed figures; KubeVirt's and CDI's are summed from their components. */
export type FixedReservationItem = Exclude<keyof ReservationModel, 'kubevirt' | 'cdi'>;

/** The default model of the fixed items, every figure with its source. */
export const DEFAULT_RESERVATION: { [K in FixedReservationItem]: SourcedReservation } = {
  // Memory: docs.k3s.io/reference/resource-profiling measures a single-node K3s 1.26 server with SQLite and a
  // workload at 1588 M on a Raspberry Pi 4B (1596 M on x86), rounded up. CPU: judgement; the same page shows
  // the server's steady load well under half a core.
  k3sServer: {
    cpu: '500m',
    memory: '1600Mi',
    source: 'docs.k3s.io reference/resource-profiling (K3s 1.26, single node, SQLite, with a workload); CPU: judgement',
  },
  // Memory: measured by the e2e suite's store-node scenario (Flux v1.9.6 controllers, settled after
  // applying a store): source-controller 81 MiB and kustomize-controller 120 MiB RSS, each above its
  // 64Mi request, rounded up to 96Mi and 128Mi; helm- and notification-controller, which a store does
  // not use, at their 64Mi requests. CPU: the 4 x 100m requests of each controller's
  // config/manager/deployment.yaml (measured: under 50m together, settled).
  flux: {
    cpu: '400m',
    memory: '352Mi',
    source:
      'RSS measured by the e2e suite, rounded up (source-controller 81 MiB: 96Mi, kustomize-controller 120 MiB: 128Mi), ' +
      'helm- and notification-controller at their 64Mi requests; CPU: 4 x 100m requests',
  },
  // Judgement: Fleet's agent chart sets no requests; one Go controller with an informer cache.
  fleetAgent: { cpu: '100m', memory: '128Mi', source: 'judgement: rancher/fleet charts/fleet-agent sets no requests' },
  // ~35Mi per VM: kubevirt pkg/hypervisor/kvm/hypervisorbackend.go, the guest-console-log container.
  vmConsoleLog: { cpu: '5m', memory: '35Mi', source: 'kubevirt pkg/hypervisor/kvm/hypervisorbackend.go: guest-console-log sidecar' },
};

/**
 * Memory KubeVirt adds to each VM's pod beyond the guest memory, by its own formula in
 * kubevirt/kubevirt pkg/hypervisor/kvm/hypervisorbackend.go: 240Mi for virt-launcher and QEMU,
 * guest memory / 512 for page tables, 8Mi per vCPU, 8Mi for the IOThread, 32Mi for the video
 * device, and on arm64 128Mi more for the UEFI pflash. A 2 GiB, 2-vCPU VM on arm64 costs 428Mi.
 */
export function vmOverheadBytes(guestMemoryBytes: number, vcpus: number, arch: string): number {
  const Mi = 2 ** 20;
  return 240 * Mi + guestMemoryBytes / 512 + 8 * Mi * vcpus + 8 * Mi + 32 * Mi + (arch === 'arm64' ? 128 * Mi : 0);
}

/** KubeVirt asks 100m per vCPU by default (cpuAllocationRatio 10: kubevirt docs, "CPU allocation ratio"). */
export const VM_CPU_MILLIS_PER_VCPU = 100;

/** One component of an operator-managed control plane: what each replica requests, and how many run on one node. */
export interface ControlPlaneComponent {
  /** The Deployment or DaemonSet, e.g. `virt-api`. */
  readonly name: string;
  /** CPU request of one replica. */
  readonly cpu: string;
  /** Memory request of one replica. */
  readonly memory: string;
  /** Replicas on a single-node store with the operator's defaults. */
  readonly defaultReplicas: number;
  /** Which replica setting of the custom resource scales it (`spec.infra.replicas` for KubeVirt), if any. */
  readonly scaledBy?: string;
  /** Where the figures come from. */
  readonly source: string;
}

/**
 * KubeVirt v1.6.5's components on one node (the same requests as v1.6.2), as virt-operator generates them
 * (kubevirt/kubevirt pkg/virt-operator/resource/generate/components/). Replicas: virt-operator's own
 * Deployment has 2 (the operator manifest, not the custom resource, sets it); virt-controller 2
 * (`newBaseDeployment`); virt-api 1 on a one-node cluster (pkg/virt-operator/resource/apply/apps.go,
 * `getDesiredApiReplicas`); both follow `spec.infra.replicas` when it is set (same file, `syncDeployment`).
 * virt-handler is a DaemonSet; its optional containers (pr-helper for PersistentReservation, the
 * launcher image holder with image pull secrets) are not used by edgefleet's stores. virt-exportproxy and
 * virt-synchronization-controller run only with the VMExport and DecentralizedLiveMigration gates.
 */
export const KUBEVIRT_COMPONENTS: ControlPlaneComponent[] = [
  { name: 'virt-operator', cpu: '10m', memory: '450Mi', defaultReplicas: 2, source: 'components/deployments.go NewOperatorDeployment' },
  {
    name: 'virt-api',
    cpu: '5m',
    memory: '500Mi',
    defaultReplicas: 1,
    scaledBy: 'spec.infra.replicas',
    source: 'components/deployments.go NewApiServerDeployment',
  },
  {
    name: 'virt-controller',
    cpu: '10m',
    memory: '275Mi',
    defaultReplicas: 2,
    scaledBy: 'spec.infra.replicas',
    source: 'components/deployments.go NewControllerDeployment',
  },
  { name: 'virt-handler', cpu: '10m', memory: '325Mi', defaultReplicas: 1, source: 'components/daemonsets.go NewHandlerDaemonSet' },
];

/**
 * CDI v1.63.1's components, one replica each by default (kubevirt/containerized-data-importer
 * pkg/operator/resources/). An import also runs a short-lived importer pod (100m, 60M by default:
 * pkg/controller/config-controller.go), before the VM that waits for its disk starts, so it is not reserved.
 */
export const CDI_COMPONENTS: ControlPlaneComponent[] = [
  { name: 'cdi-operator', cpu: '100m', memory: '150Mi', defaultReplicas: 1, source: 'operator/operator.go' },
  {
    name: 'cdi-deployment',
    cpu: '100m',
    memory: '150Mi',
    defaultReplicas: 1,
    scaledBy: 'spec.infra.deploymentReplicas',
    source: 'namespaced/controller.go',
  },
  {
    name: 'cdi-apiserver',
    cpu: '100m',
    memory: '150Mi',
    defaultReplicas: 1,
    scaledBy: 'spec.infra.apiServerReplicas',
    source: 'namespaced/apiserver.go',
  },
  {
    name: 'cdi-uploadproxy',
    cpu: '100m',
    memory: '150Mi',
    defaultReplicas: 1,
    scaledBy: 'spec.infra.uploadProxyReplicas',
    source: 'namespaced/uploadproxy.go',
  },
];
