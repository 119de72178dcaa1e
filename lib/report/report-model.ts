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
}

/** How a store follows Git: its agent, whether it applies what Git says, and how often it polls. */
export interface StoreSync {
  /** Where a Flux store fetches from: `store-branch` or `main`. @default - a Fleet store: its bundle comes from the Fleet manager */
  readonly source?: string;
  /** The in-cluster agent: `flux` or `fleet` (Rancher Fleet). */
  readonly agent: string;
  /** `false` when the store's sync is suspended: it keeps running what it has and applies no change. */
  readonly autoSync: boolean;
  /** How often the store polls Git, as a Go duration. */
  readonly interval: string;
}

/** A store's plan and sync state, as the report shows them. */
export interface StoreReport extends StorePlan {
  /** How the store follows Git. */
  readonly sync: StoreSync;
  /** The store's two folders (`stores/<id>/`, `clusters/<id>/`): what its store branch holds. @default - the report shows no size */
  readonly folders?: TreeSize;
}

/** A rule that a store's definition waived for one object, with the reason it gave. */
export interface ReportWaiver {
  /** The store id. */
  readonly store: string;
  /** The rule waived, e.g. `pinned-image`. */
  readonly rule: string;
  /** The object, e.g. `Deployment/legacy-app`. */
  readonly object: string;
  /** Why, as written in the store definition. */
  readonly reason: string;
}

/** Something a reviewer should know that does not fail synth. */
export interface ReportWarning {
  /** The store id. */
  readonly store: string;
  /** The object, e.g. `Deployment/edge-app`. */
  readonly object: string;
  /** What kind of warning, the same for every warning of that kind, e.g. `image without digest`: the report groups by it. */
  readonly kind: string;
  /** What is wrong and what would be better. */
  readonly message: string;
}

/** Files and bytes of (part of) the synthesized tree, before Git's compression. */
export interface TreeSize {
  /** Number of files. */
  readonly files: number;
  /** Their bytes. */
  readonly bytes: number;
}

/** Everything the fleet report shows. */
export interface FleetReport {
  /** The whole synthesized tree, the report left out: what a store on the fleet's branch downloads at least. @default - the report shows no size */
  readonly tree?: TreeSize;
  /** Every store's plan and sync state, ordered by store id. */
  readonly stores: StoreReport[];
  /** Every waiver, ordered by store and object. */
  readonly waivers: ReportWaiver[];
  /** Every warning, ordered by store and object. */
  readonly warnings: ReportWarning[];
}

