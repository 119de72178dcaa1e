/**
 * The KubeVirt release the generated `KubeVirt` custom resource and VirtualMachines are written for, and
 * whose component requests the planner counts. v1.6.5 is the first v1.6 release whose arm64 converter
 * passes `firmware.serial` to the guest (a store whose node profile names an older version is warned);
 * from v1.6.2 to v1.6.5 the operator's component requests, the feature gates and the VM and VMI schemas
 * that edgefleet writes did not change (`git diff v1.6.2 v1.6.5` of
 * pkg/virt-operator/resource/generate/components, pkg/virt-config/featuregate and api/openapi-spec:
 * descriptions only), so the CRDs in imports/ (v1.6.2) describe it.
 */
export const KUBEVIRT_VERSION = 'v1.6.5';

/** The CDI release the generated `CDI` custom resource and DataVolumes are written for, and whose component requests the planner counts. */
export const CDI_VERSION = 'v1.63.1';

/**
 * The first release of each KubeVirt minor version whose arm64 converter enables SMBIOS system information
 * (`IsSMBiosNeeded()` true in pkg/virt-launcher/virtwrap/converter/arch/arm64.go: kubevirt/kubevirt#16783,
 * cherry-picked to release-1.6 by #17463): before it, libvirt gets only the VM's UUID on arm64, and the
 * guest's SMBIOS serial is empty. Every minor version after the last one listed has the fix.
 */
const ARM64_SERIAL_FIXED_IN: Record<string, number> = { '1.6': 5, '1.7': 3, '1.8': 2 };
const LAST_MINOR_WITHOUT_FIX_AT_ZERO = 8;

/** Whether `version` is written as a KubeVirt release tag, `v<major>.<minor>.<patch>`. */
export function isKubeVirtVersion(version: string): boolean {
  return /^v[0-9]+\.[0-9]+\.[0-9]+$/.test(version);
}

/** Whether a VM's `firmware.serial` reaches its guest on an arm64 node under KubeVirt `version` (a release tag). */
export function kubevirtPassesSerialOnArm64(version: string): boolean {
  const [major, minor, patch] = version.slice(1).split('.').map(Number);
  if (major !== 1) return major > 1;
  const fixedIn = ARM64_SERIAL_FIXED_IN[`1.${minor}`];
  if (fixedIn !== undefined) return patch >= fixedIn;
  return minor > LAST_MINOR_WITHOUT_FIX_AT_ZERO;
}
