import { E2E_STORES } from '../fleet/e2e-fleet';
import { FLUX_NAMESPACE } from '../harness/flux-controllers';
import { sleep } from '../harness/processes';
import { STORE_KUSTOMIZATIONS, Scenario } from '../harness/scenario';
import { recordTiming } from '../harness/timings';

const STORE = E2E_STORES.containerDisk;

/** What the Git server sent since request number `since`: its requests' paths and the bytes. */
function servedSince(scenario: Scenario, since: number): { paths: string[]; bytes: number } {
  const served = scenario.repo.server.served.slice(since);
  return { paths: served.map((r) => `${r.method} ${r.path}`), bytes: served.reduce((n, r) => n + r.bytes, 0) };
}

describe('a store that fetches from its own branch', () => {
  let scenario: Scenario;
  beforeAll(async () => {
    scenario = await Scenario.start('store-branch', STORE, { source: 'store-branch' });
  });
  afterAll(() => scenario?.stop());

  test('is bootstrapped from its branch, whose artifact holds only its own folders', () => {
    // GIVEN the store bootstrapped from edgefleet/stores/<id> (flux bootstrap committed its files there)
    const status = scenario.cluster.fluxStatus('GitRepository', 'flux-system')!;
    // THEN source-controller fetched that branch, and the artifact holds the store's two folders and nothing else
    expect(status.revision).toMatch(new RegExp(`^edgefleet/stores/${STORE}@sha1:[0-9a-f]{40}$`));
    const files = scenario.cluster.sourceArtifactFiles();
    expect(files.filter((f) => !f.startsWith(`dist/stores/${STORE}/`) && !f.startsWith(`dist/clusters/${STORE}/`))).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([`dist/stores/${STORE}/workloads/pos.yaml`, `dist/clusters/${STORE}/flux-system/gotk-components.yaml`]),
    );
    // AND what flux bootstrap wrote on the branch is what runs: the store's Flux follows its branch
    const sync = scenario.cluster.kubectl.get('gitrepositories.source.toolkit.fluxcd.io', FLUX_NAMESPACE, FLUX_NAMESPACE);
    expect(sync.spec.ref).toEqual({ branch: `edgefleet/stores/${STORE}` });
  });

  test('applies an update published to its branch, keeping what flux bootstrap committed there', async () => {
    // WHEN the edge monitor is bumped, committed to main, and published
    const commit = scenario.commitChange({ monitorVersion: '1.4.3' }, 'edge-monitor 1.4.3');
    await scenario.applied(commit, 'store-branch update applied (s)');

    // THEN the store runs it, from a commit on its branch that kept bootstrap's files (Flux did not prune itself)
    const kubectl = scenario.cluster.kubectl;
    expect(kubectl.get('deployment', 'edge-monitor', 'edge').spec.template.spec.containers[0].image).toBe(
      'registry.example.com/retail/edge-monitor:1.4.3',
    );
    expect(kubectl.get('deployment', 'source-controller', FLUX_NAMESPACE)).toBeDefined();
    expect(scenario.cluster.sourceArtifactFiles()).toContain(`dist/clusters/${STORE}/flux-system/gotk-sync.yaml`);
  });

  test('gets no new revision from a change to another store, and downloads nothing but the list of branches', async () => {
    // GIVEN what the store applied last
    const before = {
      source: scenario.cluster.fluxStatus('GitRepository', 'flux-system')!.revision,
      applied: STORE_KUSTOMIZATIONS.map((k) => scenario.cluster.fluxStatus('Kustomization', k)!.revision),
    };
    const since = scenario.repo.server.served.length;

    // WHEN only the telemetry store changes (its agents' buffers), on main and on its own branch
    const commit = scenario.commitChange({ telemetryRetention: '12h' }, 'telemetry retention 12h (store-telemetry only)');
    // AND the store polls a few times (its interval is 15 s; a reconcile is also asked for)
    scenario.cluster.requestReconcile(STORE_KUSTOMIZATIONS.slice(1));
    await sleep(50_000);

    // THEN its branch did not move, it has no new revision, and it applied nothing new
    expect(`edgefleet/stores/${STORE}@sha1:${commit}`).toBe(before.source);
    expect(scenario.cluster.fluxStatus('GitRepository', 'flux-system')!.revision).toBe(before.source);
    expect(STORE_KUSTOMIZATIONS.map((k) => scenario.cluster.fluxStatus('Kustomization', k)!.revision)).toEqual(before.applied);
    // AND all it downloaded was the ref listing of each poll: no fetch of objects (git-upload-pack)
    const served = servedSince(scenario, since);
    expect(served.paths.length).toBeGreaterThanOrEqual(3);
    expect(served.paths.filter((p) => !p.endsWith('/info/refs'))).toEqual([]);
    recordTiming(scenario.name, 'bytes per poll with nothing new (ref listing)', served.bytes / served.paths.length);
  });
});

describe("a store that fetches from the fleet's branch", () => {
  let scenario: Scenario;
  beforeAll(async () => {
    scenario = await Scenario.start('main-ignore', STORE);
  });
  afterAll(() => scenario?.stop());

  test('keeps only its own two folders in its artifact, though it clones the whole repository', () => {
    const files = scenario.cluster.sourceArtifactFiles();
    expect(files.filter((f) => !f.startsWith(`dist/stores/${STORE}/`) && !f.startsWith(`dist/clusters/${STORE}/`))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining([`dist/stores/${STORE}/workloads/pos.yaml`, `dist/clusters/${STORE}/workloads.yaml`]));
    expect(scenario.cluster.fluxStatus('GitRepository', 'flux-system')!.revision).toMatch(/^main@sha1:/);
  });
});
