/**
 * What a store node reserves before any workload, item by item. Every figure has its source; a
 * fleet overrides any of them per node profile (`nodeProfile.reservation`) with its own measurements.
 */
export interface ReservationModel {
  /** K3s server (API server, controllers, kubelet, containerd, SQLite), as a CPU and memory quantity pair. */
  readonly k3sServer?: ReservedResources;
  /** KubeVirt's control plane (virt-operator, virt-api, virt-controller, virt-handler), on stores that run VMs. */
  readonly kubevirt?: ReservedResources;
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

/** A reservation with the source of its figures. */
export interface SourcedReservation extends ReservedResources {
  /** Where the figures come from. */
  readonly source: string;
}

/** The default model, every figure with its source. */
export const DEFAULT_RESERVATION: Required<{ [K in keyof ReservationModel]: SourcedReservation }> = {
  // Memory: docs.k3s.io/reference/resource-profiling measures a single-node K3s 1.26 server with SQLite and a
  // workload at 1588 M on a Raspberry Pi 4B (1596 M on x86), rounded up. CPU: judgement; the same page shows
  // the server's steady load well under half a core.
  k3sServer: { cpu: '500m', memory: '1600Mi', source: 'docs.k3s.io reference/resource-profiling (K3s 1.26, single node, SQLite, with a workload); CPU: judgement' },
  // Memory: the requests of KubeVirt's components at default replicas on one node, summed from
  // kubevirt/kubevirt pkg/virt-operator/resource/generate/components/{deployments,daemonsets}.go (≈2575Mi).
  // CPU: the same files request 5m to 10m per container; rounded up for virt-handler's work per VM.
  kubevirt: { cpu: '100m', memory: '2575Mi', source: 'kubevirt pkg/virt-operator/resource/generate/components/{deployments,daemonsets}.go, default replicas' },
  // 4 controllers x (100m, 64Mi) requests: each controller's config/manager/deployment.yaml in fluxcd/{source,kustomize,helm,notification}-controller.
  flux: { cpu: '400m', memory: '256Mi', source: 'fluxcd/*-controller config/manager/deployment.yaml: 4 x (100m, 64Mi) requests' },
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
