import { E2E_STORES } from '../fleet/e2e-fleet';
import { objectKey } from '../harness/compare';
import { Scenario } from '../harness/scenario';

/** Per object of the store folder, its `generation` where the kind has one, else its `resourceVersion`: what an apply that changes it moves. */
function liveVersions(scenario: Scenario, objects: any[]): Map<string, string> {
  return new Map(
    objects.map((o) => {
      const live = scenario.cluster.kubectl.get(o.kind, o.metadata.name, o.metadata.namespace);
      return [objectKey(o), String(live?.metadata.generation ?? live?.metadata.resourceVersion)];
    }),
  );
}

describe('an update committed to Git', () => {
  let scenario: Scenario;
  beforeAll(async () => {
    scenario = await Scenario.start('update', E2E_STORES.telemetry);
  });
  afterAll(() => scenario?.stop());

  test('is applied, and no object changes that the commit did not change', async () => {
    // GIVEN a Ready store, its rendered objects and their live versions
    const renderedBefore = new Map(scenario.storeObjects().map((o) => [objectKey(o), JSON.stringify(o)]));
    const before = liveVersions(scenario, scenario.storeObjects());

    // WHEN an image bump and a telemetry setting (the agents' ConfigMaps) are committed
    const commit = scenario.commitChange({ monitorVersion: '1.4.3', telemetryRetention: '12h' }, 'edge-monitor 1.4.3, 12h telemetry retention');
    await scenario.applied(commit, 'update applied (s)');

    // THEN the monitor runs the new image, and exactly the objects whose rendering changed moved
    const kubectl = scenario.cluster.kubectl;
    expect(kubectl.get('deployment', 'edge-monitor', 'edge').spec.template.spec.containers[0].image).toBe(
      'registry.example.com/retail/edge-monitor:1.4.3',
    );
    const renderedAfter = scenario.storeObjects();
    const expected = renderedAfter
      .filter((o) => renderedBefore.get(objectKey(o)) !== JSON.stringify(o))
      .map(objectKey)
      .sort();
    expect(expected).toEqual(expect.arrayContaining(['Deployment/edge/edge-monitor', 'ConfigMap/edgefleet-telemetry/log-agent']));
    const after = liveVersions(scenario, renderedAfter);
    const moved = [...after]
      .filter(([k, v]) => before.get(k) !== v)
      .map(([k]) => k)
      .sort();
    expect(moved).toEqual(expected);
  });
});
