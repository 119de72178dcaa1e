import { FieldChange } from './object-diff';
import { KEEP_PREVIOUS_BOOT_DISK_ANNOTATION, isBootDiskTemplate } from '../model/vm-boot-disk';
import { RESTART_BY_HAND } from '../model/vm-restart-policy';
import { KUBEVIRT_VERSION } from '../platform/platform-versions';

/**
 * Fields of a VM's `spec.template.spec` that KubeVirt applies to a running store VM, with the default rollout
 * strategy (`LiveUpdate`, pkg/virt-config/virt-config.go `DefaultVMRolloutStrategy`): those that
 * pkg/virt-controller/watch/vm/vm.go `syncRestartRequired` copies over before it compares the template with
 * the one the VM started with. CPU sockets and guest memory are copied too, but hot-plugged only into a VM
 * that can live-migrate (the memory handler's `vmi.IsMigratable()`), which a VM on the node's local disk cannot;
 * volumes, disks and interfaces only when hot-plugged, which edgefleet's VMs are not. A change to any other
 * field of the template sets the VM's `RestartRequired` condition instead.
 */
const LIVE_UPDATABLE = ['nodeSelector', 'affinity', 'tolerations'].map((field) => `spec.template.spec.${field}`);

const TEMPLATE_SPEC = 'spec.template.spec';
const DATA_VOLUME_TEMPLATE = /^spec\.dataVolumeTemplates\[metadata\.name=([^\]]+)\]\.spec(\.|$)/;

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

/** The DataVolume templates whose spec changed under the same name. */
function dataVolumesChangedInPlace(fields: FieldChange[]): string[] {
  const names = fields.filter((f) => f.list === undefined).map((f) => DATA_VOLUME_TEMPLATE.exec(f.path)?.[1]);
  return [...new Set(names.filter((n): n is string => n !== undefined))];
}

/** What the diff reads of a VM's DataVolume template. */
interface DataVolumeTemplate {
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string> };
  readonly spec?: {
    readonly source?: { readonly registry?: { readonly url?: string }; readonly http?: { readonly url?: string } };
    readonly storage?: { readonly resources?: { readonly requests?: { readonly storage?: string } } };
  };
}

/** What the diff reads of a VirtualMachine. */
interface VirtualMachineMetadata {
  readonly metadata?: { readonly annotations?: Record<string, string> };
}

/** The boot DataVolume templates that a change adds (a new OS image, or size, gives the boot disk a new name). */
function newBootDisks(fields: FieldChange[]): DataVolumeTemplate[] {
  return fields
    .filter((f) => f.list === 'item-added' && f.path.startsWith('spec.dataVolumeTemplates'))
    .map((f) => f.after as DataVolumeTemplate | undefined)
    .filter((t): t is DataVolumeTemplate => isBootDiskTemplate(t));
}

/** What becomes of the boot disk a VM stops using, from its annotation and the store's restart policy. */
function replacedBootDiskFate(vm: VirtualMachineMetadata | undefined, restart: string): string {
  if (restart === RESTART_BY_HAND) return 'the disk it replaces then stays until deleted by hand';
  return vm?.metadata?.annotations?.[KEEP_PREVIOUS_BOOT_DISK_ANNOTATION] === 'false'
    ? "the store's restarter then deletes the disk it replaces"
    : "the store's restarter then keeps the disk it replaces for a rollback without download, and deletes older ones";
}

/**
 * When a change to a VirtualMachine reaches the VM running on the store, from KubeVirt's VM controller:
 * at its next restart (a non-live-updatable template field), which `restart` says when happens (the
 * store's restart policy in words), live, or never (a DataVolume template changed under its old name).
 * A new boot disk is imported first, while the VM runs. Undefined when nothing of the VM's template or
 * disks changed. `vm` is the VirtualMachine after the change.
 */
export function vmChangeEffect(fields: FieldChange[], restart: string, vm?: VirtualMachineMetadata): string | undefined {
  const effects: string[] = newBootDisks(fields).map(
    (t) =>
      `a new boot disk of ${t.spec?.storage?.resources?.requests?.storage ?? '?'}, DataVolume "${t.metadata.name}" ` +
      `(${t.spec?.source?.registry?.url ?? t.spec?.source?.http?.url ?? 'its source'}), imported while the VM runs unless the store ` +
      `still keeps it from an earlier release, booted at its next restart (${replacedBootDiskFate(vm, restart)})`,
  );
  const unchangedDisks = dataVolumesChangedInPlace(fields);
  if (unchangedDisks.length > 0) {
    effects.push(
      `never, for DataVolume ${unchangedDisks.map((n) => `"${n}"`).join(', ')} (KubeVirt creates a template's DataVolume only when it is ` +
        `missing, and CDI refuses changes to its spec): the store keeps the disk it imported; a new disk needs a new DataVolume name`,
    );
  }
  const template = fields.filter((f) => isUnder(f.path, TEMPLATE_SPEC));
  const needsRestart = template.filter((f) => !LIVE_UPDATABLE.some((live) => isUnder(f.path, live)));
  if (needsRestart.length > 0) {
    const which = needsRestart.length === 1 ? needsRestart[0].path : `${needsRestart[0].path} and ${needsRestart.length - 1} more`;
    effects.push(
      `at the VM's next restart, ${restart} (KubeVirt ${KUBEVIRT_VERSION} sets RestartRequired and keeps the running VM on its old ` +
        `template): ${which}`,
    );
  } else if (template.length > 0) {
    effects.push('live (KubeVirt applies these fields to the running VM)');
  }
  return effects.length > 0 ? effects.join('; ') : undefined;
}
