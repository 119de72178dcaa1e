import { App } from 'cdk8s';
import { validate as isRfcUuid, v5 as uuidV5 } from 'uuid';
import { EdgeStore } from './edge-store';
import { StoreDeclaration } from './store-declaration';
import { fail } from '../errors/edgefleet-error';
import { AddStoresOptions, EDGE_FLEET_MARKER, IEdgeFleet, IStoreDeclaration, isEdgeFleet } from '../model/contract';
import { IDigestible } from '../model/digestible';
import { FleetSecrets, ResolvedFleetSecrets, resolveFleetSecrets } from '../model/fleet-secrets';
import { GitOpsRepository, ResolvedGitOpsRepository, resolveGitOpsRepository } from '../model/gitops-repository';
import { StatefulNamespaceMove, checkNamespaceMove } from '../model/namespace-move';
import { DEFAULT_NODE_PROFILE, NodeProfile, ResolvedNodeProfile, resolveNodeProfile } from '../model/node-profile';
import { OciArtifacts, ResolvedOciArtifacts, resolveOciArtifacts } from '../model/oci-artifacts';
import { DEFAULT_SYNC_POLICY, ResolvedSyncPolicy, SyncPolicy, resolveSyncPolicy } from '../model/sync-policy';
import { TelemetrySettings, checkTelemetrySettings } from '../model/telemetry-settings';
import { VmRestartPolicy } from '../model/vm-restart-policy';
import { checkDnsLabel, checkInteger } from '../prop-checks/checks';
import { synthesize } from '../synth/synthesize';
import { compareStrings } from '../util/compare-strings';

/** How {@link EdgeFleet.addStores} builds the store of one item. */
export type DefineStore<T> = (fleet: EdgeFleet, item: T) => EdgeStore;

/** Properties of an {@link EdgeFleet}. */
export interface EdgeFleetProps {
  /** The GitOps repository the stores pull from. */
  readonly repository: GitOpsRepository;
  /** Sync policy of every store that sets none of its own. @default - autoSync true, interval 5m */
  readonly sync?: SyncPolicy;
  /**
   * The OCI repositories of the Flux stores whose `sync.source` is `'oci'`: one per store, filled by
   * `edgefleet publish --oci`. Required as soon as one store pulls from OCI.
   * @default - no store pulls from OCI
   */
  readonly ociArtifacts?: OciArtifacts;
  /** Node profile of every store that sets none of its own. @default - 4 CPU, 8Gi, arm64, taint `edge-node`, storage class `local-path` */
  readonly nodeProfile?: NodeProfile;
  /** Namespace of the workloads in every store. @default 'edge' */
  readonly namespace?: string;
  /** Fleet workspace (namespace on the Fleet management cluster) of the stores synced by Rancher Fleet. @default 'fleet-default' */
  readonly fleetWorkspace?: string;
  /**
   * The rollout rings, in the order a release reaches them (e.g. `['canary', 'early', 'general']`).
   * A store's ring is its `ring` label, which must then be one of these.
   * @default - no rings: releases have one version for every store
   */
  readonly rings?: string[];
  /**
   * Blast-radius guard: the most stores outside the first ring that one synth may change. A synth
   * that would change more fails, naming them, unless run with `--allow-wide-change`.
   * @default - no limit
   */
  readonly maxStoresChangedOutsideFirstRing?: number;
  /**
   * Log and metrics collection for every store: a Fluent Bit and a Prometheus agent per store,
   * buffering on the node through WAN outages of `retention`. Stores may override any field.
   * @default - no telemetry agents
   */
  readonly telemetry?: TelemetrySettings;
  /**
   * The namespace (a UUID) of the fleet's VM identities: each VM's firmware UUID, serial number and
   * MAC address are name-based UUIDs of it, the store id and the VM name. Set it once, to a UUID of
   * your own (`uuidgen`), before the first VM runs, and never change it: a new namespace gives every
   * VM of the fleet a new hardware identity at its next start.
   * @default - a name-based UUID of `repository.url`, so moving the repository would change every VM's identity
   */
  readonly vmIdentityNamespace?: string;
  /**
   * Per-store Secrets kept in Git, SOPS-encrypted for exactly the store's key (`EdgeStore`
   * `ageRecipient`) and these operators' keys; synth writes the repository's `.sops.yaml` from them.
   * @default - no encrypted Secrets: stores get their Secrets out of band
   */
  readonly secrets?: FleetSecrets;
  /**
   * A move of the stores' stateful workloads to another namespace (such as a change of `namespace`),
   * declared deliberately: synth refuses to move a VirtualMachine, a claim or a DataVolume of an existing
   * store to another namespace otherwise, since the old one keeps running on its disk beside a new, empty one.
   * @default - none
   */
  readonly statefulNamespaceMove?: StatefulNamespaceMove;
  /**
   * How stores restart their POS VMs when a change needs a restart (a new POS OS image): in the store's
   * maintenance window, immediately or by hand. Stores override it field by field (a region's time zone,
   * a ring's window).
   * @default - 'manual': a VM runs its old template until someone restarts it
   */
  readonly vmRestart?: VmRestartPolicy;
}

