import { E2E_STORES } from '../fleet/e2e-fleet';
import { differences, objectKey } from '../harness/compare';
import { Scenario } from '../harness/scenario';

describe.each(Object.entries(E2E_STORES))('bootstrap of the %s store', (_, storeId) => {
  let scenario: Scenario;

  beforeAll(async () => {
    // GIVEN the fleet synthesized and pushed, and a store bootstrapped from its folder
    scenario = await Scenario.start(`bootstrap-${storeId}`, storeId);
  });
  afterAll(() => scenario?.stop());

  test('every object of the store folder is in the API server as rendered', () => {
    // WHEN the store is Ready (Scenario.start waited for it)
    const objects = scenario.storeObjects();
    expect(objects.length).toBeGreaterThan(1);
    // THEN each object exists, and holds every field we wrote: nothing rejected, nothing pruned by a schema
    const problems = objects.flatMap((o) => {
      const live = scenario.cluster.kubectl.get(o.kind, o.metadata.name, o.metadata.namespace);
      return live ? differences(o, live).map((d) => `${objectKey(o)}: ${d}`) : [`${objectKey(o)}: not in the API server`];
    });
    expect(problems).toEqual([]);
  });

  test("bootstrap's flux-system patches reach the real Flux objects", () => {
    // THEN the GitRepository polls at the store's interval and source-controller keeps its artifacts on the local claim
    const source = scenario.cluster.kubectl.get('gitrepositories.source.toolkit.fluxcd.io', 'flux-system', 'flux-system');
    expect(source.spec.interval).toBe('15s');
    const deployment = scenario.cluster.kubectl.get('deployment', 'source-controller', 'flux-system');
    const data = deployment.spec.template.spec.volumes.find((v: any) => v.name === 'data');
    expect(data).toEqual({ name: 'data', persistentVolumeClaim: { claimName: 'source-controller-data' } });
    expect(scenario.cluster.kubectl.get('persistentvolumeclaim', 'source-controller-data', 'flux-system')).toBeDefined();
  });
});
