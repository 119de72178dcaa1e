/** CPU in millicores and memory in bytes. */
export interface Resources {
  /** CPU, in millicores. */
  readonly cpuMillis: number;
  /** Memory, in bytes. */
  readonly memoryBytes: number;
}

/** One item of a store node's system reservation. */
export interface ReservationItem extends Resources {
  /** What is reserved, e.g. `K3s server`, `KubeVirt components`, `VM pos launcher overhead`. */
  readonly item: string;
  /** Where the figure comes from (a document, or the source file of an upstream project). */
  readonly source: string;
  /** What the item saves against the component's default install (e.g. KubeVirt at one infra replica), if it is tuned. */
  readonly savedAgainstDefault?: Resources;
}

/** What one workload of a store requests. */
export interface WorkloadDemand extends Resources {
  /** The workload id, e.g. `pos`, `edge-monitor`. */
  readonly name: string;
  /** The kind of workload, e.g. `VirtualMachine`, `Deployment`, `DaemonSet`. */
  readonly kind: string;
  /** Pods of a Deployment or StatefulSet (0: scaled to zero, requesting nothing). @default - not a scaled workload */
  readonly replicas?: number;
}

/** What a store's volumes and VM disks take on the node's disk. */
export interface LocalStorageDemand {
  /** The store's claims and DataVolumes, with the boot disk each VM keeps for a rollback, in bytes. */
  readonly steadyBytes: number;
  /** `steadyBytes` plus a new boot disk for each VM booting from a DataVolume: while a POS OS release is imported. */
  readonly peakBytes: number;
  /** Room on the node's disk, from the node profile. @default - not known */
  readonly capacityBytes?: number;
}

/** The resource plan of one store. */
export interface StorePlan {
  /** The store id. */
  readonly store: string;
  /** The store's labels (region, ring, city, ...). */
  readonly labels: Record<string, string>;
  /** The node's capacity. */
  readonly capacity: Resources;
  /** What the system reserves before any workload, item by item. */
  readonly reservations: ReservationItem[];
  /** Capacity minus reservations. */
  readonly allocatable: Resources;
  /** The store's workloads and what they request. */
  readonly workloads: WorkloadDemand[];
  /** Sum of the workloads' requests. */
  readonly requested: Resources;
  /** Number of VirtualMachines in the store. */
  readonly vms: number;
  /** What the store's volumes and VM disks take on the node's disk. */
  readonly localStorage: LocalStorageDemand;
}
