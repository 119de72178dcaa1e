import { Construct, IConstruct } from 'constructs';
import type { ResolvedFleetSecrets } from './fleet-secrets';
import type { ResolvedGitOpsRepository } from './gitops-repository';
import type { StatefulNamespaceMove } from './namespace-move';
import type { ResolvedNodeProfile } from './node-profile';
import type { ResolvedOciArtifacts } from './oci-artifacts';
import type { ResolvedSyncPolicy } from './sync-policy';
import type { TelemetrySettings } from './telemetry-settings';
import type { ResolvedVmRestartPolicy, VmRestartPolicy } from './vm-restart-policy';
import type { Waiver } from './waiver';
import { EdgefleetError, IDescribable, fail } from '../errors/edgefleet-error';

/*
 * The contract between the fleet's two classes (`EdgeFleet`, `EdgeStore`, at the top of the library)
 * and everything they compose or that reads them: constructs, checks and the synth pipeline are typed
 * against these interfaces, so that none of them imports the classes that build them.
 */

/** Manager-initiated Fleet registration of a store; no credential ever goes to Git. */
export interface FleetRegistration {
  /** The store's Kubernetes API endpoint as the Fleet manager reaches it, e.g. `https://10.20.0.17:6443`. */
  readonly apiEndpoint: string;
  /** Name of the Secret, in the Fleet workspace on the management cluster, whose key `value` holds the store's kubeconfig. */
  readonly kubeconfigSecretName: string;
}

/** Options of `EdgeFleet.addStores`. */
export interface AddStoresOptions<T> {
  /**
   * What of an item its store's definition reads, as plain data (JSON: objects, arrays, strings,
   * numbers, booleans, null). With the fleet's settings and the code, it makes the store's digest:
   * a synth skips a store whose digest is the one it had at the last synth. Leave out what does not
   * change the store's output (such as the inventory line an item came from), so that it does not
   * make synth render the store again; include everything the definition reads besides the item,
   * the fleet and the code (e.g. the slice of a table loaded at run time that applies to the item).
   * @default - the whole item
   */
  readonly inputsOf?: (item: T) => unknown;
  /**
   * Where an item comes from, for messages: a problem in its store's definition is reported as
   * `<where>: <problem>`, e.g. `stores/inventory.csv line 7: store "store-006": ...`.
   * @default - the problem alone (it names the store once the store exists)
   */
  readonly where?: (item: T) => string;
}

/** A store declared with `EdgeFleet.addStores` and not built yet, as synth sees it. */
export interface IStoreDeclaration {
  /** What of the item the store depends on, for its digest. */
  readonly inputs: unknown;
  /** Where the item comes from, for messages; undefined when not given. */
  readonly where: string | undefined;
  /** Builds the store in `fleet`. */
  build(fleet: IEdgeFleet): IEdgeStore;
}

/** A fleet: its settings with defaults applied, and its stores. Implemented by `EdgeFleet`. */
export interface IEdgeFleet extends IConstruct, IDescribable {
  /** The GitOps repository, with defaults applied. */
  readonly repository: ResolvedGitOpsRepository;
  /** Sync policy of stores that set none. */
  readonly sync: ResolvedSyncPolicy;
  /** Where the stores on OCI pull from. @default - none: no store pulls from OCI */
  readonly ociArtifacts?: ResolvedOciArtifacts;
  /** Node profile of stores that set none. */
  readonly nodeProfile: ResolvedNodeProfile;
  /** Namespace of the workloads in every store. */
  readonly namespace: string;
  /** Fleet workspace of the stores synced by Rancher Fleet. */
  readonly fleetWorkspace: string;
  /** The rollout rings in order; empty when the fleet has none. */
  readonly rings: string[];
  /** Telemetry settings of every store, when the fleet collects telemetry. */
  readonly telemetry?: TelemetrySettings;
  /** Blast-radius guard of synth; undefined for no limit. */
  readonly maxStoresChangedOutsideFirstRing?: number;
  /** The namespace UUID of the fleet's VM identities. */
  readonly vmIdentityNamespace: string;
  /** How stores restart their POS VMs when a change needs a restart, before a store's own settings. */
  readonly vmRestart?: VmRestartPolicy;
  /** How the stores' encrypted Secrets are kept, when the fleet has any. */
  readonly secrets?: ResolvedFleetSecrets;
  /** A move of the stores' stateful workloads to another namespace, when the fleet declares one. */
  readonly statefulNamespaceMove?: StatefulNamespaceMove;
  /** The output folder of the fleet's tree. */
  readonly outdir: string;
  /** The stores declared with `addStores` and not yet built, in declaration order. */
  readonly declaredStores: readonly IStoreDeclaration[];
  /** Number of stores in the fleet: those built and those declared. */
  readonly storeCount: number;
  /** The fleet's stores, ordered by id, every declared store built. */
  readonly stores: IEdgeStore[];
  /** What the fleet's settings are, for the store digests. */
  digestInputs(): unknown;
}

