/** A VM feature that KubeVirt admits only with a feature gate. */
interface GatedFeature {
  /** The feature gate, as listed in `KubeVirt.spec.configuration.developerConfiguration.featureGates`. */
  readonly gate: string;
  /** Where the feature is set in a VirtualMachine. */
  readonly field: string;
  /** Whether the VM's template uses the feature. */
  readonly usedBy: (template: any) => boolean;
}

const devices = (template: any): any => template?.spec?.domain?.devices ?? {};
const annotation =
  (key: string) =>
  (template: any): boolean =>
    Boolean(template?.metadata?.annotations?.[key]);

/**
 * VM features behind a feature gate in KubeVirt v1.6.5 (the same as in v1.6.2), as its VM admission checks them
 * (pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go): a VirtualMachine using
 * one is rejected unless the store's KubeVirt custom resource enables the gate.
 */
const GATED_FEATURES: GatedFeature[] = [
  { gate: 'HostDisk', field: 'spec.template.spec.volumes[].hostDisk', usedBy: (t) => (t?.spec?.volumes ?? []).some((v: any) => v?.hostDisk) },
  {
    gate: 'DownwardMetrics',
    field: 'spec.template.spec.volumes[].downwardMetrics or spec.template.spec.domain.devices.downwardMetrics',
    usedBy: (t) => devices(t).downwardMetrics !== undefined || (t?.spec?.volumes ?? []).some((v: any) => v?.downwardMetrics),
  },
  { gate: 'HostDevices', field: 'spec.template.spec.domain.devices.hostDevices', usedBy: (t) => devices(t).hostDevices !== undefined },
  { gate: 'VideoConfig', field: 'spec.template.spec.domain.devices.video', usedBy: (t) => devices(t).video !== undefined },
  { gate: 'PanicDevices', field: 'spec.template.spec.domain.devices.panicDevices', usedBy: (t) => (devices(t).panicDevices ?? []).length > 0 },
  { gate: 'VSOCK', field: 'spec.template.spec.domain.devices.autoattachVSOCK', usedBy: (t) => devices(t).autoattachVSOCK === true },
  {
    gate: 'PersistentReservation',
    field: 'spec.template.spec.domain.devices.disks[].lun.reservation',
    usedBy: (t) => (devices(t).disks ?? []).some((d: any) => d?.lun?.reservation === true),
  },
  {
    gate: 'NUMA',
    field: 'spec.template.spec.domain.cpu.numa.guestMappingPassthrough',
    usedBy: (t) => t?.spec?.domain?.cpu?.numa?.guestMappingPassthrough !== undefined,
  },
  {
    gate: 'WorkloadEncryptionSEV',
    field: 'spec.template.spec.domain.launchSecurity.sev',
    usedBy: (t) => t?.spec?.domain?.launchSecurity?.sev !== undefined,
  },
  {
    gate: 'Sidecar',
    field: 'spec.template.metadata.annotations["hooks.kubevirt.io/hookSidecars"]',
    usedBy: annotation('hooks.kubevirt.io/hookSidecars'),
  },
  {
    gate: 'ExperimentalIgnitionSupport',
    field: 'spec.template.metadata.annotations["kubevirt.io/ignitiondata"]',
    usedBy: annotation('kubevirt.io/ignitiondata'),
  },
];

/** A feature gate a VirtualMachine needs, and the field that needs it. */
export interface NeededFeatureGate {
  /** The feature gate. */
  readonly gate: string;
  /** Where the VM uses the gated feature. */
  readonly field: string;
}

/** The feature gates of KubeVirt that a VirtualMachine (as a plain object) needs, in a fixed order. */
export function featureGatesOf(vm: any): NeededFeatureGate[] {
  const template = vm?.spec?.template;
  return GATED_FEATURES.filter((f) => f.usedBy(template)).map(({ gate, field }) => ({ gate, field }));
}
