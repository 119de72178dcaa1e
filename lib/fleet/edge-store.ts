import { ApiObjectProps, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { EdgeFleet } from './edge-fleet';
import { fail, problemAt } from '../errors/edgefleet-error';
import { EDGE_STORE_MARKER, FleetRegistration, IEdgeStore, MANAGED_BY_LABEL, STORE_LABELS_ANNOTATION, isEdgeStore } from '../model/contract';
import { ManifestFile } from '../model/manifest-file';
import { NodeProfile, RUNTIME_CLASSES_ANNOTATION, ResolvedNodeProfile, resolveNodeProfile } from '../model/node-profile';
import { StoreLayer } from '../model/store-layer';
import { ResolvedSyncPolicy, SyncPolicy, resolveSyncPolicy } from '../model/sync-policy';
import { TelemetrySettings, resolveTelemetry } from '../model/telemetry-settings';
import { ResolvedVmRestartPolicy, VmRestartPolicy, resolveVmRestartPolicy } from '../model/vm-restart-policy';
import { Waiver } from '../model/waiver';
import { StorePlatform } from '../platform/store-platform';
import { KEEP_ANNOTATIONS } from '../policies/keep-annotations';
import { podSecurityLabels } from '../policies/pod-security-labels';
import { checkWaivers, waiversAnnotation, WAIVERS_ANNOTATION } from '../policies/waiver';
import { checkAgeRecipient } from '../prop-checks/age-recipient';
import { checkDnsLabel, checkLabels } from '../prop-checks/checks';
import { plaintextSecretProblems } from '../secrets/plaintext-secrets';
import { FleetStoreSync } from '../sync/fleet-store-sync';
import { FluxStoreSync } from '../sync/flux-store-sync';
import { LogAgent } from '../telemetry/log-agent';
import { MetricsAgent } from '../telemetry/metrics-agent';
import { TelemetryNamespace } from '../telemetry/telemetry-namespace';
import { StoreManifests } from '../workloads/store-manifests';

/** Properties of an {@link EdgeStore}. */
export interface EdgeStoreProps {
  /** Labels of the store (region, city, ring, ...): the handles to vary settings by. @default {} */
  readonly labels?: Record<string, string>;
  /** Overrides of the fleet's node profile, field by field. @default - the fleet's node profile */
  readonly nodeProfile?: NodeProfile;
  /** Overrides of the fleet's sync policy, field by field. @default - the fleet's sync policy */
  readonly sync?: SyncPolicy;
  /**
   * For a store synced by Rancher Fleet: register it manager-initiated, the Fleet manager reaching the
   * store's API with a kubeconfig Secret (the customer's `EdgeCluster`).
   * @default - agent-initiated: the store's fleet-agent registers itself with the store id as client ID
   */
  readonly fleetRegistration?: FleetRegistration;
  /** Overrides of the fleet's telemetry settings, field by field, or `false` for none. @default - the fleet's telemetry */
  readonly telemetry?: TelemetrySettings | false;
  /** Written exceptions to the offline-readiness rules, one rule and object each; they show in the report. @default [] */
  readonly waivers?: Waiver[];
  /**
   * The store's age public key (`age1...`), for its SOPS-encrypted Secrets (see `EncryptedSecret`):
   * synth's `.sops.yaml` encrypts the store's secrets for it and the fleet's `secrets.operators`. Its
   * private half lives only in the store, in the Secret its bootstrap creates. Needs the fleet's `secrets`.
   * @default - none: the store can have no encrypted Secrets
   */
  readonly ageRecipient?: string;
  /**
   * Overrides of the fleet's VM restart policy, field by field (the window's too): the store's time zone,
   * another window, or `{ mode: 'immediately' }`.
   * @default - the fleet's VM restart policy
   */
  readonly vmRestart?: VmRestartPolicy;
}

/**
 * One store: one single-node K3s cluster with its own folders `dist/stores/<id>/` (what runs there)
 * and `dist/clusters/<id>/` (what its Flux reconciles). Workloads are added as children.
 */
export class EdgeStore extends Chart implements IEdgeStore {
  /** Whether `x` is an EdgeStore, also one made by another copy of the library. */
  public static isEdgeStore(x: unknown): x is EdgeStore {
    return isEdgeStore(x);
  }

  /** The store id, an RFC 1123 label such as `store-001`. */
  public readonly id: string;
  /** The fleet this store belongs to. */
  public readonly fleet: EdgeFleet;
  /** Labels of the store (region, city, ring, ...). `labels` holds the labels of every generated object. */
  public readonly storeLabels: Record<string, string>;
  /** The store's rollout ring (its `ring` label), or undefined when the fleet has no rings. */
  public get ring(): string | undefined {
    return this.fleet.rings.length > 0 ? this.storeLabels.ring : undefined;
  }

  /** The store's node profile, fleet defaults applied. */
  public readonly nodeProfile: ResolvedNodeProfile;
  /** The store's sync policy, fleet defaults applied. */
  public readonly sync: ResolvedSyncPolicy;
  /** Namespace of the store's workloads. */
  public readonly workloadNamespace: string;
  /** The store's waivers of offline-readiness rules. */
  public readonly waivers: Waiver[];
  /** Manager-initiated Fleet registration, when given. */
  public readonly fleetRegistration?: FleetRegistration;
  /** What the store's workloads need from the cluster (KubeVirt and CDI custom resources, RuntimeClasses), in its infrastructure layer. */
  public readonly platform: StorePlatform;
  /** The store's age public key, when it can have encrypted Secrets. */
  public readonly ageRecipient?: string;
  /** How the store restarts its POS VMs when a change needs a restart, fleet defaults applied. */
  public readonly vmRestart: ResolvedVmRestartPolicy;

  constructor(fleet: EdgeFleet, id: string, props: EdgeStoreProps = {}) {
    checkDnsLabel(fleet, 'store id', id);
    if (fleet.node.tryFindChild(id)) {
      fail(fleet, `store "${id}" is defined twice (each store needs its own id)`);
    }
    super(fleet, id, { disableResourceNameHashes: true, labels: MANAGED_BY_LABEL });
    Object.defineProperty(this, EDGE_STORE_MARKER, { value: true });
    this.id = id;
    this.fleet = fleet;
    this.storeLabels = checkLabels(this, 'labels', { ...props.labels });
    if (fleet.rings.length > 0 && !fleet.rings.includes(this.storeLabels.ring)) {
      fail(
        this,
        `labels "ring" value "${this.storeLabels.ring ?? ''}" is not one of the fleet's rings (use one of ` +
          `${fleet.rings.map((r) => `"${r}"`).join(', ')})`,
      );
    }
    this.nodeProfile = resolveNodeProfile(this, fleet.nodeProfile, props.nodeProfile);
    this.sync = resolveSyncPolicy(this, fleet.sync, props.sync);
    this.workloadNamespace = fleet.namespace;
    this.waivers = checkWaivers(this, props.waivers ?? []);
    this.vmRestart = resolveVmRestartPolicy(this, fleet.vmRestart, props.vmRestart);

    const infrastructure = new ManifestFile(this, 'Namespace', { tree: 'stores', path: 'infrastructure/namespace.yaml' });
    const annotations = Object.fromEntries(
      [
        [RUNTIME_CLASSES_ANNOTATION, this.nodeProfile.runtimeClasses.join(',')],
        [
          STORE_LABELS_ANNOTATION,
          Object.keys(this.storeLabels)
            .sort()
            .map((k) => `${k}=${this.storeLabels[k]}`)
            .join(','),
        ],
        [WAIVERS_ANNOTATION, waiversAnnotation(this.waivers)],
      ].filter(([, value]) => value !== ''),
    );
    // Kept when it leaves Git (the store removed, the namespace renamed): deleting it would delete the POS VM and its disks inside.
    new k8s.KubeNamespace(infrastructure, 'Resource', {
      metadata: {
        name: this.workloadNamespace,
        labels: podSecurityLabels(this, this.workloadNamespace, true),
        annotations: { ...KEEP_ANNOTATIONS, ...annotations },
      },
    });
    this.platform = StorePlatform.of(this);
    this.fleetRegistration = this.checkRegistration(props.fleetRegistration);
    this.ageRecipient = this.checkAgeRecipient(props.ageRecipient);
    if (this.sync.agent === 'fleet') {
      new FleetStoreSync(this, 'FleetSync');
    } else {
      new FluxStoreSync(this, 'FluxSync');
    }
    this.addTelemetry(props.telemetry);
    this.node.addValidation({ validate: () => this.findDuplicateObjects() });
    this.node.addValidation({ validate: () => plaintextSecretProblems(this) });
  }

  /** How the store is named in messages. */
  public get subject(): string {
    return `store "${this.node.id}"`;
  }

  private addTelemetry(override: TelemetrySettings | false | undefined): void {
    if (override === false || (!this.fleet.telemetry && !override)) return;
    const telemetry = resolveTelemetry(this, this.fleet.telemetry ?? {}, override);
    const labels = { ...this.storeLabels, store: this.id };
    new TelemetryNamespace(this, 'TelemetryNamespace', { name: telemetry.namespace });
    new LogAgent(this, telemetry, labels);
    new MetricsAgent(this, telemetry, labels);
  }

  private checkRegistration(registration: FleetRegistration | undefined): FleetRegistration | undefined {
    if (!registration) return undefined;
    if (this.sync.agent !== 'fleet') {
      fail(this, `fleetRegistration is set but the store syncs with "${this.sync.agent}" (set sync.agent to "fleet", or drop fleetRegistration)`);
    }
    if (!/^https:\/\/[^\s/]+(:[0-9]+)?\/?$/.test(registration.apiEndpoint ?? '')) {
      fail(this, `fleetRegistration.apiEndpoint "${registration.apiEndpoint}" is not an HTTPS API endpoint (use "https://<host>:6443")`);
    }
    checkDnsLabel(this, 'fleetRegistration.kubeconfigSecretName', registration.kubeconfigSecretName);
    return registration;
  }

  private checkAgeRecipient(recipient: string | undefined): string | undefined {
    if (recipient === undefined) return undefined;
    if (!this.fleet.secrets) {
      fail(this, "ageRecipient is set but the fleet has no secrets settings (set EdgeFleet secrets.operators to the operators' age public keys)");
    }
    return checkAgeRecipient(this, 'ageRecipient', recipient, 'x25519');
  }

  /** Late check: two objects of the same kind, namespace and name in the store folder break `kustomize build`. */
  private findDuplicateObjects(): string[] {
    const fileOf = new Map<string, string>();
    const problems: string[] = [];
    for (const file of this.node
      .findAll()
      .filter(ManifestFile.isManifestFile)
      .filter((f) => f.tree === 'stores')) {
      for (const o of file.apiObjects()) {
        const key = `${o.kind} "${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.name}"`;
        const first = fileOf.get(key);
        if (first !== undefined) {
          problems.push(problemAt(this, `${key} is generated twice, in ${first} and ${file.path} (rename one of them)`));
        }
        fileOf.set(key, file.path);
      }
    }
    return problems;
  }

  /**
   * Escape hatch: adds Kubernetes objects that no edgefleet construct generates, written to
   * `dist/stores/<id>/<layer>/<id>.yaml`. Give each object its `metadata.name` and, where namespaced, `metadata.namespace`.
   */
  public addManifests(id: string, manifests: ApiObjectProps[], layer: StoreLayer = 'workloads'): StoreManifests {
    return new StoreManifests(this, id, { manifests, layer });
  }
}
