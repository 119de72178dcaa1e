import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  VirtualMachineSpecDataVolumeTemplates,
  VirtualMachineSpecDataVolumeTemplatesSpecSource,
  VirtualMachineSpecDataVolumeTemplatesSpecStorageResourcesRequests,
  VirtualMachineSpecTemplateSpecVolumes,
} from '../../imports/kubevirt-kubevirt.io';
import { fail } from '../errors/edgefleet-error';
import { BOOT_DISK_OF_LABEL } from '../model/vm-boot-disk';
import { KEEP_ANNOTATIONS } from '../policies/keep-annotations';
import { checkImage, checkOneOf, checkQuantity } from '../prop-checks/checks';

/** Where a VM disk is, as the VM that mounts it sees it. */
export interface VmDiskContext {
  /** The VM construct, for error messages and as scope of generated objects. */
  readonly vm: Construct;
  /** Name of the VM. */
  readonly vmName: string;
  /** Name of the disk, which is also the name of its volume. */
  readonly diskName: string;
  /** Whether the VM boots from the disk: a DataVolume boot disk is named after its spec, so that a new OS image is a new disk. */
  readonly boot: boolean;
  /** Namespace of the VM. */
  readonly namespace: string;
  /** The store's local StorageClass. */
  readonly storageClass: string;
}

/** What a disk adds to its VM. */
export interface VmDiskParts {
  /** The volume of the same name as the disk. */
  readonly volume: VirtualMachineSpecTemplateSpecVolumes;
  /** A DataVolume the VM owns, when the disk is imported by CDI. */
  readonly dataVolumeTemplate?: VirtualMachineSpecDataVolumeTemplates;
}

/** Options of {@link VmDisk.localVolume}. */
export interface LocalVolumeOptions {
  /** Size of the volume. */
  readonly size: string;
}

/** Options of {@link VmDisk.dataVolume}: a store-local volume that CDI fills once from one source. */
export interface DataVolumeOptions {
  /** Size of the volume: at least the virtual size of the image. */
  readonly size: string;
  /** A container image holding the disk image under `/disk`, e.g. `registry.example.com/pos/os:4.1`. @default - use `httpUrl` */
  readonly registryImage?: string;
  /** An HTTP(S) URL of a qcow2 or raw disk image. @default - use `registryImage` */
  readonly httpUrl?: string;
  /**
   * How CDI gets a `registryImage`. `'node'`: the node's container runtime pulls it as the image of the
   * import pod, so an image pre-loaded from the store's images.txt serves the import with the WAN down (CDI
   * needs no scratch volume either); the node's registry credentials apply. `'pod'`: CDI's importer
   * downloads it over the network itself, with `secretRef` credentials; pre-loading does not help.
   * @default 'node'
   */
  readonly pullMethod?: RegistryPullMethod;
}

/** How CDI gets a registry disk image: pulled by the node, or downloaded by its importer pod (CDI's `spec.source.registry.pullMethod`). */
export const REGISTRY_PULL_METHODS = ['node', 'pod'] as const;

/** How CDI gets a registry disk image. */
export type RegistryPullMethod = (typeof REGISTRY_PULL_METHODS)[number];

/**
 * A VM disk on store-local storage: a containerDisk (an immutable image cached by the node),
 * a PersistentVolumeClaim of the store's local StorageClass, or a CDI DataVolume onto one.
 */
export abstract class VmDisk {
  /** A disk from a container image; writes are lost when the VM restarts. Pulled `IfNotPresent`. */
  public static containerDisk(image: string): VmDisk {
    return new ContainerDisk(image);
  }

  /** An empty PersistentVolumeClaim `<vm>-<disk>` of the store's local StorageClass, kept across restarts. */
  public static localVolume(options: LocalVolumeOptions): VmDisk {
    return new LocalVolume(options);
  }

  /**
   * A DataVolume of the store's local StorageClass, imported once by CDI from a registry (pulled by the node,
   * by default) or URL: `<vm>-<disk>` for a data disk; for the boot disk `<vm>-boot-<digest of its spec>`, so
   * that a new image (or size) is imported into a new disk, which the VM boots at its next restart.
   */
  public static dataVolume(options: DataVolumeOptions): VmDisk {
    return new DataVolumeDisk(options);
  }

  /** Generates the disk's objects and returns what it adds to the VM. @internal */
  public abstract _bind(ctx: VmDiskContext): VmDiskParts;
}

/** Name of the claim or DataVolume behind a disk: `<vm>-<disk>`, then `-<version>` if given. */
function claimName(ctx: VmDiskContext, version?: string): string {
  const name = [ctx.vmName, ctx.diskName, version].filter(Boolean).join('-');
  if (name.length > 63) {
    fail(ctx.vm, `disk "${ctx.diskName}" gives the volume name "${name}", longer than 63 characters (use a shorter VM id or disk name)`);
  }
  return name;
}

