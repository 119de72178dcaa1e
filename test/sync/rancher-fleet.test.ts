import { parse, reachableClusters } from './fleet-targeting';
import { EdgeFleet, EdgeMonitor, EdgePosVm, EdgeStore, EdgeStoreProps, VmDisk, renderFleet } from '../../lib';
import { isDerived } from '../../lib/diff/dist-diff';
import { testFleet } from '../util';

const IMAGE = 'registry.example.com/retail/edge-monitor:1.4.2';

function addStore(fleet: EdgeFleet, id: string, props: EdgeStoreProps): EdgeStore {
  const store = new EdgeStore(fleet, id, props);
  new EdgeMonitor(store, 'edge-monitor', { image: IMAGE });
  new EdgePosVm(store, 'pos', {
    bootDisk: VmDisk.containerDisk('registry.example.com/pos:4.1.0'),
    dataDisks: { data: VmDisk.localVolume({ size: '10Gi' }) },
  });
  return store;
}

describe('Rancher Fleet stores', () => {
  test(
    'GIVEN the same store on Flux and on Fleet WHEN synthesized ' +
      'THEN its workload files are identical; Fleet adds fleet.yaml, Flux its applier access',
    () => {
      // GIVEN
      const viaFlux = testFleet();
      addStore(viaFlux, 'store-001', {});
      const viaFleet = testFleet();
      addStore(viaFleet, 'store-001', { sync: { agent: 'fleet' } });

      // WHEN
      const fluxFiles = renderFleet(viaFlux);
      const fleetFiles = renderFleet(viaFleet);

      // THEN
      const storeFiles = (files: Map<string, string>) =>
        [...files].filter(([f]) => f.startsWith('stores/') && !f.endsWith('/fleet.yaml') && !f.startsWith('stores/store-001/infrastructure/'));
      expect(storeFiles(fleetFiles)).toEqual(storeFiles(fluxFiles));
      const infrastructure = (files: Map<string, string>) => [...files.keys()].filter((f) => f.startsWith('stores/store-001/infrastructure/'));
      expect(infrastructure(fluxFiles)).toEqual([...infrastructure(fleetFiles), 'stores/store-001/infrastructure/workloads-access.yaml'].sort());
      expect(parse(fleetFiles, 'stores/store-001/fleet.yaml')).toEqual({
        name: 'store-001',
        defaultNamespace: 'edge',
        keepResources: true,
        overrideTargets: [{ clusterName: 'store-001' }],
      });
      expect([...fleetFiles.keys()].some((f) => f.startsWith('clusters/'))).toBe(false);
      expect([...fluxFiles.keys()].some((f) => f.startsWith('fleet/'))).toBe(false);
    },
  );

  test('GIVEN Fleet stores with overlapping and adversarial labels WHEN synthesized THEN each bundle reaches exactly its own store', () => {
    // GIVEN: one store carries another's labels, one a label named like the id label's value, one no labels at all
    const fleet = testFleet();
    const fleetSync = { agent: 'fleet' as const };
    addStore(fleet, 'store-a', { sync: fleetSync, labels: { region: 'eu', ring: 'canary', name: 'store-b' } });
    addStore(fleet, 'store-b', { sync: fleetSync, labels: { region: 'eu', ring: 'canary', name: 'store-a' } });
    addStore(fleet, 'store-c', { sync: { ...fleetSync, interval: '15m' }, labels: { region: 'eu', ring: 'canary', store: 'store-a' } });
    addStore(fleet, 'store-d', { sync: fleetSync });
    addStore(fleet, 'store-e', { labels: { region: 'eu', ring: 'canary' } });

    // WHEN
    const files = renderFleet(fleet);

    // THEN
    for (const id of ['store-a', 'store-b', 'store-c', 'store-d']) {
      expect(reachableClusters(files, `dist/stores/${id}`)).toEqual([id]);
    }
    const paths = [...files.keys()].filter((f) => f.startsWith('fleet/gitrepos/')).flatMap((f) => parse(files, f).spec.paths);
    expect(paths.sort()).toEqual(['dist/stores/store-a', 'dist/stores/store-b', 'dist/stores/store-c', 'dist/stores/store-d']);
  });

  test('GIVEN Fleet stores with two sync intervals WHEN synthesized THEN one GitRepo lists them all and polls at the shorter interval', () => {
    const fleet = testFleet();
    addStore(fleet, 'store-a', { sync: { agent: 'fleet' } });
    addStore(fleet, 'store-b', { sync: { agent: 'fleet', interval: '15m' } });
    const files = renderFleet(fleet);
    expect([...files.keys()].filter((f) => f.startsWith('fleet/gitrepos/'))).toEqual(['fleet/gitrepos/edgefleet-stores.yaml']);
    expect(parse(files, 'fleet/gitrepos/edgefleet-stores.yaml').spec).toMatchObject({
      pollingInterval: '5m',
      paths: ['dist/stores/store-a', 'dist/stores/store-b'],
      branch: 'main',
      keepResources: true,
    });
  });

  test(
    'GIVEN Fleet stores moved to another interval WHEN synthesized again ' + 'THEN their GitRepo keeps its name, so that no second one deploys them',
    () => {
      // GIVEN
      const before = testFleet();
      addStore(before, 'store-a', { sync: { agent: 'fleet' } });
      const after = testFleet({ sync: { interval: '10m' } });
      addStore(after, 'store-a', { sync: { agent: 'fleet' } });

      // WHEN
      const gitRepos = (files: Map<string, string>) => [...files.keys()].filter((f) => f.startsWith('fleet/gitrepos/'));
      const old = renderFleet(before);
      const now = renderFleet(after);

      // THEN: `kubectl apply -k dist/fleet` updates the one GitRepo in place
      expect(gitRepos(now)).toEqual(gitRepos(old));
      expect(parse(now, 'fleet/gitrepos/edgefleet-stores.yaml').metadata.name).toBe('edgefleet-stores');
      expect(parse(now, 'fleet/gitrepos/edgefleet-stores.yaml').spec.pollingInterval).toBe('10m');
    },
  );

  test(
    'GIVEN Fleet stores with telemetry and no way to get its credentials WHEN synthesized THEN the report lists each store once, under one ' +
      'warning',
    () => {
      // GIVEN
      const fleet = testFleet({
        telemetry: {
          logsUrl: 'https://logs.example.com/insert/opentelemetry/v1/logs',
          metricsUrl: 'https://metrics.example.com/api/v1/write',
          credentialsSecretName: 'telemetry-credentials',
        },
      });
      addStore(fleet, 'store-a', { sync: { agent: 'fleet' } });
      addStore(fleet, 'store-b', { sync: { agent: 'fleet' } });

      // WHEN
      const report = renderFleet(fleet).get('REPORT.md')!;

      // THEN
      expect(report).toContain('| Secret to create on the store | 4 | 2 |');
      expect(report).toMatch(
        /\| 2 \| needs Secret "edgefleet-telemetry\/telemetry-credentials", which nothing in Git delivers: create it on the store out of band/,
      );
      expect(report).toContain('store-a, store-b');
    },
  );

  test("GIVEN autoSync false WHEN synthesized THEN the store's Cluster is paused and its folder is unchanged", () => {
    const paused = testFleet();
    addStore(paused, 'store-a', { sync: { agent: 'fleet', autoSync: false } });
    const running = testFleet();
    addStore(running, 'store-a', { sync: { agent: 'fleet' } });
    const files = renderFleet(paused);
    expect(parse(files, 'fleet/clusters/store-a.yaml').spec.paused).toBe(true);
    expect(parse(renderFleet(running), 'fleet/clusters/store-a.yaml').spec.paused).toBeUndefined();
    expect([...files].filter(([f]) => f.startsWith('stores/'))).toEqual([...renderFleet(running)].filter(([f]) => f.startsWith('stores/')));
  });

  test('GIVEN no registration WHEN synthesized THEN the store registers agent-initiated with its id as client ID', () => {
    const fleet = testFleet();
    addStore(fleet, 'store-a', { sync: { agent: 'fleet' }, labels: { region: 'eu' } });
    const cluster = parse(renderFleet(fleet), 'fleet/clusters/store-a.yaml');
    expect(cluster.metadata).toMatchObject({
      name: 'store-a',
      namespace: 'fleet-default',
      labels: { region: 'eu', 'edgefleet.io/store': 'store-a' },
    });
    expect(cluster.spec).toEqual({ clientID: 'store-a', agentTolerations: [{ key: 'edge-node', operator: 'Exists', effect: 'NoSchedule' }] });
  });

  test('GIVEN an API endpoint and kubeconfig secret WHEN synthesized THEN the store registers manager-initiated, with no credential in Git', () => {
    const fleet = testFleet();
    addStore(fleet, 'store-a', {
      sync: { agent: 'fleet' },
      fleetRegistration: { apiEndpoint: 'https://10.0.0.7:6443', kubeconfigSecretName: 'store-a-kubeconfig' },
    });
    const files = renderFleet(fleet);
    const cluster = parse(files, 'fleet/clusters/store-a.yaml');
    expect(cluster.spec.kubeConfigSecret).toBe('store-a-kubeconfig');
    expect(cluster.spec).not.toHaveProperty('clientID');
    expect(cluster.metadata.annotations).toEqual({ 'edgefleet.io/api-endpoint': 'https://10.0.0.7:6443' });
    expect([...files.values()].join('\n')).not.toMatch(/kind: Secret|client-key-data|token:/);
  });

  test.each([
    [
      { fleetRegistration: { apiEndpoint: 'https://10.0.0.7:6443', kubeconfigSecretName: 'k' } },
      'fleetRegistration is set but the store syncs with "flux" (set sync.agent to "fleet", or drop fleetRegistration)',
    ],
    [
      { sync: { agent: 'fleet' as const }, fleetRegistration: { apiEndpoint: '10.0.0.7:6443', kubeconfigSecretName: 'k' } },
      'fleetRegistration.apiEndpoint "10.0.0.7:6443" is not an HTTPS API endpoint (use "https://<host>:6443")',
    ],
    [{ sync: { agent: 'argo' as any } }, 'sync.agent "argo" is not supported (use one of "flux", "fleet")'],
  ])('GIVEN bad sync props %j WHEN creating the store THEN it fails clearly', (props, message) => {
    expect(() => new EdgeStore(testFleet(), 'store-a', props)).toThrow(`store "store-a": ${message}`);
  });

  test(
    'GIVEN a Fleet store moved to another ring WHEN synthesized THEN its targeting is unchanged: only its own labels and the ring groups ' + 'change',
    () => {
      // GIVEN
      const before = testFleet();
      addStore(before, 'store-a', { sync: { agent: 'fleet' }, labels: { ring: 'canary' } });
      addStore(before, 'store-b', { sync: { agent: 'fleet' }, labels: { ring: 'canary' } });
      const after = testFleet();
      addStore(after, 'store-a', { sync: { agent: 'fleet' }, labels: { ring: 'general' } });
      addStore(after, 'store-b', { sync: { agent: 'fleet' }, labels: { ring: 'canary' } });

      // WHEN
      const a = renderFleet(before);
      const b = renderFleet(after);

      // THEN
      const changed = [...new Set([...a.keys(), ...b.keys()])].filter((f) => a.get(f) !== b.get(f) && !isDerived(f)).sort();
      expect(changed).toEqual([
        'fleet/clustergroups/ring-general.yaml',
        'fleet/clusters/store-a.yaml',
        'fleet/kustomization.yaml',
        'stores/store-a/infrastructure/namespace.yaml',
      ]);
      expect(b.get('stores/store-a/fleet.yaml')).toBe(a.get('stores/store-a/fleet.yaml'));
      expect(reachableClusters(b, 'dist/stores/store-a')).toEqual(['store-a']);
    },
  );

  test('GIVEN a store id longer than a Helm release name WHEN synthesized THEN fleet.yaml lets Fleet derive the bundle name', () => {
    const fleet = testFleet();
    const id = `store-${'x'.repeat(50)}`;
    addStore(fleet, id, { sync: { agent: 'fleet' } });
    expect(parse(renderFleet(fleet), `stores/${id}/fleet.yaml`)).not.toHaveProperty('name');
  });
});
