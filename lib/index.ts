/*
 * The public API of edgefleet: what a fleet repository uses to define its stores and to synthesize,
 * check and test its tree. Everything else in lib/ is internal and may change in any release; the
 * committed API report (api/edgefleet.api.md) shows every change to this surface in review.
 */

// The fleet and its stores.
export { DefineStore, EdgeFleet, EdgeFleetProps } from './fleet/edge-fleet';
export { EdgeStore, EdgeStoreProps } from './fleet/edge-store';
export { DEFAULT_FLEET_MODULE, FleetModule } from './fleet/fleet-module';

// Settings of the fleet and its stores, and the contract that constructs of one's own are typed against.
export {
  AddStoresOptions,
  FleetRegistration,
  IEdgeFleet,
  IEdgeStore,
  IStoreDeclaration,
  MANAGED_BY_LABEL,
  isEdgeFleet,
  isEdgeStore,
} from './model/contract';
export { GitOpsRepository, ResolvedGitOpsRepository } from './model/gitops-repository';
export { OciArtifacts, ResolvedOciArtifacts } from './model/oci-artifacts';
export { StatefulNamespaceMove } from './model/namespace-move';
export {
  CpuArchitecture,
  NodeProfile,
  NodeTaint,
  RUNTIME_CLASS_SOURCES,
  ReservationModel,
  ReservedResources,
  ResolvedNodeProfile,
  RuntimeClassSource,
  SUPPORTED_ARCHITECTURES,
} from './model/node-profile';
export { ResolvedSyncPolicy, SYNC_AGENTS, SYNC_SOURCES, SyncAgent, SyncPolicy, SyncSource } from './model/sync-policy';
export { STORE_LAYERS, StoreLayer } from './model/store-layer';
export {
  DEFAULT_VM_RESTARTER_IMAGE,
  MaintenanceWindow,
  ResolvedMaintenanceWindow,
  ResolvedVmRestartPolicy,
  VM_RESTART_MODES,
  VmRestartMode,
  VmRestartPolicy,
  WEEKDAYS,
  Weekday,
} from './model/vm-restart-policy';
export { ResolvedTelemetry, TelemetrySettings } from './model/telemetry-settings';
export { FleetSecrets, ResolvedFleetSecrets } from './model/fleet-secrets';
export { OFFLINE_RULES, OfflineRule, Waiver } from './model/waiver';
export { IDigestible, IReadsFiles } from './model/digestible';
export { IRefersToStores, StoreReference } from './model/refers-to-stores';
export { ManifestFile, ManifestFileProps, OutputTree } from './model/manifest-file';
export { StoreTree } from './model/dist-layout';
export {
  InventoryColumn,
  InventoryColumns,
  InventoryRow,
  InventoryValues,
  ReadStoreInventoryOptions,
  inventoryRowOptions,
  readStoreInventory,
  typedInventoryRows,
} from './model/store-inventory';

// What runs in a store.
export { EdgeWorkload } from './workloads/edge-workload';
export { ContainerProps } from './workloads/container-spec';
export { HealthCheck, HealthCheckOptions } from './workloads/health-check';
export { EdgeApp, EdgeAppProps, EdgeAppRuntime } from './workloads/edge-app';
export { EdgeMonitor, EdgeMonitorProps } from './workloads/edge-monitor';
export { EdgeWasmApp, EdgeWasmAppProps } from './workloads/edge-wasm-app';
export { CloudInit, EdgePosVm, EdgePosVmProps, RUN_STRATEGIES, RunStrategy } from './workloads/edge-pos-vm';
export { DataVolumeOptions, LocalVolumeOptions, REGISTRY_PULL_METHODS, RegistryPullMethod, VmDisk } from './workloads/vm-disk';
export { VmIdentity } from './workloads/vm-identity';
export { VmRestarter } from './workloads/vm-restarter';
export { StoreManifests, StoreManifestsProps } from './workloads/store-manifests';
export { CdiPlatform, CdiPlatformProps } from './platform/cdi-platform';
export { KubeVirtPlatform, KubeVirtPlatformProps } from './platform/kubevirt-platform';
export { StorePlatform, StorePlatformProps } from './platform/store-platform';
export { CDI_VERSION, KUBEVIRT_VERSION } from './platform/platform-versions';
export { EncryptedSecret, EncryptedSecretProps } from './secrets/encrypted-secret';

// Fleet-wide constructs.
export { Release, ReleaseCandidate, ReleaseProps } from './releases/release';

// Synthesizing and checking the tree.
export { SynthesizeResult, renderFleet, synthesize } from './synth/synthesize';
export { SynthesizeOptions } from './synth/synthesize-options';
export { outdatedFiles } from './synth/outdated-files';
export { TreePlan, WriteTreeResult } from './synth/tree-update';

// Errors and utilities a fleet definition uses.
export { EdgefleetError, IDescribable } from './errors/edgefleet-error';
export { FleetValidationError } from './errors/fleet-validation-error';
export { packageRoot } from './util/package-root';