/** The validated size of a disk's claim or DataVolume. */
function claimSize(ctx: VmDiskContext, size: string): string {
  return checkQuantity(ctx.vm, `disk "${ctx.diskName}" size`, size, '20Gi', 'bytes');
}

class ContainerDisk extends VmDisk {
  constructor(private readonly image: string) {
    super();
  }

  public _bind(ctx: VmDiskContext): VmDiskParts {
    checkImage(ctx.vm, `disk "${ctx.diskName}" image`, this.image);
    return { volume: { name: ctx.diskName, containerDisk: { image: this.image, imagePullPolicy: 'IfNotPresent' } } };
  }
}

class LocalVolume extends VmDisk {
  constructor(private readonly options: LocalVolumeOptions) {
    super();
  }

  public _bind(ctx: VmDiskContext): VmDiskParts {
    const name = claimName(ctx);
    const size = claimSize(ctx, this.options.size);
    new k8s.KubePersistentVolumeClaim(ctx.vm, `Claim-${ctx.diskName}`, {
      metadata: { name, namespace: ctx.namespace, labels: { 'app.kubernetes.io/name': ctx.vmName }, annotations: KEEP_ANNOTATIONS },
      spec: {
        storageClassName: ctx.storageClass,
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: k8s.Quantity.fromString(size) } },
      },
    });
    return { volume: { name: ctx.diskName, persistentVolumeClaim: { claimName: name } } };
  }
}

/**
 * Asks CDI to import a DataVolume as soon as it exists (CDI doc/waitforfirstconsumer-storage-handling.md,
 * `AnnImmediateBinding`): on the store's local-path StorageClass, which binds a volume only once its consumer
 * is scheduled, CDI would otherwise wait for the VM's pod, and a new boot disk would be imported only at the
 * VM's restart, with the POS down meanwhile. A store has one node, so binding at once binds where the VM runs.
 */
const IMPORT_AT_ONCE = { 'cdi.kubevirt.io/storage.bind.immediate.requested': 'true' };

class DataVolumeDisk extends VmDisk {
  constructor(private readonly options: DataVolumeOptions) {
    super();
  }

  public _bind(ctx: VmDiskContext): VmDiskParts {
    const source = this.source(ctx);
    const size = claimSize(ctx, this.options.size);
    const name = claimName(ctx, ctx.boot ? specDigest({ source, size, storageClass: ctx.storageClass }) : undefined);
    return {
      volume: { name: ctx.diskName, dataVolume: { name } },
      dataVolumeTemplate: {
        metadata: ctx.boot
          ? { name, labels: { 'app.kubernetes.io/name': ctx.vmName, [BOOT_DISK_OF_LABEL]: ctx.vmName }, annotations: IMPORT_AT_ONCE }
          : { name, labels: { 'app.kubernetes.io/name': ctx.vmName } },
        spec: {
          source,
          storage: {
            storageClassName: ctx.storageClass,
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: VirtualMachineSpecDataVolumeTemplatesSpecStorageResourcesRequests.fromString(size) } },
          },
        },
      },
    };
  }

  private source(ctx: VmDiskContext): VirtualMachineSpecDataVolumeTemplatesSpecSource {
    const { registryImage, httpUrl } = this.options;
    if ((registryImage === undefined) === (httpUrl === undefined)) {
      fail(ctx.vm, `disk "${ctx.diskName}" needs exactly one source (set either registryImage or httpUrl)`);
    }
    if (registryImage !== undefined) {
      checkImage(ctx.vm, `disk "${ctx.diskName}" registryImage`, registryImage);
      const pullMethod = checkOneOf(ctx.vm, `disk "${ctx.diskName}" pullMethod`, this.options.pullMethod ?? 'node', REGISTRY_PULL_METHODS);
      return { registry: { url: `docker://${registryImage}`, pullMethod } };
    }
    if (this.options.pullMethod !== undefined) {
      fail(ctx.vm, `disk "${ctx.diskName}" pullMethod "${this.options.pullMethod}" applies only to a registryImage (drop it for an httpUrl)`);
    }
    if (!/^https?:\/\/\S+$/.test(httpUrl!)) {
      fail(ctx.vm, `disk "${ctx.diskName}" httpUrl "${httpUrl}" is not an HTTP(S) URL (use "https://images.example.com/pos-4.1.qcow2")`);
    }
    return { http: { url: httpUrl! } };
  }
}

/** Eight hex digits of the SHA-256 of what a DataVolume imports and where: the version in a boot disk's name. */
function specDigest(spec: object): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 8);
}
