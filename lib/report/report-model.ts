import { SyncSource } from '../model/sync-policy';
import { StorePlan } from '../planner/store-plan';

/** How a store follows Git: its agent, whether it applies what Git says, and how often it polls. */
export interface StoreSync {
  /** Where a Flux store fetches from: `main`, `store-branch` or `oci`. @default - a Fleet store: its bundle comes from the Fleet manager */
  readonly source?: SyncSource;
  /** The in-cluster agent: `flux` or `fleet` (Rancher Fleet). */
  readonly agent: string;
  /** `false` when the store's sync is suspended: it keeps running what it has and applies no change. */
  readonly autoSync: boolean;
  /** How often the store polls Git, as a Go duration. */
  readonly interval: string;
}

/** How a store's POS VMs get a change that KubeVirt applies only at boot, such as a new POS OS image. */
export interface StoreVmRestart {
  /** When the store restarts a VM that needs it, in words: `in the window Sun 02:00–04:00 Europe/Paris`. */
  readonly when: string;
  /** The images the store's VMs boot from in Git (containerDisk images and DataVolume registry sources), sorted. */
  readonly images: string[];
}

/** A store's plan and sync state, as the report shows them. */
export interface StoreReport extends StorePlan {
  /** How the store follows Git. */
  readonly sync: StoreSync;
  /** How the store's VMs get a new image. @default - the store runs no VM */
  readonly vmRestart?: StoreVmRestart;
  /** The store's two folders (`stores/<id>/`, `clusters/<id>/`): what its store branch or OCI artifact holds. @default - the report shows no size */
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
