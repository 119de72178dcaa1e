import { ApiObject } from 'cdk8s';
import { EdgeWorkload } from './edge-workload';
import { VmDisk } from './vm-disk';
import { ResolvedVmIdentity, VmIdentity, resolveVmIdentity } from './vm-identity';
import { VmRestarter } from './vm-restarter';
import {
  VirtualMachine,
  VirtualMachineSpecDataVolumeTemplates,
  VirtualMachineSpecTemplateSpecDomain,
  VirtualMachineSpecTemplateSpecDomainDevicesDisks,
  VirtualMachineSpecTemplateSpecDomainMemoryGuest,
  VirtualMachineSpecTemplateSpecVolumes,
} from '../../imports/kubevirt-kubevirt.io';
import { fail, problemAt } from '../errors/edgefleet-error';
import { IEdgeStore } from '../model/contract';
import { CpuArchitecture } from '../model/node-profile';
import { podPlacement } from '../model/pod-placement';
import { BOOT_DISK_NAME, KEEP_PREVIOUS_BOOT_DISK_ANNOTATION, isBootDiskTemplate } from '../model/vm-boot-disk';
import { StorePlatform } from '../platform/store-platform';
import { KEEP_ANNOTATIONS } from '../policies/keep-annotations';
import { checkDnsLabel, checkInteger, checkOneOf, checkQuantity } from '../prop-checks/checks';
import { renderedJson } from '../util/rendered-json';

/** KubeVirt's run strategies (`spec.running` is deprecated since KubeVirt v1.4 and never generated). */
export const RUN_STRATEGIES = ['Always', 'RerunOnFailure', 'Manual', 'Halted', 'Once'] as const;

/** A KubeVirt run strategy. */
export type RunStrategy = (typeof RUN_STRATEGIES)[number];

/** Cloud-init user data for the VM, as a NoCloud disk. */
export interface CloudInit {
  /** Inline user data (`#cloud-config ...`); never put a credential here: it is committed to Git. @default - use `userDataSecretName` */
  readonly userData?: string;
  /** Name of a Secret in the store's namespace holding the user data under the key `userdata`. @default - use `userData` */
  readonly userDataSecretName?: string;
}

/** Properties of an {@link EdgePosVm}. */
export interface EdgePosVmProps {
  /** Guest memory. @default '2Gi' */
  readonly memory?: string;
  /** Virtual CPU cores. @default 1 */
  readonly cpu?: number;
  /** The disk the VM boots from. */
  readonly bootDisk: VmDisk;
  /** Further disks by name (RFC 1123 labels), e.g. `{ data: VmDisk.localVolume({ size: '10Gi' }) }`. @default {} */
  readonly dataDisks?: Record<string, VmDisk>;
  /** Cloud-init user data. @default - no cloud-init disk */
  readonly cloudInit?: CloudInit;
  /** When KubeVirt runs the VM. @default 'Always' */
  readonly runStrategy?: RunStrategy;
  /**
   * The guest's hardware identity (firmware UUID and serial, MAC address), pinned in Git so that a
   * re-created VM is the same machine to its guest and to licence checks. Override a field to keep the
   * identity of a machine the POS is migrated from.
   * @default - derived from the fleet's `vmIdentityNamespace`, the store id and the VM id: stable across synths and re-creation, different in every
   * store
   */
  readonly identity?: VmIdentity;
  /**
   * For a DataVolume boot disk: once the VM runs a new one, the store's restarter keeps the disk it ran
   * before, so that a rollback to that version boots at once, with nothing to download; older ones it
   * deletes. `false` deletes every boot disk the VM no longer uses (the node needs room for one disk
   * less). With `vmRestart` mode 'manual' nothing is deleted: superseded disks stay until deleted by hand.
   * @default true
   */
  readonly keepPreviousBootDisk?: boolean;
}

/**
 * The first line of user data that cloud-init acts on (cloud-init docs, "User data formats"): cloud
 * config, a script, an include file, a boothook, a part handler, a Jinja template or MIME multipart.
 */
