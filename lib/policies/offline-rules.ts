/**
 * The offline-readiness rules: what a store needs to keep running with its WAN link down.
 * - `pinned-image`: every image has a tag other than `latest` (a digest is recommended: a warning otherwise);
 * - `pull-policy`: every container and containerDisk is pulled `IfNotPresent`, so a restart uses the cached image;
 * - `resources`: every container requests CPU and memory and has a memory limit;
 * - `local-storage`: every VM disk is on store-local storage (a containerDisk, cloud-init, or a claim or DataVolume of the local StorageClass);
 * - `prune-protection`: VirtualMachines, PersistentVolumeClaims, DataVolumes, the Namespaces that hold them and the KubeVirt and CDI custom resources are never pruned by Flux nor uninstalled by Helm;
 * - `runtime-class`: every runtimeClassName is provided by the store's node.
 */
export const OFFLINE_RULES = ['pinned-image', 'pull-policy', 'resources', 'local-storage', 'prune-protection', 'runtime-class'] as const;

/** An offline-readiness rule. */
export type OfflineRule = typeof OFFLINE_RULES[number];

/** Annotations that keep a stateful object when Git no longer has it: Flux does not prune it, Helm (Fleet) does not uninstall it. */
export const KEEP_ANNOTATIONS: Record<string, string> = {
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
  'helm.sh/resource-policy': 'keep',
};

/** Kinds whose objects hold a store's data. */
export const STATEFUL_KINDS = ['VirtualMachine', 'PersistentVolumeClaim', 'DataVolume'];

/**
 * Kinds whose removal from Git must never reach the store, so they carry the {@link KEEP_ANNOTATIONS}:
 * the objects that hold its data; the Namespaces, because deleting one makes the namespace controller
 * delete everything in it, whatever their own annotations say; and the KubeVirt and CDI custom
 * resources, whose deletion uninstalls KubeVirt or CDI.
 */
export const PROTECTED_KINDS = [...STATEFUL_KINDS, 'Namespace', 'KubeVirt', 'CDI'];
