import { k8s } from 'cdk8s-plus-28';
import { POD_SECURITY_CONTEXT, containerSpec } from './container-spec';
import { EdgeWorkload } from './edge-workload';
import { HealthCheck } from './health-check';
import { ingressPolicy } from './ingress-policy';
import { IEdgeStore, MANAGED_BY_LABEL } from '../model/contract';
import { podPlacement } from '../model/pod-placement';
import { VM_RESTARTER_ID, VM_RESTART_ANNOTATION, describeVmRestart, restartSchedule } from '../model/vm-restart-policy';

/**
 * The VMs it restarts: edgefleet's, run by KubeVirt under `runStrategy: Always`, whose `RestartRequired`
 * condition is true. A go-template, since the image's kubectl has no other way to test a condition.
 */
const VMS_TO_RESTART =
  '{{range .items}}{{if eq (or .spec.runStrategy "") "Always"}}{{$vm := .metadata.name}}' +
  '{{range .status.conditions}}{{if and (eq .type "RestartRequired") (eq .status "True")}}{{$vm}}{{"\\n"}}{{end}}{{end}}' +
  '{{end}}{{end}}';

/** The job's script: list, then delete each VM's instance (KubeVirt starts a new one from the VM's current template). */
const RESTART_SCRIPT = `set -eu
vms=$(kubectl get virtualmachines.kubevirt.io -n "$NAMESPACE" -l ${Object.entries(MANAGED_BY_LABEL)
  .map(([k, v]) => `${k}=${v}`)
  .join(',')} -o go-template='${VMS_TO_RESTART}')
for vm in $vms; do
  echo "VirtualMachine $vm: RestartRequired, restarting it"
  kubectl delete virtualmachineinstances.kubevirt.io "$vm" -n "$NAMESPACE" --ignore-not-found --wait=false
done
echo "restarted: \${vms:-none}"
`;

/**
 * The store's own restarter of POS VMs, so that a new POS OS image (or any change KubeVirt applies only
 * at boot) reaches the running VM in the store's maintenance window, with the WAN down too: a CronJob in
 * the VMs' namespace, in the window's time zone, that deletes the instance of each edgefleet VM whose
 * `RestartRequired` condition is true. KubeVirt's VM controller then does what its own `restart` API
 * asks of it (pkg/virt-api/rest/lifecycle.go `RestartVMRequestHandler` only records a stop and a start;
 * pkg/virt-controller/watch/vm/vm.go `stopVMI` deletes the instance the same way): under
 * `runStrategy: Always` it starts a new instance from the VM's current template and clears
 * `RestartRequired` (`startVMI`). The deletion is a graceful guest shutdown: virt-handler sends ACPI
 * shutdown and waits up to the VM's `terminationGracePeriodSeconds` (pkg/virt-handler/vm.go
 * `helperVmShutdown`). Disks are untouched. Runs every 15 minutes inside the window, and each run ends
 * when the window closes (`startingDeadlineSeconds`, `activeDeadlineSeconds`); its ServiceAccount may
 * read VirtualMachines and delete VirtualMachineInstances in this namespace, and nothing else.
 */
export class VmRestarter extends EdgeWorkload {
  /** The store's restarter, made on first use: one per store, whatever the number of VMs. */
  public static of(store: IEdgeStore): VmRestarter {
    return (store.node.tryFindChild(VM_RESTARTER_ID) as VmRestarter | undefined) ?? new VmRestarter(store);
  }

  /** The generated CronJob: the place for JSON patches. */
  public readonly resource: k8s.KubeCronJob;

  private constructor(store: IEdgeStore) {
    super(store, VM_RESTARTER_ID);
    const namespace = store.workloadNamespace;
    const labels = this.selectorLabels;
    const schedule = restartSchedule(store.vmRestart)!;
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: this.name, namespace } });
    new k8s.KubeRole(this, 'Role', {
      metadata: { name: this.name, namespace },
      rules: [
        { apiGroups: ['kubevirt.io'], resources: ['virtualmachines'], verbs: ['get', 'list'] },
        { apiGroups: ['kubevirt.io'], resources: ['virtualmachineinstances'], verbs: ['get', 'delete'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: { name: this.name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.name },
      subjects: [{ kind: 'ServiceAccount', name: this.name, namespace }],
    });
    ingressPolicy(this, { namespace, selector: labels, ports: [] });

    const parts = containerSpec(
      this,
      this.name,
      {
        image: store.vmRestart.image,
        cpu: '50m',
        memory: '64Mi',
        memoryLimit: '128Mi',
        command: ['/bin/sh', '-c', RESTART_SCRIPT],
        env: { HOME: '/tmp' },
        healthCheck: HealthCheck.none('a job that lists and deletes, then exits'),
      },
      { env: [{ name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }] },
    );
    this.resource = new k8s.KubeCronJob(this, 'Resource', {
      metadata: { name: this.name, namespace, labels, annotations: { [VM_RESTART_ANNOTATION]: describeVmRestart(store.vmRestart) } },
      spec: {
        schedule: schedule.schedule,
        timeZone: schedule.timeZone,
        startingDeadlineSeconds: schedule.startingDeadlineSeconds,
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 1,
        jobTemplate: {
          spec: {
            backoffLimit: 0,
            activeDeadlineSeconds: schedule.activeDeadlineSeconds,
            template: {
              metadata: { labels, annotations: parts.annotations },
              spec: {
                ...podPlacement(store.nodeProfile),
                restartPolicy: 'Never',
                serviceAccountName: this.name,
                securityContext: POD_SECURITY_CONTEXT,
                containers: [parts.container],
                volumes: parts.volumes,
              },
            },
          },
        },
      },
    });
  }
}
