import { E2E_STORES } from '../fleet/e2e-fleet';
import { objectKey } from '../harness/compare';
import { sleep, waitFor } from '../harness/processes';
import { STORE_KUSTOMIZATIONS, Scenario } from '../harness/scenario';
import { recordTiming } from '../harness/timings';

/** Long enough for source-controller's uncapped backoff to reach 48 s, three times the suite's interval. */
const LONG_OUTAGE_MS = 120_000;

describe('a store whose WAN link goes down, then comes back', () => {
  let scenario: Scenario;
  beforeAll(async () => {
    scenario = await Scenario.start('offline', E2E_STORES.containerDisk);
  });
  afterAll(() => scenario?.stop());

  test('keeps every object and keeps applying its last artifact, across a restart of its Flux controllers', async () => {
    const kubectl = scenario.cluster.kubectl;
    const objects = scenario.storeObjects();
    const lastApplied = scenario.cluster.fluxStatus('Kustomization', 'edgefleet-workloads')!.revision;

    // GIVEN the Git server unreachable, and both Flux controllers restarted (their caches gone)
    await scenario.repo.server.stop();
    await scenario.cluster.flux.restart();

    // WHEN the GitRepository next reconciles
    scenario.cluster.requestReconcile([]);
    // THEN it reports the failed fetch and keeps its artifact
    const failure = await waitFor(
      'the GitRepository to report the failed fetch',
      () => {
        const s = scenario.cluster.fluxStatus('GitRepository', 'flux-system');
        return s && !s.ready && s.observedCurrent ? s : undefined;
      },
      120_000,
    );
    expect(failure.message).toMatch(/connection refused|failed to/i);
    expect(failure.revision).toBe(lastApplied);

    // AND drift is still corrected from the cached artifact: a deleted Deployment comes back
    kubectl.run(['delete', 'deployment', 'edge-monitor', '-n', 'edge', '--wait=true']);
    const started = Date.now();
    scenario.cluster.requestReconcile(['edgefleet-workloads']);
    await waitFor('edge-monitor re-applied from the cached artifact', () => kubectl.get('deployment', 'edge-monitor', 'edge'), 120_000);
    recordTiming(scenario.name, 'drift corrected offline (s)', (Date.now() - started) / 1000);
    const workloads = await waitFor(
      'edgefleet-workloads Ready again',
      () => {
        const s = scenario.cluster.fluxStatus('Kustomization', 'edgefleet-workloads');
        return s?.ready ? s : undefined;
      },
      60_000,
    );
    expect(workloads.revision).toBe(lastApplied);

    // AND nothing was deleted
    await sleep(5_000);
    const missing = objects.filter((o) => !kubectl.get(o.kind, o.metadata.name, o.metadata.namespace)).map(objectKey);
    expect(missing).toEqual([]);
  });

  test('fetches the commit made while it was offline within one interval of the link returning, however long the outage', async () => {
    // GIVEN a commit pushed while the store cannot reach Git, and an outage long enough for
    // source-controller's retry backoff (750 ms doubling, up to 15 minutes by default) to pass the interval
    const commit = scenario.commitChange({ monitorVersion: '1.4.3' }, 'edge-monitor 1.4.3 while the store is offline');
    await sleep(LONG_OUTAGE_MS);

    // WHEN the link returns (no reconcile is requested: the store's own schedule must do it)
    await scenario.repo.server.resume();
    const started = Date.now();
    await waitFor(
      'the GitRepository to fetch the new commit',
      () => (scenario.cluster.fluxStatus('GitRepository', 'flux-system')?.revision?.endsWith(commit) ? true : undefined),
      300_000,
    );
    const fetched = (Date.now() - started) / 1000;
    recordTiming(scenario.name, 'new commit fetched after the link returned (s)', fetched);
    await scenario.applied(commit, 'new commit applied after the link returned (s)', STORE_KUSTOMIZATIONS);

    // THEN it was fetched within one 15 s interval (the bootstrap patch caps the backoff at the interval), and applied
    expect(scenario.cluster.flux.args['source-controller']).toContain('--max-retry-delay=15s');
    expect(fetched).toBeLessThan(15 + 5);
    expect(scenario.cluster.kubectl.get('deployment', 'edge-monitor', 'edge').spec.template.spec.containers[0].image).toMatch(/:1\.4\.3$/);
  });
});
