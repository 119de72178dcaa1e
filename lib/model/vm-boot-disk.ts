/**
 * Label of a POS VM's boot DataVolume naming its VM. A boot DataVolume's name ends with a digest of its
 * spec (`<vm>-boot-<digest>`), so a new OS image is a new DataVolume: KubeVirt's VM controller creates
 * a template's DataVolume only when none of that name exists (pkg/virt-controller/watch/vm/vm.go
 * `handleDataVolumes`), and CDI refuses changes to a DataVolume's spec, so a new image under the old
 * name would never be imported.
 */
export const BOOT_DISK_OF_LABEL = 'edgefleet.io/boot-disk-of';

/**
 * Label the store's restarter keeps on a VM's boot DataVolumes: `current` on the one the running VM
 * boots from, `previous` on the one it ran before, `older` on those before that.
 */
export const BOOTED_STATE_LABEL = 'edgefleet.io/boot-disk-state';

/**
 * Annotation of a POS VM: `"true"` when the store keeps the boot disk the VM ran before the current one
 * (a rollback to that version then needs no download), `"false"` when it deletes every boot disk the VM
 * no longer uses.
 */
export const KEEP_PREVIOUS_BOOT_DISK_ANNOTATION = 'edgefleet.io/keep-previous-boot-disk';

/**
 * Name of a VM's boot disk and volume. Its DataVolume is `<vm>-boot-<digest>`; before boot disks were
 * versioned it was `<vm>-boot`, which the restarter cleans up like any boot disk the VM no longer uses.
 */
export const BOOT_DISK_NAME = 'boot';

/** Whether a VM's DataVolume template (as generated, or as read back from the tree) is its boot disk. */
export function isBootDiskTemplate(template: { readonly metadata?: { readonly labels?: Record<string, string> } } | undefined): boolean {
  return template?.metadata?.labels?.[BOOT_DISK_OF_LABEL] !== undefined;
}