const USER_DATA_FORMAT = /^(#cloud-config|#!|#include|#cloud-boothook|#part-handler|## template: jinja|Content-Type: )/;

const CLOUD_INIT_DISK = 'cloudinit';

/**
 * The point-of-sale system as a KubeVirt VirtualMachine (kubevirt.io/v1) on the store node.
 * Generates only what KubeVirt accepts on arm64: machine type `virt`, UEFI without Secure Boot,
 * `host-passthrough` CPU with one thread per core, virtio disks. Every disk has a volume of the
 * same name. A single-node store has no live-migration target, so eviction stops the VM. The guest's
 * firmware UUID, serial and MAC address are pinned (see {@link VmIdentity}). The store gets the
 * KubeVirt custom resource, and the CDI one when a disk is a DataVolume.
 */
export class EdgePosVm extends EdgeWorkload {
  /** The generated VirtualMachine: the place for JSON patches. */
  public readonly resource: ApiObject;

  constructor(store: IEdgeStore, id: string, props: EdgePosVmProps) {
    super(store, id);
    const runStrategy = checkOneOf(this, 'runStrategy', props.runStrategy ?? 'Always', RUN_STRATEGIES);
    const disks = this.bindDisks(props);
    const labels = this.selectorLabels;
    const identity = resolveVmIdentity(this, { namespace: store.fleet.vmIdentityNamespace, storeId: store.id, vmName: this.name }, props.identity);
    StorePlatform.of(store).enableKubeVirt();
    this.addRestarter(runStrategy, disks.dataVolumeTemplates);
    if (disks.dataVolumeTemplates.length > 0) StorePlatform.of(store).enableCdi();

    this.resource = new VirtualMachine(this, 'Resource', {
      metadata: {
        name: this.name,
        namespace: store.workloadNamespace,
        labels,
        annotations: { ...KEEP_ANNOTATIONS, ...this.bootDiskAnnotations(props, disks.dataVolumeTemplates) },
      },
      spec: {
        runStrategy,
        dataVolumeTemplates: disks.dataVolumeTemplates.length ? disks.dataVolumeTemplates : undefined,
        template: {
          metadata: { labels },
          spec: {
            ...podPlacement(store.nodeProfile),
            evictionStrategy: 'None',
            terminationGracePeriodSeconds: 180,
            domain: this.domain(props, store.nodeProfile.arch, disks.disks, identity),
            networks: [{ name: 'default', pod: {} }],
            volumes: disks.volumes,
          },
        },
      },
    });
    this.node.addValidation({ validate: () => this.checkRenderedVm() });
  }

  /** Whether the restarter keeps the previous boot disk, on a VM that boots from a DataVolume. */
  private bootDiskAnnotations(props: EdgePosVmProps, dataVolumes: VirtualMachineSpecDataVolumeTemplates[]): Record<string, string> {
    if (!dataVolumes.some(isBootDiskTemplate)) {
      if (props.keepPreviousBootDisk !== undefined) {
        fail(
          this,
          `keepPreviousBootDisk ${props.keepPreviousBootDisk} applies only to a boot disk made with VmDisk.dataVolume() (drop it; this VM's ` +
            'boot disk is not one)',
        );
      }
      return {};
    }
    return { [KEEP_PREVIOUS_BOOT_DISK_ANNOTATION]: String(props.keepPreviousBootDisk ?? true) };
  }

  /** The store's restarter restarts this VM too, unless the store restarts its VMs by hand. */
  private addRestarter(runStrategy: RunStrategy, dataVolumes: VirtualMachineSpecDataVolumeTemplates[]): void {
    const mode = this.store.vmRestart.mode;
    if (mode === 'manual') return;
    if (runStrategy !== 'Always') {
      fail(
        this,
        `runStrategy "${runStrategy}" cannot be restarted by the store's vmRestart mode "${mode}" (the restarter deletes the running ` +
          'instance, which KubeVirt starts again from the new template only under runStrategy "Always"): use runStrategy "Always", ' +
          'or vmRestart { mode: "manual" } for this store',
      );
    }
    const restarter = VmRestarter.of(this.store);
    if (dataVolumes.some(isBootDiskTemplate)) restarter._manageBootDisks();
  }

  /**
   * Late check of the VM as it will be written, JSON patches included: KubeVirt rejects `spec.running`
   * next to `runStrategy`, and a disk without a volume of the same name (or the reverse).
   */
  private checkRenderedVm(): string[] {
    const spec = renderedJson(this.resource).spec ?? {};
    const problems: string[] = [];
    if ('running' in spec) {
      problems.push('spec.running is deprecated since KubeVirt v1.4 and rejected next to runStrategy (set runStrategy instead)');
    }
    const diskNames = new Set<string>((spec.template?.spec?.domain?.devices?.disks ?? []).map((d: any) => d.name));
    const volumeNames = new Set<string>((spec.template?.spec?.volumes ?? []).map((v: any) => v.name));
    for (const name of diskNames) {
      if (!volumeNames.has(name)) problems.push(`disk "${name}" has no volume of the same name (add one to spec.template.spec.volumes)`);
    }
    for (const name of volumeNames) {
      if (!diskNames.has(name)) problems.push(`volume "${name}" has no disk of the same name (add one to spec.template.spec.domain.devices.disks)`);
    }
    return problems.map((p) => problemAt(this, p));
  }

  private domain(
    props: EdgePosVmProps,
    arch: CpuArchitecture,
    disks: VirtualMachineSpecTemplateSpecDomainDevicesDisks[],
    identity: ResolvedVmIdentity,
  ): VirtualMachineSpecTemplateSpecDomain {
    const memory = checkQuantity(this, 'memory', props.memory ?? '2Gi', '2Gi', 'bytes');
    const cores = checkInteger(this, 'cpu', props.cpu ?? 1, 1);
    return {
      ...(arch === 'arm64' ? { machine: { type: 'virt' } } : {}),
      firmware: {
        uuid: identity.firmwareUuid,
        serial: identity.firmwareSerial,
        ...(arch === 'arm64' ? { bootloader: { efi: { secureBoot: false } } } : {}),
      },
      cpu: { cores, sockets: 1, threads: 1, model: 'host-passthrough' },
      memory: { guest: VirtualMachineSpecTemplateSpecDomainMemoryGuest.fromString(memory) },
      devices: {
        disks,
        interfaces: [{ name: 'default', masquerade: {}, macAddress: identity.macAddress }],
      },
    };
  }

  /** Each disk becomes a disk and a volume of the same name (and, for DataVolumes, a template). */
  private bindDisks(props: EdgePosVmProps) {
    if (!(props.bootDisk instanceof VmDisk)) {
      fail(this, 'bootDisk is missing (use VmDisk.containerDisk(image), VmDisk.localVolume({ size }) or VmDisk.dataVolume({ size, registryImage }))');
    }
    const named: Array<[string, VmDisk]> = [[BOOT_DISK_NAME, props.bootDisk]];
    for (const name of Object.keys(props.dataDisks ?? {}).sort()) {
      checkDnsLabel(this, 'dataDisks name', name);
      if (name === BOOT_DISK_NAME || name === CLOUD_INIT_DISK) {
        fail(
          this,
          `dataDisks name "${name}" is reserved (the boot disk is "${BOOT_DISK_NAME}" and cloud-init's is "${CLOUD_INIT_DISK}"; pick another name)`,
        );
      }
      named.push([name, props.dataDisks![name]]);
    }

    const volumes: VirtualMachineSpecTemplateSpecVolumes[] = [];
    const dataVolumeTemplates: VirtualMachineSpecDataVolumeTemplates[] = [];
    named.forEach(([diskName, disk]) => {
      const parts = disk._bind({
        vm: this,
        vmName: this.name,
        diskName,
        boot: diskName === BOOT_DISK_NAME,
        namespace: this.store.workloadNamespace,
        storageClass: this.store.nodeProfile.localStorageClass,
      });
      volumes.push(parts.volume);
      if (parts.dataVolumeTemplate) dataVolumeTemplates.push(parts.dataVolumeTemplate);
    });
    const cloudInit = this.cloudInitVolume(props.cloudInit);
    if (cloudInit) volumes.push(cloudInit);

    const disks = volumes.map((v): VirtualMachineSpecTemplateSpecDomainDevicesDisks => ({
      name: v.name,
      disk: { bus: 'virtio' },
      ...(v.name === BOOT_DISK_NAME ? { bootOrder: 1 } : {}),
    }));
    return { disks, volumes, dataVolumeTemplates };
  }

  private cloudInitVolume(cloudInit: CloudInit | undefined): VirtualMachineSpecTemplateSpecVolumes | undefined {
    if (!cloudInit) return undefined;
    const { userData, userDataSecretName } = cloudInit;
    if ((userData === undefined) === (userDataSecretName === undefined)) {
      fail(this, `cloudInit needs exactly one of userData and userDataSecretName (got ${userData === undefined ? 'neither' : 'both'})`);
    }
    if (userDataSecretName !== undefined) checkDnsLabel(this, 'cloudInit.userDataSecretName', userDataSecretName);
    if (userData !== undefined && !USER_DATA_FORMAT.test(userData)) {
      fail(
        this,
        `cloudInit.userData starts with "${userData.split('\n')[0].slice(0, 40)}", which cloud-init does not recognise, so it would ignore the ` +
          `user data (start it with "#cloud-config", or "#!" for a script)`,
      );
    }
    return {
      name: CLOUD_INIT_DISK,
      cloudInitNoCloud: userData !== undefined ? { userData } : { secretRef: { name: userDataSecretName! } },
    };
  }
}