/**
 * The root of a fleet definition: fleet-wide defaults and, as children, the stores.
 * `synthesize(fleet)` writes the fleet's GitOps tree.
 */
export class EdgeFleet extends App implements IEdgeFleet, IDigestible {
  /** Whether `x` is an EdgeFleet, also one made by another copy of the library. */
  public static isEdgeFleet(x: unknown): x is EdgeFleet {
    return isEdgeFleet(x);
  }

  /** The GitOps repository, with defaults applied. */
  public readonly repository: ResolvedGitOpsRepository;
  /** Sync policy of stores that set none. */
  public readonly sync: ResolvedSyncPolicy;
  /** Where the stores on OCI pull from. @default - none: no store pulls from OCI */
  public readonly ociArtifacts?: ResolvedOciArtifacts;
  /** Node profile of stores that set none. */
  public readonly nodeProfile: ResolvedNodeProfile;
  /** Namespace of the workloads in every store. */
  public readonly namespace: string;
  /** Fleet workspace of the stores synced by Rancher Fleet. */
  public readonly fleetWorkspace: string;
  /** The rollout rings in order; empty when the fleet has none. */
  public readonly rings: string[];
  /** Telemetry settings of every store, when the fleet collects telemetry. */
  public readonly telemetry?: TelemetrySettings;
  /** Blast-radius guard of synth; undefined for no limit. */
  public readonly maxStoresChangedOutsideFirstRing?: number;
  /** The namespace UUID of the fleet's VM identities. */
  public readonly vmIdentityNamespace: string;
  /** How the stores' encrypted Secrets are kept, when the fleet has any. */
  public readonly secrets?: ResolvedFleetSecrets;
  /** A move of the stores' stateful workloads to another namespace, when the fleet declares one. */
  public readonly statefulNamespaceMove?: StatefulNamespaceMove;
  /** How stores restart their POS VMs when a change needs a restart, before a store's own settings. */
  public readonly vmRestart?: VmRestartPolicy;
  private readonly props: EdgeFleetProps;
  private declarations: StoreDeclaration<any, EdgeFleet>[] = [];

