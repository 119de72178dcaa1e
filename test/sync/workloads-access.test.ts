import { EdgeApp, EdgePosVm, FleetValidationError, VmDisk, renderFleet } from '../../lib';
import { documents, testStore } from '../util';

const IMAGE = 'registry.example.com/retail/loyalty:2.1.0';

describe('the workloads layer applied with least privilege', () => {
  test('GIVEN a store with an app and a VM WHEN synthesized THEN its applier may write anything in their namespace, and nothing elsewhere', () => {
    // GIVEN
    const store = testStore();
    new EdgeApp(store, 'loyalty', { image: IMAGE });
    new EdgePosVm(store, 'pos', {
      bootDisk: VmDisk.containerDisk('registry.example.com/pos:4.1.0'),
      dataDisks: { data: VmDisk.localVolume({ size: '10Gi' }) },
    });

    // WHEN
    const access = documents(store, 'stores/store-001/infrastructure/workloads-access.yaml');
    const applier = documents(store, 'clusters/store-001/workloads-applier.yaml');

    // THEN
    expect(applier).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { labels: { 'app.kubernetes.io/managed-by': 'edgefleet' }, name: 'edgefleet-workloads', namespace: 'flux-system' },
      },
    ]);
    expect(access.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'Role edge/edgefleet-workloads',
      'RoleBinding edge/edgefleet-workloads',
    ]);
    // (not only today's kinds: pruning must still read and delete what earlier commits applied)
    expect(access[0].rules).toEqual([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]);
    // AND both are kept when Git no longer has them, so that a renamed namespace's old objects can still be pruned
    for (const o of access) {
      expect(o.metadata.annotations).toEqual({ 'kustomize.toolkit.fluxcd.io/prune': 'disabled', 'helm.sh/resource-policy': 'keep' });
    }
    expect(access[1].subjects).toEqual([{ kind: 'ServiceAccount', name: 'edgefleet-workloads', namespace: 'flux-system' }]);
  });

  test(
    'GIVEN a workload object in a namespace the store does not create, and a cluster-scoped one WHEN synthesized THEN synth names both and the ' +
      'fix',
    () => {
      // GIVEN
      const store = testStore();
      store.addManifests('extras', [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kiosk', namespace: 'kiosk' } },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'kiosk-reader' }, rules: [] },
      ]);

      // WHEN
      const render = () => renderFleet(store.fleet);

      // THEN
      expect(render).toThrow(FleetValidationError);
      expect(render).toThrow(
        'store "store-001": ConfigMap "kiosk" of the workloads layer is in namespace "kiosk", ' +
          'which that layer\'s ServiceAccount edgefleet-workloads may not write (it writes "edge" only): ' +
          'give it one of those namespaces, or add it in the infrastructure layer',
      );
      expect(render).toThrow('store "store-001": ClusterRole "kiosk-reader" of the workloads layer is cluster-scoped (it has no namespace)');
    },
  );

  test('GIVEN the same objects added in the infrastructure layer WHEN synthesized THEN they are applied there, by Flux itself', () => {
    const store = testStore();
    store.addManifests(
      'extras',
      [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'kiosk', annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled', 'helm.sh/resource-policy': 'keep' } },
        },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'kiosk-reader' }, rules: [] },
      ],
      'infrastructure',
    );
    expect(() => renderFleet(store.fleet)).not.toThrow();
  });
});
