import { renderStore } from '../../lib/synth/render-store';
import { documents, objectOf, testStore } from '../util';

const OCI = { url: 'oci://registry.example.com/retail/edge-stores' };

describe('a Flux store on OCI', () => {
  test("GIVEN sync.source oci WHEN synthesized THEN the store's OCIRepository polls its own repository, verified with the publisher's key", () => {
    // GIVEN
    const store = testStore({ sync: { source: 'oci', interval: '15m' } }, { ociArtifacts: OCI });

    // WHEN
    const source = objectOf(store, 'clusters/store-001/flux-system/oci-sync.yaml', 'OCIRepository');

    // THEN
    expect(source.apiVersion).toBe('source.toolkit.fluxcd.io/v1');
    expect(source.metadata).toMatchObject({ name: 'flux-system', namespace: 'flux-system' });
    expect(source.spec).toEqual({
      interval: '15m',
      url: 'oci://registry.example.com/retail/edge-stores/store-001',
      ref: { tag: 'latest' },
      secretRef: { name: 'edgefleet-oci-pull' },
      layerSelector: { mediaType: 'application/vnd.cncf.flux.content.v1.tar+gzip', operation: 'extract' },
      verify: { provider: 'cosign', secretRef: { name: 'edgefleet-cosign-public-key' } },
    });
  });

  test('GIVEN sync.source oci WHEN synthesized THEN flux-system and both layers read from the OCIRepository, at the paths they have in Git', () => {
    const store = testStore({ sync: { source: 'oci' } }, { ociArtifacts: OCI });

    const sync = objectOf(store, 'clusters/store-001/flux-system/oci-sync.yaml', 'Kustomization');
    expect(sync.spec).toMatchObject({ path: './dist/clusters/store-001', prune: true, sourceRef: { kind: 'OCIRepository', name: 'flux-system' } });
    for (const layer of ['infrastructure', 'workloads']) {
      const kustomization = objectOf(store, `clusters/store-001/${layer}.yaml`, 'Kustomization');
      expect(kustomization.spec).toMatchObject({
        path: `./dist/stores/store-001/${layer}`,
        sourceRef: { kind: 'OCIRepository', name: 'flux-system' },
      });
    }
  });

  test("GIVEN sync.source oci WHEN synthesized THEN bootstrap's folder lists the OCI sync file, patches no GitRepository, no gotk-sync.yaml", () => {
    const store = testStore({ sync: { source: 'oci' } }, { ociArtifacts: OCI });

    const [bootstrap] = documents(store, 'clusters/store-001/flux-system/kustomization.yaml');
    expect(bootstrap.resources).toEqual(['gotk-components.yaml', 'oci-sync.yaml', 'source-controller-data.yaml']);
    expect(bootstrap.patches.map((p: any) => p.target.kind)).not.toContain('GitRepository');
    expect([...renderStore(store).keys()]).toContain('clusters/store-001/flux-system/gotk-components.yaml');
    expect([...renderStore(store).keys()]).not.toContain('clusters/store-001/flux-system/gotk-sync.yaml');
  });

  test('GIVEN the OCI settings of a private registry WHEN synthesized THEN the OCIRepository uses its tag, Secrets, CA and HTTP as told', () => {
    const ociArtifacts = {
      url: 'oci://registry.local:5000/stores/',
      tag: 'stable',
      pullSecretName: 'store-pull',
      cosignKeySecretName: 'publisher-keys',
      caSecretName: 'registry-ca',
      insecure: true,
    };
    const store = testStore({ sync: { source: 'oci' } }, { ociArtifacts });

    const source = objectOf(store, 'clusters/store-001/flux-system/oci-sync.yaml', 'OCIRepository');
    expect(source.spec).toMatchObject({
      url: 'oci://registry.local:5000/stores/store-001',
      ref: { tag: 'stable' },
      secretRef: { name: 'store-pull' },
      certSecretRef: { name: 'registry-ca' },
      insecure: true,
      verify: { secretRef: { name: 'publisher-keys' } },
    });
  });

  test('GIVEN sync.source oci and no ociArtifacts WHEN synthesized THEN the error names the store and what to set', () => {
    expect(() => renderStore(testStore({ sync: { source: 'oci' } }))).toThrow(
      /store "store-001".*sync.source "oci" needs the fleet's ociArtifacts.*oci:\/\/registry.example.com\/edgefleet\/stores/,
    );
  });

  test.each([
    [
      { url: 'https://registry.example.com/stores' },
      /ociArtifacts.url "https:\/\/registry.example.com\/stores" is not an OCI repository prefix.*use "oci:\/\//,
    ],
    [{ url: 'oci://registry.example.com/Stores' }, /ociArtifacts.url "oci:\/\/registry.example.com\/Stores" .*in lower case/],
    [{ url: 'oci://registry.example.com' }, /ociArtifacts.url "oci:\/\/registry.example.com" is not an OCI repository prefix/],
    [{ ...OCI, tag: '-latest' }, /ociArtifacts.tag "-latest" is not an OCI tag/],
    [{ ...OCI, pullSecretName: 'Pull_Secret' }, /ociArtifacts.pullSecretName "Pull_Secret" is not an RFC 1123 label/],
  ])('GIVEN ociArtifacts %j WHEN the fleet is defined THEN it is refused with the value and the fix', (ociArtifacts, message) => {
    expect(() => testStore({}, { ociArtifacts })).toThrow(message);
  });

  test('GIVEN a Rancher Fleet store with sync.source oci WHEN synthesized THEN it writes no Flux source: Fleet ignores the source', () => {
    const store = testStore({ sync: { source: 'oci', agent: 'fleet' } }, { ociArtifacts: OCI });
    expect([...renderStore(store).keys()].filter((f) => f.startsWith('clusters/'))).toEqual([]);
  });
});
