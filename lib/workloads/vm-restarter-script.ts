import { MANAGED_BY_LABEL } from '../model/contract';
import { BOOTED_STATE_LABEL, BOOT_DISK_OF_LABEL, KEEP_PREVIOUS_BOOT_DISK_ANNOTATION, UNVERSIONED_BOOT_DISK_SUFFIX } from '../model/vm-boot-disk';

/** A label's or annotation's value in a go-template, `-` when the object has none. */
const metaValue = (field: 'labels' | 'annotations', key: string) => `{{with .metadata.${field}}}{{or (index . "${key}") "-"}}{{else}}-{{end}}`;

/**
 * One line per VM: `<vm> <restart|-> <keep previous boot disk: true|false|-> [its DataVolumes...]`. A VM is to
 * restart when KubeVirt runs it under `runStrategy: Always` and its `RestartRequired` condition is true.
 * Go-templates, since the image's kubectl has no other way to test a condition.
 */
const VM_LINES =
  '{{range .items}}{{.metadata.name}} ' +
  '{{$restart := "-"}}{{if eq (or .spec.runStrategy "") "Always"}}{{with .status}}{{range .conditions}}' +
  '{{if and (eq .type "RestartRequired") (eq .status "True")}}{{$restart = "restart"}}{{end}}{{end}}{{end}}{{end}}{{$restart}} ' +
  `${metaValue('annotations', KEEP_PREVIOUS_BOOT_DISK_ANNOTATION)}` +
  '{{range .spec.dataVolumeTemplates}} {{.metadata.name}}{{end}}{{"\\n"}}{{end}}';

/** One line per DataVolume: `<dv> <phase|-> <boot disk of|-> <boot disk state|->`. */
const DATA_VOLUME_LINES =
  '{{range .items}}{{.metadata.name}} {{with .status}}{{or .phase "-"}}{{else}}-{{end}} ' +
  `${metaValue('labels', BOOT_DISK_OF_LABEL)} ${metaValue('labels', BOOTED_STATE_LABEL)}{{"\\n"}}{{end}}`;

/** A VM's instance: `<phase> [its DataVolumes...]`, nothing when it has none. */
const INSTANCE_LINE = '{{with .status}}{{or .phase "-"}}{{else}}-{{end}}{{range .spec.volumes}}{{with .dataVolume}} {{.name}}{{end}}{{end}}';

/** The DataVolumes of one VM's template, each after a space. */
const TEMPLATE_DATA_VOLUMES = '{{range .spec.dataVolumeTemplates}} {{.metadata.name}}{{end}}';

const selector = Object.entries(MANAGED_BY_LABEL)
  .map(([k, v]) => `${k}=${v}`)
  .join(',');

/** Lists the VMs, and where some VM boots from a DataVolume the boot disk helpers, over the namespace's DataVolumes. */
const LIST_VMS = `set -eu
ns=$NAMESPACE
vms=$(kubectl get virtualmachines.kubevirt.io -n "$ns" -l ${selector} -o go-template='${VM_LINES}')
`;

const BOOT_DISK_FUNCTIONS = `with_data_volumes=$(printf '%s\\n' "$vms" | while read -r vm restart keep disks; do [ -z "$disks" ] || echo "$vm"; done)
list_data_volumes() {
  if [ -n "$with_data_volumes" ]; then kubectl get datavolumes.cdi.kubevirt.io -n "$ns" -o go-template='${DATA_VOLUME_LINES}'; fi
}
dvs=$(list_data_volumes)
# a DataVolume's fields: <phase> <boot disk of> <state>
fields_of() { printf '%s\\n' "$dvs" | while read -r name rest; do if [ "$name" = "$1" ]; then echo "$rest"; fi; done; }
phase_of() { set -- $(fields_of "$1"); echo "\${1:--}"; }
state_of() { set -- $(fields_of "$1"); echo "\${3:--}"; }
# a VM's boot DataVolumes: labelled so, or named as before boot disks were versioned
boot_disks_of() {
  printf '%s\\n' "$dvs" | while read -r name phase of state; do
    if [ "$of" = "$1" ] || [ "$name" = "$1${UNVERSIONED_BOOT_DISK_SUFFIX}" ]; then echo "$name"; fi
  done
}
label() { kubectl label datavolumes.cdi.kubevirt.io "$1" -n "$ns" --overwrite "$2" "$3" >/dev/null; }
# labels the boot disk $2 that VM $1 runs from current, the one current before previous, the previous one older
mark_current() {
  [ "$(state_of "$2")" != current ] || return 0
  for other in $(boot_disks_of "$1"); do
    case "$(state_of "$other")" in
      current) label "$other" ${BOOTED_STATE_LABEL}=previous ${BOOT_DISK_OF_LABEL}="$1" ;;
      previous) label "$other" ${BOOTED_STATE_LABEL}=older ${BOOT_DISK_OF_LABEL}="$1" ;;
    esac
  done
  label "$2" ${BOOTED_STATE_LABEL}=current ${BOOT_DISK_OF_LABEL}="$1"
  echo "VirtualMachine $1: runs from boot disk $2"
  dvs=$(list_data_volumes)
}
`;

