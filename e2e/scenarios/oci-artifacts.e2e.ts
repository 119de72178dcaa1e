import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { FLUX_CONFIG_MEDIA_TYPE, FLUX_CONTENT_MEDIA_TYPE } from '../../lib/model/oci-artifacts';
import { artifactTarball } from '../../lib/publish/artifact-tarball';
import { E2E_STORES } from '../fleet/e2e-fleet';
import { binaries } from '../harness/binaries';
import { FLUX_NAMESPACE } from '../harness/flux-controllers';
import { OCI_PREFIX } from '../harness/oci-publisher';
import { run, sleep, waitFor } from '../harness/processes';
import { APPLY_TIMEOUT_MS, STORE_KUSTOMIZATIONS, Scenario } from '../harness/scenario';
import { recordTiming } from '../harness/timings';

const STORE = E2E_STORES.containerDisk;
const OTHER_STORE = E2E_STORES.telemetry;
const OCI_REPOSITORIES = 'ocirepositories.source.toolkit.fluxcd.io';

/** An idle poll may cost at most this many bytes, whatever the fleet's size (issue 22). */
const IDLE_POLL_BUDGET = 5 * 1024;

/** The store's OCIRepository, as the API server has it. */
function ociRepository(scenario: Scenario, name = FLUX_NAMESPACE): any {
  return scenario.cluster.kubectl.get(OCI_REPOSITORIES, name, FLUX_NAMESPACE);
}

function condition(o: any, type: string): any {
  return (o?.status?.conditions ?? []).find((c: any) => c.type === type);
}

/** The revisions the store has: its source's artifact and each Kustomization's last applied one. */
function revisions(scenario: Scenario): string[] {
  return [
    scenario.cluster.fluxStatus('OCIRepository', FLUX_NAMESPACE)!.revision!,
    ...STORE_KUSTOMIZATIONS.map((k) => scenario.cluster.fluxStatus('Kustomization', k)!.revision!),
  ];
}

function monitorImage(scenario: Scenario): string {
  return scenario.cluster.kubectl.get('deployment', 'edge-monitor', 'edge').spec.template.spec.containers[0].image;
}

/**
 * What someone with write access to the registry but not the publisher's key can do: push, under the
 * store's tag, its artifact with the edge monitor's image replaced; signed with `key` when given.
 */
async function pushTampered(scenario: Scenario, image: string, key?: string): Promise<string> {
  const oci = scenario.oci!;
  const folder = path.join(scenario.cluster.flux.artifactStorage, '..', 'tampered');
  fs.mkdirSync(folder, { recursive: true });
  const files = ['stores', 'clusters'].flatMap((tree) => {
    const root = path.join(scenario.repo.dist, tree, STORE);
    return (fs.readdirSync(root, { recursive: true }) as string[])
      .filter((f) => fs.statSync(path.join(root, f)).isFile())
      .map((f) => ({
        path: `dist/${tree}/${STORE}/${f}`,
        content: fs.readFileSync(path.join(root, f), 'utf8').replace(/edge-monitor:[\w.-]+/g, image),
      }));
  });
  fs.writeFileSync(path.join(folder, 'artifact.tar.gz'), (await artifactTarball(files)).bytes);
  fs.writeFileSync(path.join(folder, 'config.json'), '{}');
  const reference = `${oci.registry.host}/${OCI_PREFIX}/${STORE}`;
  const pushed = run(
    binaries().oras,
    [
      'push',
      '--plain-http',
      '--format',
      'json',
      '--config',
      `config.json:${FLUX_CONFIG_MEDIA_TYPE}`,
      `${reference}:latest`,
      `artifact.tar.gz:${FLUX_CONTENT_MEDIA_TYPE}`,
    ],
    { cwd: folder, env: oci.toolEnv('publisher') },
  );
  const digest = JSON.parse(pushed).digest;
  if (key) {
    run(
      binaries().cosign,
      ['sign', '--key', key, '--tlog-upload=false', '--yes', '--allow-http-registry', '--allow-insecure-registry', `${reference}@${digest}`],
      {
        env: oci.toolEnv('publisher'),
      },
    );
  }
  return digest;
}

/** Waits until the store's source-controller has refused the artifact `digest`; returns its Ready message. */
async function refused(scenario: Scenario, digest: string): Promise<string> {
  scenario.cluster.requestReconcile([]);
  return waitFor(
    `the OCIRepository to refuse ${digest.slice(0, 19)}`,
    () => {
      const source = ociRepository(scenario);
      const verified = condition(source, 'SourceVerified');
      const ready = condition(source, 'Ready');
      return verified?.status === 'False' && ready?.status === 'False' && ready.message.includes(digest.replace('sha256:', ''))
        ? ready.message
        : undefined;
    },
    APPLY_TIMEOUT_MS,
  );
}

