import { Construct } from 'constructs';
import { CdiPlatform } from './cdi-platform';
import { KubeVirtPlatform } from './kubevirt-platform';
import { RuntimeClasses } from './runtime-classes';
import type { IEdgeStore } from '../model/contract';
import { ResolvedNodeProfile } from '../model/node-profile';

/** The id of a store's platform construct, a child of the store. */
const STORE_PLATFORM_ID = 'Platform';

/** Properties of a {@link StorePlatform}. */
export interface StorePlatformProps {
  /** The store's node profile. */
  readonly nodeProfile: ResolvedNodeProfile;
}

/**
 * What a store's workloads need from the cluster itself, in the store's infrastructure layer (applied
 * before workloads): the KubeVirt custom resource once the store has a VM, the CDI custom resource once
 * it has a DataVolume, and the RuntimeClasses of its node where K3s does not create them. The operators
 * themselves come with the store image or its bootstrap.
 */
export class StorePlatform extends Construct {
  /** The platform of `store`, created on first use: every construct that needs KubeVirt or CDI in the store asks for it here. */
  public static of(store: IEdgeStore): StorePlatform {
    const existing = store.node.tryFindChild(STORE_PLATFORM_ID);
    return existing ? (existing as StorePlatform) : new StorePlatform(store, STORE_PLATFORM_ID, { nodeProfile: store.nodeProfile });
  }

  private readonly nodeProfile: ResolvedNodeProfile;
  private kubevirtPlatform?: KubeVirtPlatform;
  private cdiPlatform?: CdiPlatform;

  constructor(scope: Construct, id: string, props: StorePlatformProps) {
    super(scope, id);
    this.nodeProfile = props.nodeProfile;
    if (props.nodeProfile.runtimeClassSource === 'edgefleet' && props.nodeProfile.runtimeClasses.length > 0) {
      new RuntimeClasses(this, 'RuntimeClasses', { names: props.nodeProfile.runtimeClasses });
    }
  }

  /** The store's KubeVirt custom resource, if the store runs VMs. */
  public get kubevirt(): KubeVirtPlatform | undefined {
    return this.kubevirtPlatform;
  }

  /** The store's CDI custom resource, if the store has DataVolumes. */
  public get cdi(): CdiPlatform | undefined {
    return this.cdiPlatform;
  }

  /** The store's KubeVirt custom resource, generated on first use: every construct that adds a VM calls this. */
  public enableKubeVirt(): KubeVirtPlatform {
    this.kubevirtPlatform ??= new KubeVirtPlatform(this, 'KubeVirt', { nodeProfile: this.nodeProfile });
    return this.kubevirtPlatform;
  }

  /** The store's CDI custom resource, generated on first use: every construct that adds a DataVolume calls this. */
  public enableCdi(): CdiPlatform {
    this.cdiPlatform ??= new CdiPlatform(this, 'Cdi', { nodeProfile: this.nodeProfile });
    return this.cdiPlatform;
  }
}