/** One store: its settings with the fleet's defaults applied. Implemented by `EdgeStore`. */
export interface IEdgeStore extends IConstruct, IDescribable {
  /** The store id, an RFC 1123 label such as `store-001`. */
  readonly id: string;
  /** The fleet the store belongs to. */
  readonly fleet: IEdgeFleet;
  /** Labels of the store (region, city, ring, ...). */
  readonly storeLabels: Record<string, string>;
  /** The store's rollout ring (its `ring` label), or undefined when the fleet has no rings. */
  readonly ring: string | undefined;
  /** The store's node profile, fleet defaults applied. */
  readonly nodeProfile: ResolvedNodeProfile;
  /** The store's sync policy, fleet defaults applied. */
  readonly sync: ResolvedSyncPolicy;
  /** Namespace of the store's workloads. */
  readonly workloadNamespace: string;
  /** The store's waivers of offline-readiness rules. */
  readonly waivers: Waiver[];
  /** Manager-initiated Fleet registration, when given. */
  readonly fleetRegistration?: FleetRegistration;
  /** The store's age public key, when it can have encrypted Secrets. */
  readonly ageRecipient?: string;
  /** How the store restarts its POS VMs when a change needs a restart, fleet defaults applied. */
  readonly vmRestart: ResolvedVmRestartPolicy;
}

/** Label that marks every object edgefleet generates. */
export const MANAGED_BY_LABEL: Readonly<Record<string, string>> = { 'app.kubernetes.io/managed-by': 'edgefleet' };

/**
 * Annotation of a store's Namespace with the store's labels (`city=paris,region=eu-west,ring=canary`),
 * so that `edgefleet diff` can tell the ring and region of a store from Git alone.
 */
export const STORE_LABELS_ANNOTATION = 'edgefleet.io/store-labels';

/** Marks an `EdgeFleet`, also one made by another copy of the library. */
export const EDGE_FLEET_MARKER = Symbol.for('edgefleet.EdgeFleet');

/** Marks an `EdgeStore`, also one made by another copy of the library. */
export const EDGE_STORE_MARKER = Symbol.for('edgefleet.EdgeStore');

/** Whether `x` is a fleet (an `EdgeFleet`), also one made by another copy of the library. */
export function isEdgeFleet(x: unknown): x is IEdgeFleet {
  return typeof x === 'object' && x !== null && (x as any)[EDGE_FLEET_MARKER] === true;
}

/** Whether `x` is a store (an `EdgeStore`), also one made by another copy of the library. */
export function isEdgeStore(x: unknown): x is IEdgeStore {
  return typeof x === 'object' && x !== null && (x as any)[EDGE_STORE_MARKER] === true;
}

/**
 * Fails unless `scope` is a store: what runs in a store (a workload, an encrypted Secret) is created
 * in one, not in the fleet. TypeScript says so at compile time; a fleet run by tsx or in JavaScript
 * is not type-checked.
 */
export function requireStore(scope: unknown, what: string, id: string): asserts scope is IEdgeStore {
  if (isEdgeStore(scope)) return;
  const problem =
    `${what} "${id}" is created in ` +
    `${Construct.isConstruct(scope) && scope.node.scope === undefined ? 'the fleet' : 'something that is not a store'}, but it belongs in a ` +
    `store ` +
    `(new ${what}(store, "${id}", ...), with the store that new EdgeStore or addStores' definition made)`;
  if (Construct.isConstruct(scope)) fail(scope, problem);
  throw new EdgefleetError(problem);
}
