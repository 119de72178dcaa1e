import { featureGatesOf } from './kubevirt-feature-gates';
import { KUBEVIRT_VERSION_ANNOTATION } from './kubevirt-platform';
import { CDI_VERSION, KUBEVIRT_VERSION, isKubeVirtVersion, kubevirtPassesSerialOnArm64 } from './platform-versions';

/** Whether a store's objects hold a DataVolume, standalone or as a VM's template. */
export function hasDataVolumes(objects: any[]): boolean {
  return objects.some((o) => o.kind === 'DataVolume' || (o.kind === 'VirtualMachine' && (o.spec?.dataVolumeTemplates ?? []).length > 0));
}

/**
 * Checks a store's objects as written (JSON patches included) against its platform objects: a store
 * with VMs has a KubeVirt custom resource that enables every feature gate its VMs use, and a store with
 * DataVolumes has a CDI custom resource. Returns one message per problem, naming object, field and fix.
 */
export function checkPlatform(objects: any[]): string[] {
  const kubevirt = objects.find((o) => o.kind === 'KubeVirt');
  const enabled = new Set<string>(kubevirt?.spec?.configuration?.developerConfiguration?.featureGates ?? []);
  const problems: string[] = [];
  for (const vm of objects.filter((o) => o.kind === 'VirtualMachine')) {
    const object = `VirtualMachine/${vm.metadata?.name}`;
    if (!kubevirt) {
      problems.push(
        `${object}: the store has no KubeVirt custom resource (add VMs with EdgePosVm or store.addManifests, which generate it, or call ` +
          `store.platform.enableKubeVirt())`,
      );
      continue;
    }
    for (const { gate, field } of featureGatesOf(vm)) {
      if (!enabled.has(gate)) {
        problems.push(
          `${object}: ${field} needs KubeVirt's feature gate "${gate}" (KubeVirt ${KUBEVIRT_VERSION} rejects the VM without it); enable it ` +
            `with store.platform.enableKubeVirt().addFeatureGates('${gate}')`,
        );
      }
    }
  }
  if (hasDataVolumes(objects) && !objects.some((o) => o.kind === 'CDI')) {
    problems.push(
      `the store has DataVolumes but no CDI custom resource, so CDI ${CDI_VERSION} never imports them (add them with VmDisk.dataVolume or ` +
        `store.addManifests, which generate it, or call store.platform.enableCdi())`,
    );
  }
  return problems;
}

/** Advice on a store's platform that does not fail synth or validate. */
export interface PlatformWarning {
  /** What kind of advice, the same for every warning of the kind (the report groups by it). */
  readonly kind: string;
  /** The object, as `Kind/name`. */
  readonly object: string;
  /** The field's path in the object. */
  readonly path: string;
  /** What goes wrong on the store, and the fix. */
  readonly message: string;
}

/** The kind of {@link PlatformWarning} about a serial that KubeVirt does not pass to an arm64 guest. */
export const SERIAL_DROPPED_ON_ARM64 = 'firmware.serial not passed on arm64';

/**
 * Warns about what the KubeVirt release a store runs (its custom resource's `edgefleet.io/kubevirt-version`)
 * does differently from the one edgefleet targets: an arm64 VM whose pinned `firmware.serial` its guest never
 * sees. A store without the annotation is taken to run the targeted release.
 */
export function platformWarnings(objects: any[]): PlatformWarning[] {
  const declared = objects.find((o) => o.kind === 'KubeVirt')?.metadata?.annotations?.[KUBEVIRT_VERSION_ANNOTATION];
  const version = typeof declared === 'string' && isKubeVirtVersion(declared) ? declared : KUBEVIRT_VERSION;
  if (kubevirtPassesSerialOnArm64(version)) return [];
  return objects
    .filter((o) => o.kind === 'VirtualMachine')
    .filter((vm) => vm.spec?.template?.spec?.domain?.firmware?.serial !== undefined && archOf(vm) === 'arm64')
    .map((vm) => ({
      kind: SERIAL_DROPPED_ON_ARM64,
      object: `VirtualMachine/${vm.metadata?.name}`,
      path: 'spec.template.spec.domain.firmware.serial',
      message:
        `"${vm.spec.template.spec.domain.firmware.serial}" never reaches the guest of this arm64 VM under KubeVirt ${version}, whose arm64 ` +
        `converter passes no SMBIOS system information before v1.6.5, v1.7.3 and v1.8.2 (kubevirt/kubevirt#16783): software licensed to the ` +
        `serial sees none; upgrade the store's KubeVirt to ${KUBEVIRT_VERSION} and set nodeProfile.kubevirtVersion to match`,
    }));
}

/** The architecture a VM is scheduled onto (its template's `kubernetes.io/arch` node selector), if it says. */
function archOf(vm: any): string | undefined {
  return vm.spec?.template?.spec?.nodeSelector?.['kubernetes.io/arch'];
}
