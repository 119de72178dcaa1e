import * as YAML from 'yaml';
import { EdgeStore, EdgeApp } from '../../lib';
import { renderStore } from '../../lib/synth/render-store';
import { objectOf, testFleet, testStore, withLateChecks } from '../util';

describe('EdgeStore', () => {
  test('GIVEN a store without overrides WHEN created THEN it takes the fleet defaults', () => {
    // GIVEN / WHEN
    const store = testStore();

    // THEN
    expect(store.nodeProfile).toEqual({
      cpu: 4,
      memory: '8Gi',
      arch: 'arm64',
      taints: [{ key: 'edge-node', effect: 'NoSchedule' }],
      localStorageClass: 'local-path',
      runtimeClasses: [],
      runtimeClassSource: 'k3s',
      kubevirtNamespace: 'kubevirt',
    });
    expect(store.sync).toEqual({ autoSync: true, interval: '5m', agent: 'flux', source: 'main' });
  });

  test('GIVEN store overrides WHEN created THEN they replace the fleet values field by field', () => {
    // GIVEN
    const fleet = testFleet({ nodeProfile: { runtimeClasses: ['wasmedge'] }, sync: { interval: '10m' } });

    // WHEN
    const store = new EdgeStore(fleet, 'store-042', { nodeProfile: { memory: '16Gi' }, sync: { autoSync: false } });

    // THEN
    expect(store.nodeProfile).toMatchObject({ memory: '16Gi', cpu: 4, runtimeClasses: ['wasmedge'] });
    expect(store.sync).toEqual({ autoSync: false, interval: '10m', agent: 'flux', source: 'main' });
  });

  test('GIVEN a store WHEN synthesized THEN its namespace is in the infrastructure layer, cluster-scoped, and kept when it leaves Git', () => {
    const ns = objectOf(testStore(), 'stores/store-001/infrastructure/namespace.yaml', 'Namespace');
    expect(ns.metadata).toEqual({
      name: 'edge',
      // No pods yet: the strictest Pod Security level.
      labels: {
        'app.kubernetes.io/managed-by': 'edgefleet',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
      // Deleting a Namespace deletes what is in it, whatever their own annotations say: the POS VM and its disks.
      annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled', 'helm.sh/resource-policy': 'keep' },
    });
  });

  test.each([
    ['Store_1', 'store id "Store_1" is not an RFC 1123 label'],
    ['store-', 'store id "store-" is not an RFC 1123 label'],
    ['s'.repeat(64), `store id "${'s'.repeat(64)}" is not an RFC 1123 label`],
  ])('GIVEN the id %s WHEN creating the store THEN it fails naming the id', (id, message) => {
    expect(() => new EdgeStore(testFleet(), id)).toThrow(message);
  });

  test('GIVEN two stores with one id WHEN creating the second THEN it fails naming the id', () => {
    const fleet = testFleet();
    new EdgeStore(fleet, 'store-007');
    expect(() => new EdgeStore(fleet, 'store-007')).toThrow('store "store-007" is defined twice (each store needs its own id)');
  });

  test('GIVEN an unknown CPU architecture WHEN creating the store THEN it names the store, field, value and choices', () => {
    expect(() => testStore({ nodeProfile: { arch: 'riscv64' as any } })).toThrow(
      'store "store-001": nodeProfile.arch "riscv64" is not supported (use one of "arm64", "amd64")',
    );
  });

  test('GIVEN a malformed node memory WHEN creating the store THEN it says what a quantity looks like', () => {
    expect(withLateChecks(() => testStore({ nodeProfile: { memory: '8 GB' } }))).toThrow(
      'store "store-001": nodeProfile.memory "8 GB" is not a Kubernetes quantity (use "8Gi")',
    );
  });

  test.each(['5 minutes', '5', '-1m', ''])('GIVEN the sync interval "%s" WHEN creating the store THEN it fails', (interval) => {
    expect(withLateChecks(() => testStore({ sync: { interval } }))).toThrow(
      `store "store-001": sync.interval "${interval}" is not a duration (use a number with a unit, such as "30s", "5m" or "1h")`,
    );
  });

  test.each(['0s', '0m0s'])('GIVEN the sync interval "%s" WHEN creating the store THEN it fails: Flux would poll without pause', (interval) => {
    expect(withLateChecks(() => testStore({ sync: { interval } }))).toThrow(
      `store "store-001": sync.interval "${interval}" must be longer than 0 (use a number with a unit, such as "30s", "5m" or "1h")`,
    );
  });

  test('GIVEN node memory without a unit WHEN creating the store THEN it says the unit is missing', () => {
    expect(withLateChecks(() => testStore({ nodeProfile: { memory: '8' } }))).toThrow(
      'store "store-001": nodeProfile.memory "8" is only 8 bytes: its unit is missing or wrong (use "8Gi"',
    );
  });

  test('GIVEN a label value with a space WHEN creating the store THEN it names the label', () => {
    expect(withLateChecks(() => testStore({ labels: { city: 'New York' } }))).toThrow(
      'store "store-001": labels "city" value "New York" is not a Kubernetes label value',
    );
  });

  test('GIVEN two workloads generating the same object WHEN validating THEN the late check names both files', () => {
    // GIVEN
    const store = testStore();
    new EdgeApp(store, 'api', { image: 'registry.example.com/api:1.0.0' });
    store.addManifests('extra', [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'edge' } }]);

    // WHEN
    const problems = store.node.validate();

    // THEN
    expect(problems).toEqual([
      'store "store-001": Deployment "edge/api" is generated twice, in workloads/api.yaml and workloads/extra.yaml (rename one of them)',
    ]);
  });

  test('GIVEN a store without workloads WHEN rendered THEN its workloads folder still exists for Flux to apply (and prune)', () => {
    const files = renderStore(testStore());
    expect(YAML.parse(files.get('stores/store-001/workloads/kustomization.yaml')!).resources).toEqual([]);
  });

  test('GIVEN an explicitly undefined branch WHEN creating the fleet THEN the default branch applies', () => {
    expect(testFleet({ repository: { url: 'https://git.example.com/f.git', branch: undefined } }).repository.branch).toBe('main');
  });

  test('GIVEN a repository URL that is not a Git URL WHEN creating the fleet THEN it fails', () => {
    expect(() => testFleet({ repository: { url: 'git.example.com/fleet' } })).toThrow(
      'repository.url "git.example.com/fleet" is not a Git URL the stores can pull',
    );
  });

  test.each(['main branch', 'feature..x', 'refs/', '-main'])(
    'GIVEN the branch "%s" WHEN creating the fleet THEN it fails: Git has no such branch name',
    (branch) => {
      expect(() => testFleet({ repository: { url: 'https://git.example.com/fleet.git', branch } })).toThrow(
        `fleet: repository.branch "${branch}" is not a Git branch name (use one such as "main" or "release/stores")`,
      );
    },
  );

  test.each(['/srv/dist', '../dist', 'dist/../../x', 'my dist'])(
    'GIVEN the path "%s" WHEN creating the fleet THEN it fails: the stores read a folder inside the repository',
    (path) => {
      expect(() => testFleet({ repository: { url: 'https://git.example.com/fleet.git', path } })).toThrow(
        `fleet: repository.path "${path}" is not a folder inside the repository (use a relative path such as "dist"`,
      );
    },
  );

  test.each([
    ['./gitops/', 'gitops'],
    ['release/stores', 'release/stores'],
  ])('GIVEN the path "%s" WHEN creating the fleet THEN it is the folder "%s"', (path, folder) => {
    expect(testFleet({ repository: { url: 'https://git.example.com/fleet.git', path } }).repository.path).toBe(folder);
  });
});
