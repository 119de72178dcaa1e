import { Construct } from 'constructs';
import { IEdgeStore } from '../model/contract';
import { ManifestFile } from '../model/manifest-file';

/** Longest bundle name Fleet keeps as given (a Helm release name: rancher/fleet internal/names). */
const MAX_BUNDLE_NAME = 53;

/**
 * The `fleet.yaml` of a store synced by Rancher Fleet, in `dist/stores/<id>/`: the store's bundle
 * is built with kustomize from that folder, reaches that store's cluster and no other
 * (`overrideTargets` by cluster name, never by labels), and keeps its objects when the bundle is
 * removed or stops targeting the store.
 */
export class FleetStoreSync extends Construct {
  constructor(store: IEdgeStore, id: string) {
    super(store, id);
    const file = new ManifestFile(this, 'FleetYaml', { tree: 'stores', path: 'fleet.yaml', kustomizeResource: false });
    file.addDocument({
      ...(store.id.length <= MAX_BUNDLE_NAME ? { name: store.id } : {}),
      defaultNamespace: store.workloadNamespace,
      keepResources: true,
      overrideTargets: [{ clusterName: store.id }],
    });
  }
}
