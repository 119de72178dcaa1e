/**
 * The offline-readiness rules: what a store needs to keep running with its WAN link down.
 * - `pinned-image`: every image has a tag other than `latest` (a digest is recommended: a warning otherwise);
 * - `pull-policy`: every container and containerDisk is pulled `IfNotPresent`, so a restart uses the cached image;
 * - `resources`: every container requests CPU and memory and has a memory limit;
 * - `local-storage`: every VM disk is on store-local storage (a containerDisk, cloud-init, or a claim or DataVolume of the local StorageClass);
 * - `prune-protection`: VirtualMachines, PersistentVolumeClaims, DataVolumes, the Namespaces that hold them and the KubeVirt and CDI custom resources
 * are never pruned by Flux nor uninstalled by Helm;
 * - `runtime-class`: every runtimeClassName is provided by the store's node.
 */
export const OFFLINE_RULES = ['pinned-image', 'pull-policy', 'resources', 'local-storage', 'prune-protection', 'runtime-class'] as const;

/** An offline-readiness rule. */
export type OfflineRule = (typeof OFFLINE_RULES)[number];

/** A store's written exception to one offline-readiness rule for one object; it shows in the fleet report. */
export interface Waiver {
  /** The rule waived. */
  readonly rule: OfflineRule;
  /** The object, as `Kind/name` (e.g. `Deployment/legacy-kiosk`). */
  readonly object: string;
  /** Why the exception is acceptable: at least a sentence, for the reviewer. */
  readonly reason: string;
}
