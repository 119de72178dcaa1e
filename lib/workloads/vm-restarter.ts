import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { POD_SECURITY_CONTEXT, containerSpec } from './container-spec';
import { EdgeWorkload } from './edge-workload';
import { HealthCheck } from './health-check';
import { ingressPolicy } from './ingress-policy';
import { restartScript } from './vm-restarter-script';
import { IEdgeStore } from '../model/contract';
import { podPlacement } from '../model/pod-placement';
import { VM_RESTARTER_ID, VM_RESTART_ANNOTATION, describeVmRestart, restartSchedule } from '../model/vm-restart-policy';

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
 *
 * Where a VM boots from a DataVolume, the restarter also waits until the template's new boot disk is
 * imported before it restarts the VM (KubeVirt would otherwise start it only once the import is done,
 * with the POS down meanwhile), keeps track of which boot disk the VM runs from, and deletes those it no
 * longer uses (KubeVirt's VM controller never deletes a DataVolume dropped from the template), but the
 * one it ran before where the VM keeps it: its Role then also reads, labels and deletes DataVolumes.
 */
export class VmRestarter extends EdgeWorkload {
  /** The store's restarter, made on first use: one per store, whatever the number of VMs. */
  public static of(store: IEdgeStore): VmRestarter {
    return (store.node.tryFindChild(VM_RESTARTER_ID) as VmRestarter | undefined) ?? new VmRestarter(store);
  }

  /** The generated CronJob: the place for JSON patches. */
  public readonly resource: k8s.KubeCronJob;

  private managesBootDisks = false;

  private constructor(store: IEdgeStore) {
    super(store, VM_RESTARTER_ID);
    const namespace = store.workloadNamespace;
    const labels = this.selectorLabels;
    const schedule = restartSchedule(store.vmRestart)!;
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: this.name, namespace } });
    new k8s.KubeRole(this, 'Role', { metadata: { name: this.name, namespace }, rules: Lazy.any({ produce: () => this.rules() }) });
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
        command: ['/bin/sh', '-c', Lazy.any({ produce: () => restartScript(this.managesBootDisks) })],
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

  /** Lets the restarter manage the boot DataVolumes of the store's VMs: read, label (which it runs from) and delete (those unused). @internal */
  public _manageBootDisks(): void {
    this.managesBootDisks = true;
  }

  /** Its Role's rules: VMs and their instances, and DataVolumes where it manages boot disks. */
  private rules(): k8s.PolicyRule[] {
    return [
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachines'], verbs: ['get', 'list'] },
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachineinstances'], verbs: ['get', 'delete'] },
      ...(this.managesBootDisks ? [{ apiGroups: ['cdi.kubevirt.io'], resources: ['datavolumes'], verbs: ['get', 'list', 'patch', 'delete'] }] : []),
    ];
  }
}
