/*
 * A store's Secret committed to Git encrypted for its own key: the real kustomize-controller decrypts
 * it with the key Secret the store's bootstrap creates, and fails visibly on a file it cannot decrypt.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { validateTree } from '../../lib/validate/validate-tree';
import { E2E_STORES, E2eSecrets, buildE2eFleet } from '../fleet/e2e-fleet';
import { FLUX_NAMESPACE } from '../harness/flux-controllers';
import { waitFor } from '../harness/processes';
import { APPLY_TIMEOUT_MS, Scenario } from '../harness/scenario';
import { AgeKey, ageKey, encryptSecret, plainSecret, recipientsOf, sops } from '../harness/sops';
import { E2E_WORK, recordTiming } from '../harness/timings';

const STORE = E2E_STORES.telemetry;
/** Another store of the fleet, with a key of its own; never bootstrapped here. */
const OTHER = E2E_STORES.containerDisk;
/** The telemetry agents' namespace, where their credentials Secret lives. */
const TELEMETRY_NAMESPACE = 'edgefleet-telemetry';
const SECRET = `secrets/${STORE}/telemetry-credentials.yaml`;
const COPY = `stores/${STORE}/infrastructure/secrets/telemetry-credentials.yaml`;
const VALUES = { username: STORE, password: 'TEST-ONLY-e2e-telemetry-password' };
/** The password set when the Secret is re-encrypted for the store's new key, which only a decryption with that key can bring. */
const ROTATED = 'TEST-ONLY-e2e-rotated-password';

