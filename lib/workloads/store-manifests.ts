import { ApiObject, ApiObjectProps } from 'cdk8s';
import { EdgeWorkload } from './edge-workload';
import type { EdgeStore } from '../fleet/edge-store';
import { StoreLayer } from '../fleet/store-layer';
import { fail } from '../errors/edgefleet-error';

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
 */
export class StoreManifests extends EdgeWorkload {
  /** The objects, in the order given. */
  public readonly objects: ApiObject[];

  constructor(store: EdgeStore, id: string, props: StoreManifestsProps) {
    super(store, id, props.layer);
    this.objects = props.manifests.map((manifest, i) => {
      const missing = ['apiVersion', 'kind'].filter((f) => !manifest[f]).concat(manifest.metadata?.name ? [] : ['metadata.name']);
      if (missing.length > 0) {
        fail(this, `manifests[${i}] (${manifest.kind ?? 'no kind'} "${manifest.metadata?.name ?? ''}") has no ${missing.join(', ')} (give each object apiVersion, kind and metadata.name)`);
      }
      return new ApiObject(this, `${manifest.kind}-${manifest.metadata!.name}-${i}`, manifest);
    });
  }
}