  constructor(props: EdgeFleetProps) {
    super();
    Object.defineProperty(this, EDGE_FLEET_MARKER, { value: true });
    this.props = props;
    this.repository = resolveGitOpsRepository(this, props.repository);
    this.sync = resolveSyncPolicy(this, DEFAULT_SYNC_POLICY, props.sync);
    this.ociArtifacts = props.ociArtifacts && resolveOciArtifacts(this, props.ociArtifacts);
    this.nodeProfile = resolveNodeProfile(this, DEFAULT_NODE_PROFILE, props.nodeProfile);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'edge');
    this.fleetWorkspace = checkDnsLabel(this, 'fleetWorkspace', props.fleetWorkspace ?? 'fleet-default');
    if (props.telemetry) checkTelemetrySettings(this, props.telemetry, true);
    this.telemetry = props.telemetry;
    this.vmIdentityNamespace = props.vmIdentityNamespace ?? uuidV5(this.repository.url, uuidV5.URL);
    if (!isRfcUuid(this.vmIdentityNamespace)) {
      fail(
        this,
        `vmIdentityNamespace "${props.vmIdentityNamespace}" is not a UUID (generate one with \`uuidgen\`, e.g. ` +
          `"0b6f5c1e-8d7a-4f3b-9c2e-5a1d4e7f9b20")`,
      );
    }
    this.rings = [...(props.rings ?? [])];
    this.rings.forEach((ring, i) => checkDnsLabel(this, `rings[${i}]`, ring));
    if (new Set(this.rings).size !== this.rings.length) {
      fail(this, `rings ${JSON.stringify(this.rings)} name a ring twice (each ring once, in rollout order)`);
    }
    if (props.maxStoresChangedOutsideFirstRing !== undefined) {
      this.maxStoresChangedOutsideFirstRing = checkInteger(this, 'maxStoresChangedOutsideFirstRing', props.maxStoresChangedOutsideFirstRing, 0);
    }
    // Whether two stores share a key is checked by synth, once it has seen every store.
    if (props.secrets) this.secrets = resolveFleetSecrets(this, props.secrets);
    if (props.statefulNamespaceMove) this.statefulNamespaceMove = checkNamespaceMove(this, props.statefulNamespaceMove);
    this.vmRestart = props.vmRestart;
  }

  /**
   * Writes the fleet's GitOps tree to `outdir` with {@link synthesize}: incrementally, and only when
   * the whole fleet is valid. (cdk8s's own `App.synth()` would empty `outdir` first.)
   */
  public synth(): void {
    synthesize(this);
  }

  /** How the fleet names itself in messages about its own settings. */
  public get subject(): string {
    return 'fleet';
  }

  /**
   * Declares one store per item, built by `define` when synth comes to it: synth builds, checks and
   * renders one store at a time and releases its construct tree before the next, so a fleet of
   * 10,000 stores never holds more than one in memory; and it skips a store whose inputs (the item,
   * the fleet's settings, the code) are the same as at its last synth. `define` creates the store
   * with `new EdgeStore(fleet, id, props)` and its workloads, and returns the store:
   *
   * ```ts
   * fleet.addStores(rows, (fleet, row) => defineStore(fleet, row.values));
   * ```
   *
   * `define` may read the item, the fleet and its fleet-wide constructs (such as a `Release`), and
   * module-level constants; whatever else it reads must be part of the item or of `inputsOf(item)`.
   * `new EdgeStore(fleet, id, props)` directly in the fleet still works (for tests and small fleets);
   * such stores are rendered on every synth.
   */
  public addStores<T>(items: Iterable<T>, define: DefineStore<T>, options: AddStoresOptions<T> = {}): void {
    for (const item of items) this.declarations.push(new StoreDeclaration(item, define, options));
  }

  /** The stores declared with {@link addStores} and not yet built, in declaration order. */
  public get declaredStores(): readonly IStoreDeclaration[] {
    return this.declarations;
  }

  /** Number of stores in the fleet: those built and those declared. */
  public get storeCount(): number {
    return this.builtStores().length + this.declarations.length;
  }

  /**
   * The fleet's stores, ordered by id. Builds every store declared with {@link addStores} and keeps
   * it in the fleet (for tests and small fleets; synth never calls this, and cannot skip unchanged
   * stores once they are built this way).
   */
  public get stores(): EdgeStore[] {
    const declarations = this.declarations;
    this.declarations = [];
    declarations.forEach((d) => d.build(this));
    return this.builtStores().sort((a, b) => compareStrings(a.id, b.id));
  }

  /** What the fleet's settings are, for the store digests. */
  public digestInputs(): unknown {
    return this.props;
  }

  private builtStores(): EdgeStore[] {
    return this.node.children.filter((c): c is EdgeStore => EdgeStore.isEdgeStore(c));
  }
}
