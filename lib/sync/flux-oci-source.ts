import { Construct } from 'constructs';
import { Kustomization, KustomizationSpecSourceRefKind } from '../../imports/flux-kustomize-kustomize.toolkit.fluxcd.io';
import {
  OciRepository,
  OciRepositorySpecLayerSelectorOperation,
  OciRepositorySpecVerifyProvider,
} from '../../imports/flux-source-oci-source.toolkit.fluxcd.io';
import { fail } from '../errors/edgefleet-error';
import { IEdgeStore } from '../model/contract';
import { FLUX_SYSTEM, storeFolderInRepository } from '../model/dist-layout';
import { ManifestFile } from '../model/manifest-file';
import { FLUX_CONTENT_MEDIA_TYPE, OCI_SYNC_FILE, ResolvedOciArtifacts, storeArtifactRepository } from '../model/oci-artifacts';

/**
 * What `flux bootstrap` writes to `gotk-sync.yaml` for a store on Git, written by synth for a store on
 * OCI (bootstrap has no OCI source): the `flux-system` OCIRepository, which polls the store's own
 * repository at its interval, follows the fleet's tag and accepts only artifacts signed with the
 * publisher's cosign key, and the `flux-system` Kustomization that applies the store's
 * `clusters/<id>/` folder from it. Bootstrapping a store on OCI is applying this file once; from then
 * on it comes with every artifact, so a change of interval or tag reaches the store like any other.
 */
export class FluxOciSource extends Construct {
  constructor(store: IEdgeStore, id: string) {
    super(store, id);
    const artifacts = ociArtifactsOf(store);
    const file = new ManifestFile(this, 'File', { tree: 'clusters', path: OCI_SYNC_FILE, kustomizeResource: false });
    new OciRepository(file, 'Source', {
      metadata: { name: FLUX_SYSTEM, namespace: FLUX_SYSTEM },
      spec: {
        interval: store.sync.interval,
        url: storeArtifactRepository(artifacts.url, store.id),
        ref: { tag: artifacts.tag },
        secretRef: { name: artifacts.pullSecretName },
        certSecretRef: artifacts.caSecretName ? { name: artifacts.caSecretName } : undefined,
        insecure: artifacts.insecure || undefined,
        layerSelector: { mediaType: FLUX_CONTENT_MEDIA_TYPE, operation: OciRepositorySpecLayerSelectorOperation.EXTRACT },
        verify: { provider: OciRepositorySpecVerifyProvider.COSIGN, secretRef: { name: artifacts.cosignKeySecretName } },
      },
    });
    new Kustomization(file, 'Sync', {
      metadata: { name: FLUX_SYSTEM, namespace: FLUX_SYSTEM },
      spec: {
        interval: '10m0s',
        path: `./${storeFolderInRepository(store.fleet.repository.path, store.id, 'clusters')}`,
        prune: true,
        sourceRef: { kind: KustomizationSpecSourceRefKind.OCI_REPOSITORY, name: FLUX_SYSTEM },
      },
    });
  }
}

function ociArtifactsOf(store: IEdgeStore): ResolvedOciArtifacts {
  if (!store.fleet.ociArtifacts) {
    fail(
      store,
      `sync.source "oci" needs the fleet's ociArtifacts, the registry the stores pull from (set EdgeFleetProps ociArtifacts: ` +
        `{ url: "oci://registry.example.com/edgefleet/stores" }, or use sync.source "main" or "store-branch")`,
    );
  }
  return store.fleet.ociArtifacts;
}
