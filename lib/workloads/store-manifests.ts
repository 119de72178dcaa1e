import { ApiObject, ApiObjectProps } from 'cdk8s';
import { EdgeWorkload } from './edge-workload';
import { fail } from '../errors/edgefleet-error';
import { IEdgeStore } from '../model/contract';
import { StoreLayer } from '../model/store-layer';
import { hasDataVolumes } from '../platform/check-platform';
import { featureGatesOf } from '../platform/kubevirt-feature-gates';
import { StorePlatform } from '../platform/store-platform';

/** Properties of {@link StoreManifests}. */
export interface StoreManifestsProps {
  /** The objects, each with `apiVersion`, `kind` and `metadata.name`. */
  readonly manifests: ApiObjectProps[];
  /** The layer the objects are applied in. @default 'workloads' */
  readonly layer?: StoreLayer;
}

/**
 * Escape hatch: Kubernetes objects that no edgefleet construct generates, written as they are to
 * `dist/stores/<store>/<layer>/<id>.yaml`. Each object is an `ApiObject`, so JSON patches apply.
 * VirtualMachines among them get the store its KubeVirt custom resource, with the feature gates they
 * use, and DataVolumes its CDI custom resource.
 */
export class StoreManifests extends EdgeWorkload {
  /** The objects, in the order given. */
  public readonly objects: ApiObject[];

  constructor(store: IEdgeStore, id: string, props: StoreManifestsProps) {
    super(store, id, props.layer);
    this.objects = props.manifests.map((manifest, i) => {
      const missing = ['apiVersion', 'kind'].filter((f) => !manifest[f]).concat(manifest.metadata?.name ? [] : ['metadata.name']);
      if (missing.length > 0) {
        fail(
          this,
          `manifests[${i}] (${manifest.kind ?? 'no kind'} "${manifest.metadata?.name ?? ''}") has no ${missing.join(', ')} (give each object ` +
            `apiVersion, kind and metadata.name)`,
        );
      }
      return new ApiObject(this, `${manifest.kind}-${manifest.metadata!.name}-${i}`, manifest);
    });
    const vms = props.manifests.filter((m) => m.kind === 'VirtualMachine');
    if (vms.length > 0) {
      StorePlatform.of(store)
        .enableKubeVirt()
        .addFeatureGates(...vms.flatMap((vm) => featureGatesOf(vm).map((f) => f.gate)));
    }
    if (hasDataVolumes(props.manifests)) StorePlatform.of(store).enableCdi();
  }
}