describe("a store's encrypted Secret", () => {
  const keysDir = path.join(E2E_WORK, 'secrets-keys');
  fs.rmSync(keysDir, { recursive: true, force: true });
  const keys: Record<'operators' | typeof STORE | typeof OTHER, AgeKey> = {
    operators: ageKey(keysDir, 'operators'),
    [STORE]: ageKey(keysDir, STORE),
    [OTHER]: ageKey(keysDir, OTHER),
  } as any;
  const secrets = (telemetryCredentials: string[], storeKey = keys[STORE].recipient): E2eSecrets => ({
    operators: [keys.operators.recipient],
    storeKeys: { [STORE]: storeKey, [OTHER]: keys[OTHER].recipient },
    telemetryCredentials,
  });
  let scenario: Scenario;

  beforeAll(async () => {
    scenario = await Scenario.start(
      'secrets',
      STORE,
      { stores: [STORE, OTHER], secrets: secrets([STORE]) },
      {
        // The operator: synth writes .sops.yaml from the store keys; then the Secret is written and encrypted with it.
        beforeSynth: (repo) => {
          repo.synth(buildE2eFleet({ url: repo.url, work: repo.work, stores: [STORE, OTHER], secrets: secrets([]) }));
          encryptSecret(repo.work, SECRET, plainSecret('telemetry-credentials', TELEMETRY_NAMESPACE, VALUES));
        },
        // The store's bootstrap, as docs/secrets.md says: its age key into flux-system, before Flux starts.
        beforeBootstrap: (cluster) => {
          cluster.kubectl.run(['create', 'namespace', FLUX_NAMESPACE]);
          cluster.kubectl.run(['-n', FLUX_NAMESPACE, 'create', 'secret', 'generic', 'sops-age', `--from-file=age.agekey=${keys[STORE].file}`]);
        },
      },
    );
  });
  afterAll(() => scenario?.stop());

  test("is decrypted in the store by kustomize-controller with the store's key: the Secret holds the values, and Git holds none of them", () => {
    // GIVEN a Ready store (Scenario.start waits for every Kustomization at the commit)
    const kubectl = scenario.cluster.kubectl;

    // WHEN the Secret is read from the API server
    const secret = kubectl.get('secret', 'telemetry-credentials', TELEMETRY_NAMESPACE);

    // THEN
    expect(Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString()]))).toEqual(VALUES);
    expect(kubectl.get('kustomizations.kustomize.toolkit.fluxcd.io', 'edgefleet-infrastructure', FLUX_NAMESPACE).spec.decryption).toEqual({
      provider: 'sops',
      secretRef: { name: 'sops-age' },
    });
    expect(
      spawnSync('grep', ['-rl', VALUES.password, scenario.repo.dist, path.join(scenario.repo.work, 'secrets')], { encoding: 'utf8' }).stdout,
    ).toBe('');
    expect(kubectl.get('daemonset', 'log-agent', TELEMETRY_NAMESPACE).spec.template.spec.containers[0].env).toEqual(
      expect.arrayContaining([expect.objectContaining({ valueFrom: { secretKeyRef: { name: 'telemetry-credentials', key: 'username' } } })]),
    );
  });

  test(
    "encrypted for another store's key instead, it is refused by synth and validate, and when committed anyway the store cannot decrypt it: its " +
      'Kustomization says so, and the Secret it had stays',
    async () => {
      // GIVEN the same Secret encrypted through the other store's rule
      const repo = scenario.repo;
      const other = `secrets/${OTHER}/telemetry-credentials.yaml`;
      encryptSecret(
        repo.work,
        other,
        plainSecret('telemetry-credentials', TELEMETRY_NAMESPACE, { ...VALUES, password: 'TEST-ONLY-e2e-other-password' }),
      );
      const encryptedForOther = fs.readFileSync(path.join(repo.work, other), 'utf8');
      fs.rmSync(path.join(repo.work, other));

      // WHEN it replaces the store's Secret in Git: synth and validate refuse it
      fs.writeFileSync(path.join(repo.work, SECRET), encryptedForOther);
      expect(() => scenario.commitChange({}, 'must not be committed')).toThrow(new RegExp(`readable by store "${OTHER}"`));
      fs.writeFileSync(path.join(repo.dist, COPY), encryptedForOther);
      expect((await validateTree(repo.dist, { realKustomizeBuild: false })).findings.filter((f) => f.file === COPY).map((f) => f.message)).toEqual([
        expect.stringMatching(new RegExp(`^store "${STORE}"'s Secret must be re-encrypted: it is readable by store "${OTHER}"`)),
      ]);

      // WHEN committed all the same (a hand edit that skipped synth and validate)
      const commit = repo.commit('telemetry-credentials encrypted for the wrong store');
      const started = Date.now();

      // THEN the store's infrastructure Kustomization fails on it at that commit, and says why
      const status = await waitFor(
        `edgefleet-infrastructure failing at ${commit.slice(0, 8)}`,
        () => {
          const k = scenario.cluster.kubectl.get('kustomizations.kustomize.toolkit.fluxcd.io', 'edgefleet-infrastructure', FLUX_NAMESPACE);
          const ready = (k?.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
          return ready?.status === 'False' && String(k.status.lastAttemptedRevision).endsWith(commit) ? ready : undefined;
        },
        APPLY_TIMEOUT_MS,
      );
      recordTiming('secrets', 'decryption failure reported (s)', (Date.now() - started) / 1000);
      expect(status.message).toMatch(/decrypt/i);
      expect(status.message).toContain('telemetry-credentials');
      const kept = scenario.cluster.kubectl.get('secret', 'telemetry-credentials', TELEMETRY_NAMESPACE);
      expect(Buffer.from(kept.data.password, 'base64').toString()).toBe(VALUES.password);
    },
  );

  test(
    'after the key rotation of docs/secrets.md (the new key beside the old in the store, sops updatekeys by an operator), the store decrypts the ' +
      're-encrypted Secret with its new key',
    async () => {
      // GIVEN the store's new key, added to its key Secret as docs/secrets.md says
      const repo = scenario.repo;
      const newKey = ageKey(keysDir, `${STORE}-new`);
      scenario.cluster.kubectl.run([
        '-n',
        FLUX_NAMESPACE,
        'patch',
        'secret',
        'sops-age',
        '--type',
        'json',
        '-p',
        JSON.stringify([{ op: 'add', path: '/data/new.agekey', value: fs.readFileSync(newKey.file).toString('base64') }]),
      ]);

      // WHEN the fleet gets the store's new key: synth stops, naming the file to re-encrypt
      expect(() => scenario.commitChange({ secrets: secrets([STORE], newKey.recipient) }, 'store-telemetry: new key')).toThrow(/sops updatekeys -y/);
      // (the file still holds the other store's encryption from the test above: re-encrypting it for this store repairs that too)
      sops(['updatekeys', '-y', SECRET], repo.work, keys.operators);
      sops(['set', SECRET, '["stringData"]["password"]', JSON.stringify(ROTATED)], repo.work, keys.operators);
      const commit = scenario.commitChange({ secrets: secrets([STORE], newKey.recipient) }, 'store-telemetry: new key, Secret re-encrypted');

      // THEN
      expect(recipientsOf(path.join(repo.work, SECRET))).toEqual([newKey.recipient, keys.operators.recipient]);
      await scenario.applied(commit, 'key rotation applied (s)');
      const secret = scenario.cluster.kubectl.get('secret', 'telemetry-credentials', TELEMETRY_NAMESPACE);
      expect(Buffer.from(secret.data.password, 'base64').toString()).toBe(ROTATED);
    },
  );
});
