import { MANAGED_BY_LABEL } from '../model/contract';
import { BOOTED_STATE_LABEL, BOOT_DISK_NAME, BOOT_DISK_OF_LABEL, KEEP_PREVIOUS_BOOT_DISK_ANNOTATION } from '../model/vm-boot-disk';

/** A label's or annotation's value in a go-template, `-` when the object has none. */
const metaValue = (field: 'labels' | 'annotations', key: string) => `{{with .metadata.${field}}}{{or (index . "${key}") "-"}}{{else}}-{{end}}`;

/**
 * One line per VM: `<vm> <uid> <restart|-> <keep previous boot disk: true|false|-> [its DataVolumes...]`. A VM
 * is to restart when KubeVirt runs it under `runStrategy: Always` and its `RestartRequired` condition is
 * true. Go-templates, since the image's kubectl has no other way to test a condition.
 */
const VM_LINES =
  '{{range .items}}{{.metadata.name}} {{.metadata.uid}} ' +
  '{{$restart := "-"}}{{if eq (or .spec.runStrategy "") "Always"}}{{with .status}}{{range .conditions}}' +
  '{{if and (eq .type "RestartRequired") (eq .status "True")}}{{$restart = "restart"}}{{end}}{{end}}{{end}}{{end}}{{$restart}} ' +
  `${metaValue('annotations', KEEP_PREVIOUS_BOOT_DISK_ANNOTATION)}` +
  '{{range .spec.dataVolumeTemplates}} {{.metadata.name}}{{end}}{{"\\n"}}{{end}}';

/** One line per DataVolume: `<dv> <phase|-> <uid of its controlling owner|-> <boot disk of|-> <boot disk state|->`. */
const DATA_VOLUME_LINES =
  '{{range .items}}{{.metadata.name}} {{with .status}}{{or .phase "-"}}{{else}}-{{end}} ' +
  '{{$owner := "-"}}{{range .metadata.ownerReferences}}{{if .controller}}{{$owner = .uid}}{{end}}{{end}}{{$owner}} ' +
  `${metaValue('labels', BOOT_DISK_OF_LABEL)} ${metaValue('labels', BOOTED_STATE_LABEL)}{{"\\n"}}{{end}}`;

/** A VM's instance: `<phase> [its DataVolumes...]`, nothing when it has none. */
const INSTANCE_LINE = '{{with .status}}{{or .phase "-"}}{{else}}-{{end}}{{range .spec.volumes}}{{with .dataVolume}} {{.name}}{{end}}{{end}}';

/** The DataVolumes of one VM's template, separated by spaces. */
const TEMPLATE_DATA_VOLUMES = '{{range $i, $t := .spec.dataVolumeTemplates}}{{if $i}} {{end}}{{$t.metadata.name}}{{end}}';

const selector = Object.entries(MANAGED_BY_LABEL)
  .map(([k, v]) => `${k}=${v}`)
  .join(',');

/**
 * Lists the VMs. kubectl never reads the loop's input (`k`). A restart deletes the VM's instance: KubeVirt
 * starts a new one from the VM's current template.
 */
const LIST_VMS = `set -eu
ns=$NAMESPACE
k() { kubectl "$@" </dev/null; }
restart_vm() {
  echo "VirtualMachine $1: RestartRequired, restarting it"
  k delete virtualmachineinstances.kubevirt.io "$1" -n "$ns" --ignore-not-found --wait=false
}
vms=$(k get virtualmachines.kubevirt.io -n "$ns" -l ${selector} -o go-template='${VM_LINES}')
`;

/** The boot disk helpers, over the namespace's DataVolumes (listed only where some VM has DataVolumes). */
const BOOT_DISK_FUNCTIONS = `# every DataVolume that a VM's template names
all_templates=" $(printf '%s\\n' "$vms" | while read -r vm uid restart keep disks; do printf '%s ' "$disks"; done) "
list_data_volumes() {
  set -- $all_templates
  if [ $# -gt 0 ]; then k get datavolumes.cdi.kubevirt.io -n "$ns" -o go-template='${DATA_VOLUME_LINES}'; fi
}
dvs=$(list_data_volumes)
# a DataVolume's fields: <phase> <owner> <boot disk of> <state>
fields_of() { printf '%s\\n' "$dvs" | while read -r name rest; do if [ "$name" = "$1" ]; then echo "$rest"; fi; done; }
phase_of() { set -- $(fields_of "$1"); echo "\${1:--}"; }
state_of() { set -- $(fields_of "$1"); echo "\${4:--}"; }
# the boot DataVolumes of VM $1 (uid $2): those KubeVirt made for it (it is their controlling owner), labelled as its
# boot disk or named as before boot disks were versioned
boot_disks_of() {
  printf '%s\\n' "$dvs" | while read -r name phase owner of state; do
    if [ "$owner" = "$2" ] && { [ "$of" = "$1" ] || [ "$name" = "$1-${BOOT_DISK_NAME}" ]; }; then echo "$name"; fi
  done
}
# the phases in which KubeVirt counts a DataVolume ready to start a VM from (handleDataVolumes)
is_ready() { case "$1" in Succeeded | WaitForFirstConsumer | PendingPopulation) return 0 ;; esac; return 1; }
label() { k label datavolumes.cdi.kubevirt.io "$1" -n "$ns" --overwrite ${BOOTED_STATE_LABEL}="$2" ${BOOT_DISK_OF_LABEL}="$3" >/dev/null; }
# VM $1 (uid $2) runs from boot disk $3: it becomes current, then any other current one previous, the previous one
# older; in that order, so that a run stopped half-way leaves labels that the next run completes
mark_current() {
  if [ "$(state_of "$3")" != current ]; then
    label "$3" current "$1"
    echo "VirtualMachine $1: runs from boot disk $3"
  fi
  demote=
  for other in $(boot_disks_of "$1" "$2"); do
    if [ "$other" != "$3" ] && [ "$(state_of "$other")" = current ]; then demote="$demote $other"; fi
  done
  if [ -n "$demote" ]; then
    for other in $(boot_disks_of "$1" "$2"); do
      if [ "$other" != "$3" ] && [ "$(state_of "$other")" = previous ]; then label "$other" older "$1"; fi
    done
    for other in $demote; do label "$other" previous "$1"; done
  fi
  dvs=$(list_data_volumes)
}
template_of() { k get virtualmachines.kubevirt.io "$1" -n "$ns" -o go-template='${TEMPLATE_DATA_VOLUMES}'; }
`;

