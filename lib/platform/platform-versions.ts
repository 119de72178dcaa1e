/**
 * The KubeVirt release the generated `KubeVirt` custom resource and VirtualMachines are written for, and
 * whose component requests the planner counts (the CRDs in imports/ come from the same tag).
 */
export const KUBEVIRT_VERSION = 'v1.6.2';

/** The CDI release the generated `CDI` custom resource and DataVolumes are written for, and whose component requests the planner counts. */
export const CDI_VERSION = 'v1.63.1';
