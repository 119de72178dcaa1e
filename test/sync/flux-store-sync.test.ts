import * as YAML from 'yaml';
import { renderStore } from '../../lib/synth/render-store';
import { documents, objectOf, testStore } from '../util';

describe('FluxStoreSync', () => {
  test('GIVEN a store WHEN synthesized THEN Flux applies infrastructure first and workloads after it', () => {
    // GIVEN
    const store = testStore({ sync: { interval: '10m' } });

    // WHEN
    const infra = objectOf(store, 'clusters/store-001/infrastructure.yaml', 'Kustomization');
    const workloads = objectOf(store, 'clusters/store-001/workloads.yaml', 'Kustomization');

    // THEN
    expect(infra.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1');
    expect(infra.spec).toMatchObject({
      path: './dist/stores/store-001/infrastructure',
      prune: true,
      wait: true,
      interval: '10m',
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    });
    expect(workloads.spec).toMatchObject({
      path: './dist/stores/store-001/workloads',
      prune: true,
      dependsOn: [{ name: 'edgefleet-infrastructure' }],
    });
    expect(workloads.spec.timeout).toBe('10m');
    expect(infra.spec).not.toHaveProperty('suspend');
  });

  test('GIVEN a store WHEN synthesized THEN deleting its Kustomizations orphans what they applied instead of deleting it', () => {
    // GIVEN a store, WHEN its Kustomizations are generated
    const store = testStore();
    // THEN removing the store from the fleet (flux-system prunes these files' objects) leaves the store running what it has
    for (const layer of ['infrastructure', 'workloads']) {
      const kustomization = objectOf(store, `clusters/store-001/${layer}.yaml`, 'Kustomization');
      expect(kustomization.spec).toMatchObject({ prune: true, deletionPolicy: 'Orphan' });
    }
  });

  test('GIVEN autoSync false WHEN synthesized THEN both Kustomizations are suspended, and flux-system is not', () => {
    const store = testStore({ sync: { autoSync: false } });
    expect(objectOf(store, 'clusters/store-001/infrastructure.yaml', 'Kustomization').spec.suspend).toBe(true);
    expect(objectOf(store, 'clusters/store-001/workloads.yaml', 'Kustomization').spec.suspend).toBe(true);
    expect(JSON.stringify(documents(store, 'clusters/store-001/flux-system/kustomization.yaml'))).not.toContain('suspend');
  });

  test("GIVEN a store interval and branch WHEN synthesized THEN bootstrap's GitRepository is patched to them", () => {
    const store = testStore({ sync: { interval: '15m' } }, { repository: { url: 'ssh://git@git.example.com/fleet.git', branch: 'stores' } });
    const [kustomization] = documents(store, 'clusters/store-001/flux-system/kustomization.yaml');
    expect(YAML.parse(kustomization.patches[0].patch)).toEqual([
      { op: 'replace', path: '/spec/interval', value: '15m' },
      { op: 'replace', path: '/spec/ref', value: { branch: 'stores' } },
      { op: 'add', path: '/spec/ignore', value: expect.stringContaining('!/dist/stores/store-001/') },
    ]);
  });

  test('GIVEN a store WHEN synthesized THEN source-controller keeps its artifacts on a local, unprunable volume', () => {
    // GIVEN
    const store = testStore({}, { nodeProfile: { localStorageClass: 'store-ssd' } });

    // WHEN
    const claim = objectOf(store, 'clusters/store-001/flux-system/source-controller-data.yaml', 'PersistentVolumeClaim');
    const [kustomization] = documents(store, 'clusters/store-001/flux-system/kustomization.yaml');

    // THEN
    expect(claim.metadata).toMatchObject({
      name: 'source-controller-data',
      namespace: 'flux-system',
      annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' },
    });
    expect(claim.spec.storageClassName).toBe('store-ssd');
    const patch = kustomization.patches.find((p: any) => p.target.kind === 'Deployment' && p.target.name === 'source-controller');
    expect(patch.target).toEqual({ kind: 'Deployment', name: 'source-controller' });
    expect(YAML.parse(patch.patch).spec.template.spec.volumes).toEqual([
      { name: 'data', emptyDir: null, persistentVolumeClaim: { claimName: 'source-controller-data' } },
    ]);
  });

  test('GIVEN a store interval WHEN synthesized THEN source-controller retries a failed fetch at least once per interval', () => {
    // GIVEN a store polling every 5m, WHEN its bootstrap kustomization is generated
    const [kustomization] = documents(testStore({ sync: { interval: '5m' } }), 'clusters/store-001/flux-system/kustomization.yaml');
    // THEN source-controller's exponential backoff (up to 15m by default) is capped at the interval
    const patches = kustomization.patches.filter((p: any) => p.target.name === 'source-controller').map((p: any) => YAML.parse(p.patch));
    expect(patches).toContainEqual([{ op: 'add', path: '/spec/template/spec/containers/0/args/-', value: '--max-retry-delay=5m' }]);
  });

  test("GIVEN a node with taints WHEN synthesized THEN every one of Flux's Deployments tolerates them, so the store's first pods schedule", () => {
    // GIVEN a store whose node carries two taints
    const taints = [
      { key: 'edge-node', effect: 'NoSchedule' as const },
      { key: 'pos-only', effect: 'NoExecute' as const },
    ];
    // WHEN its bootstrap kustomization is generated
    const [kustomization] = documents(testStore({}, { nodeProfile: { taints } }), 'clusters/store-001/flux-system/kustomization.yaml');
    // THEN one patch targets every Deployment that bootstrap installs (all of them Flux's) with a toleration per taint
    const patch = kustomization.patches.find((p: any) => p.target.kind === 'Deployment' && p.target.name === undefined);
    expect(patch.target).toEqual({ kind: 'Deployment' });
    expect(YAML.parse(patch.patch).spec.template.spec.tolerations).toEqual([
      { key: 'edge-node', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'pos-only', operator: 'Exists', effect: 'NoExecute' },
    ]);
  });

  test("GIVEN a store WHEN synthesized THEN bootstrap's files are there as empty placeholders, as Flux's bootstrap guide asks", () => {
    const files = renderStore(testStore());
    expect(files.get('clusters/store-001/flux-system/gotk-components.yaml')).toBe('');
    expect(files.get('clusters/store-001/flux-system/gotk-sync.yaml')).toBe('');
  });

  test('GIVEN a fleet asking for sparse checkout WHEN synthesized THEN each store fetches only its two folders', () => {
    // GIVEN
    const store = testStore(
      { sync: { interval: '15m' } },
      { repository: { url: 'ssh://git@git.example.com/fleet.git', branch: 'stores', path: 'gitops', sparseCheckout: true } },
    );

    // WHEN
    const [kustomization] = documents(store, 'clusters/store-001/flux-system/kustomization.yaml');

    // THEN
    expect(kustomization.resources).toEqual(['gotk-components.yaml', 'gotk-sync.yaml', 'source-controller-data.yaml']);
    expect(kustomization.patches[0].target).toEqual({ kind: 'GitRepository', name: 'flux-system' });
    expect(YAML.parse(kustomization.patches[0].patch)).toEqual([
      { op: 'replace', path: '/spec/interval', value: '15m' },
      { op: 'replace', path: '/spec/ref', value: { branch: 'stores' } },
      { op: 'add', path: '/spec/ignore', value: expect.stringContaining('!/gitops/clusters/store-001/') },
      { op: 'add', path: '/spec/sparseCheckout', value: ['gitops/stores/store-001', 'gitops/clusters/store-001'] },
    ]);
    expect(objectOf(store, 'clusters/store-001/workloads.yaml', 'Kustomization').spec.path).toBe('./gitops/stores/store-001/workloads');
  });
});