/** One VM, on a store whose VMs boot from containerDisks: restart it if it is to. */
const PROCESS_VM = `process() {
  if [ "$3" = restart ]; then restart_vm "$1"; fi
}
`;

/**
 * One VM, on a store where VMs boot from DataVolumes: mark the boot disk its running instance uses; restart it
 * once every DataVolume of its template is ready, and its template is the one read at the start; then, only
 * while it runs from a boot disk, delete its boot disks that no VM's template and not its instance use, but the
 * current one and, where kept, the previous one. The template is read again just before each deletion.
 */
const PROCESS_VM_WITH_BOOT_DISKS = `process() {
  vm=$1 uid=$2 restart=$3 keep=$4
  shift 4
  disks=" $* "
  instance=$(k get virtualmachineinstances.kubevirt.io "$vm" -n "$ns" --ignore-not-found -o go-template='${INSTANCE_LINE}')
  set -- $instance
  phase=\${1:-none}
  [ $# -eq 0 ] || shift
  in_use=" $* "
  running_from=
  if [ "$phase" = Running ]; then
    for disk in $(boot_disks_of "$vm" "$uid"); do
      case "$in_use" in *" $disk "*) running_from=$disk ;; esac
    done
  fi
  if [ -n "$running_from" ]; then mark_current "$vm" "$uid" "$running_from"; fi
  if [ "$restart" = restart ]; then
    importing=
    for disk in $disks; do
      disk_phase=$(phase_of "$disk")
      is_ready "$disk_phase" || importing="$importing $disk ($disk_phase)"
    done
    if [ -n "$importing" ]; then
      echo "VirtualMachine $vm: RestartRequired, waiting for DataVolume$importing to be imported"
    elif [ " $(template_of "$vm") " != "$disks" ]; then
      echo "VirtualMachine $vm: RestartRequired, its template changed during this run; the next run restarts it"
    else
      restart_vm "$vm"
    fi
  fi
  if [ -z "$running_from" ]; then return 0; fi
  for disk in $(boot_disks_of "$vm" "$uid"); do
    case "$all_templates$in_use" in *" $disk "*) continue ;; esac
    state=$(state_of "$disk")
    if [ "$state" = current ] || { [ "$keep" = true ] && [ "$state" = previous ]; }; then continue; fi
    case " $(template_of "$vm") " in *" $disk "*) continue ;; esac
    echo "VirtualMachine $vm: deleting boot disk $disk (state $state), which it no longer uses"
    k delete datavolumes.cdi.kubevirt.io "$disk" -n "$ns" --ignore-not-found --wait=false
  done
}
`;

/** Each VM in a subshell that stops at its first error, the others going on; the job fails if one did. */
const FOR_EACH_VM = `failed=
while read -r vm uid restart keep disks; do
  [ -n "$vm" ] || continue
  set +e
  (
    set -e
    process "$vm" "$uid" "$restart" "$keep" $disks
  )
  status=$?
  set -e
  if [ "$status" -ne 0 ]; then
    failed="$failed $vm"
    echo "VirtualMachine $vm: the restarter failed (exit status $status); it goes on with the other VMs"
  fi
done <<VMS
$vms
VMS
if [ -n "$failed" ]; then
  echo "failed for:$failed"
  exit 1
fi
`;

/**
 * The restarter job's script, POSIX sh and kubectl only (BusyBox's ash and dash run it). For each edgefleet VM
 * of the namespace that is to restart, its instance is deleted (KubeVirt starts a new one from the current
 * template). Where the store's VMs boot from DataVolumes (`bootDisks`), for each VM also:
 * 1. the boot DataVolume that its running instance uses is labelled `current`; the one labelled so before
 *    becomes `previous`, and the previous one `older`;
 * 2. a restart waits for a later run while a DataVolume of its template is not ready (the phases in which
 *    KubeVirt would start the VM from it), or when its template changed during the run;
 * 3. while it runs from a boot disk (never while it is stopped, starting or failing, so that the disk it ran
 *    before stays for a rollback), the boot DataVolumes that KubeVirt made for it and that no VM's template and
 *    not its instance use are deleted, except the `current` one and, where the VM keeps it, the `previous` one.
 * Stores without such VMs get the short script: it is in every store's folder.
 */
export function restartScript(bootDisks: boolean): string {
  return LIST_VMS + (bootDisks ? BOOT_DISK_FUNCTIONS + PROCESS_VM_WITH_BOOT_DISKS : PROCESS_VM) + FOR_EACH_VM;
}