describe('a store that pulls its own signed OCI artifact', () => {
  let scenario: Scenario;
  beforeAll(async () => {
    scenario = await Scenario.start('oci-artifacts', STORE, { source: 'oci' });
  });
  afterAll(() => scenario?.stop());

  test("is bootstrapped from its artifact, verified with the publisher's key, which holds only its own folders", () => {
    // GIVEN the store bootstrapped from dist/clusters/<id>/flux-system with its pull Secret and the publisher's public key
    const source = ociRepository(scenario);
    // THEN source-controller pulled the store's own repository, verified the signature, and the artifact is the store's two folders
    expect(source.spec.url).toBe(`${scenario.oci!.url}/${STORE}`);
    expect(condition(source, 'SourceVerified')).toMatchObject({ status: 'True' });
    expect(source.status.artifact.revision).toBe(`latest@${scenario.oci!.digestOf(STORE)}`);
    const files = scenario.cluster.sourceArtifactFiles();
    expect(files.filter((f) => !f.startsWith(`dist/stores/${STORE}/`) && !f.startsWith(`dist/clusters/${STORE}/`))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining([`dist/stores/${STORE}/workloads/pos.yaml`, `dist/clusters/${STORE}/flux-system/oci-sync.yaml`]));
    // AND the store runs its workloads from it
    expect(monitorImage(scenario)).toBe('registry.example.com/retail/edge-monitor:1.4.2');
  });

  test('applies a change published for it', async () => {
    // WHEN the edge monitor is bumped on main and CI publishes
    const { published, digest } = await scenario.publishChange({ monitorVersion: '1.4.3' }, 'edge-monitor 1.4.3');
    expect(published.updates.map((u) => u.store)).toContain(STORE);
    await scenario.applied(digest, 'OCI update applied (s)');

    // THEN the store runs it
    expect(monitorImage(scenario)).toBe('registry.example.com/retail/edge-monitor:1.4.3');
  });

  test("gets no new revision from another store's change, and each idle poll is one small request to its own repository", async () => {
    // GIVEN what the store applied last
    const before = revisions(scenario);

    // WHEN only the telemetry store changes, and CI publishes
    const { published } = await scenario.publishChange({ telemetryRetention: '12h' }, 'telemetry retention 12h (store-telemetry only)');
    // AND the store polls a few times (its interval is 15 s), while nothing else talks to the registry
    const mark = scenario.oci!.registry.mark();
    await sleep(50_000);

    // THEN publish pushed that one store's artifact
    expect(published.updates.map((u) => u.store)).toEqual([OTHER_STORE]);
    // AND the store has nothing new
    expect(revisions(scenario)).toEqual(before);
    // AND each poll was a HEAD of its own tag (after go-containerregistry's probe for TLS and its ping, unauthenticated), a few bytes
    const served = scenario.oci!.registry.servedSince(mark);
    const polls = served.filter((r) => r.method === 'HEAD' && r.path === `/v2/${OCI_PREFIX}/${STORE}/manifests/latest` && r.user === STORE);
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(served.filter((r) => r.user !== STORE && r.user !== '')).toEqual([]);
    expect(served.filter((r) => r.path !== '' && r.path !== '/v2/' && !r.path.startsWith(`/v2/${OCI_PREFIX}/${STORE}/`))).toEqual([]);
    const bytesPerPoll = served.reduce((n, r) => n + r.bytesSent + r.bytesReceived, 0) / polls.length;
    recordTiming(scenario.name, 'bytes per idle poll (HTTP requests and responses, headers included)', bytesPerPoll);
    expect(bytesPerPoll).toBeLessThanOrEqual(IDLE_POLL_BUDGET);
  });

  test('publishing again with no change pushes nothing', async () => {
    const { published } = await scenario.publishChange({}, 'nothing changed');
    expect(published.updates).toEqual([]);
    expect(published.unchanged).toBe(published.stores);
  });

  test('refuses an unsigned artifact, and one signed with another key, and keeps running its last verified one', async () => {
    // GIVEN what the store runs
    const before = revisions(scenario);

    // WHEN someone who can push to the registry, but has not the publisher's key, replaces the store's artifact:
    // unsigned, then signed with a key of their own
    const unsigned = await pushTampered(scenario, 'edge-monitor:6.6.6');
    const unsignedMessage = await refused(scenario, unsigned);
    const foreignKey = scenario.oci!.generateKeyPair(path.join(scenario.cluster.flux.artifactStorage, '..', 'attacker-key'));
    const foreign = await pushTampered(scenario, 'edge-monitor:6.6.7', foreignKey.key);
    const foreignMessage = await refused(scenario, foreign);

    // THEN the real source-controller refused both, and the store kept its artifact, what it applied, and what it runs
    expect(unsignedMessage).toMatch(/verif/i);
    expect(foreignMessage).toMatch(/verif/i);
    scenario.cluster.requestReconcile(STORE_KUSTOMIZATIONS.slice(1));
    await sleep(20_000);
    expect(revisions(scenario)).toEqual(before);
    expect(monitorImage(scenario)).toBe('registry.example.com/retail/edge-monitor:1.4.3');

    // AND the next publish restores the store's own artifact, which it applies
    const { published, digest } = await scenario.publishChange({}, 'publish after the tampering');
    expect(published.updates.map((u) => u.store)).toEqual([STORE]);
    await scenario.applied(digest, 'restored after a refused artifact (s)');
    expect(monitorImage(scenario)).toBe('registry.example.com/retail/edge-monitor:1.4.3');
  });

  test("cannot read another store's artifact with its own credentials", async () => {
    // GIVEN the store's credentials, WHEN it reads another store's repository
    const other = `${scenario.oci!.registry.host}/${OCI_PREFIX}/${OTHER_STORE}:latest`;
    const asStore = spawnSync(binaries().oras, ['manifest', 'fetch', '--plain-http', other], { encoding: 'utf8', env: scenario.oci!.toolEnv(STORE) });
    // THEN the registry refuses
    expect(asStore.status).not.toBe(0);
    expect(asStore.stderr).toMatch(/403|denied|forbidden/i);
    // AND so it does to the store's own source-controller, with the store's pull Secret
    scenario.cluster.kubectl.apply({
      yaml: JSON.stringify({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'OCIRepository',
        metadata: { name: 'another-store', namespace: FLUX_NAMESPACE },
        spec: {
          interval: '1m',
          url: `oci://${other.replace(/:latest$/, '')}`,
          ref: { tag: 'latest' },
          insecure: true,
          secretRef: { name: 'edgefleet-oci-pull' },
        },
      }),
    });
    const message = await waitFor(
      'the OCIRepository of another store to fail',
      () => {
        const ready = condition(ociRepository(scenario, 'another-store'), 'Ready');
        return ready?.status === 'False' ? String(ready.message) : undefined;
      },
      APPLY_TIMEOUT_MS,
    );
    expect(message).toMatch(/403|denied|forbidden/i);
    expect(ociRepository(scenario, 'another-store').status.artifact).toBeUndefined();
  });

  test('removed from the fleet, keeps running; its removal published, its Flux orphans what it ran and its POS VM and data stay', async () => {
    // GIVEN what the store runs
    const before = revisions(scenario);
    const kubectl = scenario.cluster.kubectl;
    const stateful = () => [
      kubectl.get('virtualmachines.kubevirt.io', 'pos', 'edge')?.metadata.uid,
      kubectl.get('pvc', 'pos-data', 'edge')?.metadata.uid,
    ];
    const kept = stateful();
    expect(kept.every((uid) => uid !== undefined)).toBe(true);

    // WHEN the store is removed from the fleet (an inventory row deleted), committed and published
    const others = Object.values(E2E_STORES).filter((id) => id !== STORE);
    const { published } = await scenario.publishChange({ stores: others }, `close ${STORE}`);
    scenario.cluster.requestReconcile(STORE_KUSTOMIZATIONS);
    await sleep(20_000);
    // THEN publish left its artifact as it was, and the store runs what it ran
    expect(published.updates).toEqual([]);
    expect(revisions(scenario)).toEqual(before);

    // WHEN its removal is published deliberately
    const removal = await scenario.publishChange({ stores: others }, `publish the removal of ${STORE}`, [STORE]);
    expect(removal.published.updates.map((u) => [u.store, u.removal])).toEqual([[STORE, true]]);
    await scenario.applied(removal.digest, 'removal applied (s)', ['flux-system']);
    // THEN its Flux pruned the store's two Kustomizations, which orphaned what they applied: the VM and its data claim are the same objects
    await waitFor(
      'the layer Kustomizations to be pruned',
      () => (STORE_KUSTOMIZATIONS.slice(1).every((k) => scenario.cluster.fluxStatus('Kustomization', k) === undefined) ? true : undefined),
      APPLY_TIMEOUT_MS,
    );
    expect(stateful()).toEqual(kept);
    expect(kubectl.get('deployment', 'edge-monitor', 'edge')).toBeDefined();
    expect(ociRepository(scenario).status.artifact.revision).toBe(`latest@${removal.digest}`);
  });
});