/** Before a VM's restart: the boot disk its running instance uses becomes `current`. */
const MARK_RUNNING_BOOT_DISK = `    instance=$(kubectl get virtualmachineinstances.kubevirt.io "$vm" -n "$ns" --ignore-not-found \\
      -o go-template='${INSTANCE_LINE}')
    set -- $instance
    phase=\${1:-none}
    [ $# -eq 0 ] || shift
    in_use=" $* "
    if [ "$phase" = Running ]; then
      for disk in $(boot_disks_of "$vm"); do
        case "$in_use" in *" $disk "*) mark_current "$vm" "$disk" ;; esac
      done
    fi
`;

/** Sets `importing` to the DataVolumes of the VM's template not imported yet, with their phase. */
const CHECK_IMPORTS = `      importing=
      for disk in $disks; do
        [ "$(phase_of "$disk")" = Succeeded ] || importing="$importing $disk ($(phase_of "$disk"))"
      done
`;

const RESTART = `        echo "VirtualMachine $vm: RestartRequired, restarting it"
        kubectl delete virtualmachineinstances.kubevirt.io "$vm" -n "$ns" --ignore-not-found --wait=false
        restarted="$restarted $vm"
`;

/** The restart, once the template's DataVolumes are imported. */
const RESTART_ONCE_IMPORTED = `      if [ -n "$importing" ]; then
        echo "VirtualMachine $vm: RestartRequired, waiting for DataVolume$importing to be imported"
      else
${RESTART}      fi
`;

/** After: the VM's boot disks that neither its template nor its instance uses go, but the previous one where kept. */
const DELETE_UNUSED_BOOT_DISKS = `    for disk in $(boot_disks_of "$vm"); do
      case " $disks $in_use " in *" $disk "*) continue ;; esac
      if [ "$keep" = true ] && [ "$(state_of "$disk")" = previous ]; then continue; fi
      template_now=$(kubectl get virtualmachines.kubevirt.io "$vm" -n "$ns" -o go-template='${TEMPLATE_DATA_VOLUMES}')
      case "$template_now " in *" $disk "*) continue ;; esac
      echo "VirtualMachine $vm: deleting boot disk $disk (state $(state_of "$disk")), which it no longer uses"
      kubectl delete datavolumes.cdi.kubevirt.io "$disk" -n "$ns" --ignore-not-found --wait=false
    done
`;

/**
 * The restarter job's script, POSIX sh and kubectl only. For each edgefleet VM of the namespace that is
 * to restart, its instance is deleted (KubeVirt starts a new one from the current template). Where the
 * store's VMs boot from DataVolumes (`bootDisks`), also, for each VM:
 * 1. the boot DataVolume its running instance uses is labelled `current`; the one labelled so before
 *    becomes `previous`, and the previous one `older`;
 * 2. a restart waits for a later run while a DataVolume of its template is still being imported;
 * 3. its boot DataVolumes that neither its template nor its instance uses are deleted, except the
 *    `previous` one where the VM keeps it. The template is read again just before a deletion, so a
 *    DataVolume that a change arriving meanwhile brought back is kept.
 * Stores without such VMs get the short script: it is in every store's folder.
 */
export function restartScript(bootDisks: boolean): string {
  const section = (text: string) => (bootDisks ? text : '');
  return (
    LIST_VMS +
    section(BOOT_DISK_FUNCTIONS) +
    `printf '%s\\n' "$vms" | {
  restarted=
  while read -r vm restart keep disks; do
    [ -n "$vm" ] || continue
${section(MARK_RUNNING_BOOT_DISK)}    if [ "$restart" = restart ]; then
${bootDisks ? CHECK_IMPORTS + RESTART_ONCE_IMPORTED : RESTART.replace(/^ {2}/gm, '')}    fi
${section(DELETE_UNUSED_BOOT_DISKS)}  done
  echo "restarted:\${restarted:- none}"
}
`
  );
}
