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
