import * as YAML from 'yaml';
import { EdgeFleet, EdgeStore, EncryptedSecret, FleetValidationError, InventoryColumn, renderFleet, synthesize, typedInventoryRows } from '../../lib';
import { snapshotDir, pattern } from '../util';
import { FIXTURE_VALUES, KEYS, SecretsRepo, fixture } from './secrets-repo';

const SOURCE = 'secrets/store-a/telemetry-credentials.yaml';
const COPY = 'stores/store-a/infrastructure/secrets/telemetry-credentials.yaml';

/** The problems synth reports for the fleet, or [] when it renders. */
function problemsOf(fleet: EdgeFleet): string[] {
  try {
    renderFleet(fleet);
    return [];
  } catch (e) {
    if (e instanceof FleetValidationError) return e.problems;
    throw e;
  }
}

/** The single problem synth reports, which never quotes a secret value. */
function problemOf(fleet: EdgeFleet): string {
  const problems = problemsOf(fleet);
  expect(problems).toHaveLength(1);
  for (const value of FIXTURE_VALUES) expect(problems[0]).not.toContain(value);
  return problems[0];
}

describe('EncryptedSecret', () => {
  test(
    "GIVEN a Secret encrypted for its store's key and the operators' WHEN synthesized THEN it is copied byte for byte, listed, and decrypted by " +
      "the layer's Kustomization only",
    () => {
      // GIVEN
      const repo = new SecretsRepo({ [SOURCE]: fixture('store-a.yaml') });

      // WHEN
      const files = renderFleet(repo.fleet());

      // THEN
      expect(files.get(COPY)).toBe(fixture('store-a.yaml'));
      expect(YAML.parse(files.get('stores/store-a/infrastructure/kustomization.yaml')!).resources).toContain('secrets');
      expect(YAML.parse(files.get('stores/store-a/infrastructure/secrets/kustomization.yaml')!).resources).toEqual(['telemetry-credentials.yaml']);
      expect(YAML.parse(files.get('clusters/store-a/infrastructure.yaml')!).spec.decryption).toEqual({
        provider: 'sops',
        secretRef: { name: 'sops-age' },
      });
      expect(YAML.parse(files.get('clusters/store-a/workloads.yaml')!).spec).not.toHaveProperty('decryption');
      expect(YAML.parse(files.get('clusters/store-b/infrastructure.yaml')!).spec).not.toHaveProperty('decryption');
    },
  );

  test('GIVEN a synthesized tree with an encrypted Secret WHEN synthesized again THEN nothing is written, the copy still equal to the source', () => {
    // GIVEN
    const repo = new SecretsRepo({ [SOURCE]: fixture('store-a.yaml') });
    synthesize(repo.fleet(), { outdir: repo.dist });

    // WHEN
    const again = synthesize(repo.fleet(), { outdir: repo.dist });

    // THEN
    expect(again.written).toEqual([]);
    expect(again.sopsConfigWritten).toBe(false);
    expect(repo.read(`dist/${COPY}`)).toBe(repo.read(SOURCE));
    const output = [...snapshotDir(repo.dist).values()].join('\n');
    for (const value of FIXTURE_VALUES) expect(output).not.toContain(value);
  });

  test("GIVEN a Secret that another store's key can read WHEN synthesized THEN synth stops, naming both stores, and dist/ is untouched", () => {
    // GIVEN store-b's encryption of the Secret in store-a's folder
    const repo = new SecretsRepo({ [SOURCE]: fixture('store-b.yaml') });

    // WHEN
    expect(() => synthesize(repo.fleet(), { outdir: repo.dist })).toThrow(FleetValidationError);
    const problem = problemOf(repo.fleet());

    // THEN
    expect(problem).toMatch(
      /^store "store-a": EncryptedSecret "telemetry-credentials": \S*secrets\/store-a\/telemetry-credentials\.yaml is encrypted for the wrong keys: /,
    );
    expect(problem).toContain(`readable by store "store-b" (its key ${KEYS['store-b']})`);
    expect(problem).toContain(`not readable by ${KEYS['store-a']}`);
    expect(problem).toContain('sops updatekeys -y');
    expect(problem).toContain('change the values it holds, since store "store-b" could read them');
    expect(snapshotDir(repo.root).has(`dist/${COPY}`)).toBe(false);
  });

  test(
    'GIVEN a store whose key changed WHEN synthesized THEN synth lists the file to re-encrypt, and .sops.yaml already has the new key for sops ' +
      'updatekeys',
    () => {
      // GIVEN the Secret encrypted for store-a's previous key, synthesized then
      const repo = new SecretsRepo({ [SOURCE]: fixture('store-a-old-key.yaml') });
      synthesize(repo.fleet({ 'store-a': { ageRecipient: KEYS['store-a-old'], secrets: ['telemetry-credentials'] } }), { outdir: repo.dist });

      // WHEN store-a gets its new key
      const fleet = repo.fleet();
      expect(() => synthesize(fleet, { outdir: repo.dist })).toThrow(FleetValidationError);

      // THEN
      const problem = problemOf(fleet);
      expect(problem).toContain(`readable by ${KEYS['store-a-old']}, which is neither the store's key nor an operator's`);
      expect(problem).toContain(`not readable by ${KEYS['store-a']}`);
      expect(problem).toMatch(/re-encrypt it with `sops updatekeys -y \S*secrets\/store-a\/telemetry-credentials\.yaml`/);
      expect(repo.read('.sops.yaml')).toContain(KEYS['store-a']);
      expect(repo.read('.sops.yaml')).not.toContain(KEYS['store-a-old']);
      expect(repo.read(`dist/${COPY}`)).toBe(fixture('store-a-old-key.yaml'));
    },
  );

  test.each([
    [
      'a plain-text Secret',
      fixture('store-a.yaml')
        .replace(/^sops:[\s\S]*$/m, '')
        .replace(/ENC\[[^\]]*\]/g, 'TEST-ONLY-fixture-password'),
      /is not SOPS-encrypted: encrypt it in place before committing it \(`sops --encrypt --in-place \S+`/,
    ],
    ['a value added in plain text after encryption', fixture('tampered.yaml'), /holds stringData\.note in plain text although it is SOPS-encrypted/],
    [
      "a file encrypted without the fleet's rules",
      fixture('all-encrypted.yaml'),
      /has apiVersion, kind, metadata\.name, metadata\.namespace, type encrypted too/,
    ],
    ['a file that is not YAML', 'stringData: [unclosed\n', /is not valid YAML/],
    ['two documents', `${fixture('store-a.yaml')}---\n${fixture('store-a.yaml')}`, /holds 2 documents \(expected one Secret\)/],
  ])('GIVEN %s WHEN synthesized THEN synth stops and says what to do', (_, content, expected) => {
    const repo = new SecretsRepo({ [SOURCE]: content });
    expect(problemOf(repo.fleet())).toMatch(expected);
  });

  test(
    'GIVEN a store referencing a Secret file that does not exist WHEN synthesized THEN synth names the file and the sops command that makes ' + 'it',
    () => {
      const repo = new SecretsRepo();
      expect(problemOf(repo.fleet())).toMatch(
        pattern([
          /secrets\/store-a\/telemetry-credentials\.yaml does not exist \(write the Secret there, then encrypt it in place inside the fleet /,
          /repository: `sops --encrypt --in-place \S+secrets\/store-a\/telemetry-credentials\.yaml`/,
        ]),
      );
    },
  );

  test('GIVEN a file holding another Secret than its name says WHEN synthesized THEN synth names both', () => {
    const repo = new SecretsRepo({ 'secrets/store-a/registry-pull.yaml': fixture('store-a.yaml') });
    expect(problemOf(repo.fleet({ 'store-a': { ageRecipient: KEYS['store-a'], secrets: ['registry-pull'] } }))).toContain(
      'holds Secret "telemetry-credentials", not "registry-pull" (name the file after the Secret it holds)',
    );
  });

  test(
    'GIVEN a Secret whose name reads as a date in YAML 1.1 WHEN synthesized THEN its name is read as the string Kubernetes reads, and it is ' +
      'copied',
    () => {
      // GIVEN
      const dateLike = '2026-11-27';
      const repo = new SecretsRepo({
        [`secrets/store-a/${dateLike}.yaml`]: fixture('store-a.yaml').replace('name: telemetry-credentials', `name: ${dateLike}`),
      });

      // WHEN
      const files = renderFleet(repo.fleet({ 'store-a': { ageRecipient: KEYS['store-a'], secrets: [dateLike] } }));

      // THEN
      expect(files.get(`stores/store-a/infrastructure/secrets/${dateLike}.yaml`)).toContain(`name: ${dateLike}\n`);
    },
  );

  test('GIVEN a store synced by Rancher Fleet WHEN it references an encrypted Secret THEN it is refused with the reason and the alternative', () => {
    const repo = new SecretsRepo({ [SOURCE]: fixture('store-a.yaml') });
    expect(() => repo.fleet({ 'store-a': { ageRecipient: KEYS['store-a'], sync: { agent: 'fleet' }, secrets: ['telemetry-credentials'] } })).toThrow(
      pattern([
        /^store "store-a": EncryptedSecret "telemetry-credentials": the store syncs with Rancher Fleet\. Rancher Fleet cannot decrypt /,
        /SOPS-encrypted files \(rancher\/fleet#144.*\)\. Create the Secret in the store out of band .*, or move the store to Flux \(sync\.agent /,
        /"flux"\)/,
      ]),
    );
  });

  test('GIVEN a store without a key, or a fleet without secrets settings WHEN a Secret is referenced THEN the missing key is named', () => {
    const repo = new SecretsRepo({ [SOURCE]: fixture('store-a.yaml') });
    expect(() => repo.fleet({ 'store-a': { secrets: ['telemetry-credentials'] } })).toThrow(
      /^store "store-a": EncryptedSecret "telemetry-credentials": the store has no ageRecipient \(set it to the public key of the store's age key/,
    );
    const fleet = new EdgeFleet({ repository: { url: 'https://git.example.com/retail/fleet.git' } });
    expect(() => new EncryptedSecret(new EdgeStore(fleet, 'store-a'), 'telemetry-credentials')).toThrow(
      /the fleet has no secrets settings \(set EdgeFleet secrets\.operators/,
    );
    expect(() => new EdgeStore(fleet, 'store-b', { ageRecipient: KEYS['store-b'] })).toThrow(
      /^store "store-b": ageRecipient is set but the fleet has no secrets settings/,
    );
  });

  test(
    'GIVEN a Secret in plain text added with addManifests WHEN synthesized THEN synth refuses it without quoting it; one without values ' + 'passes',
    () => {
      // GIVEN
      const repo = new SecretsRepo();
      const fleet = repo.fleet({ 'store-b': { ageRecipient: KEYS['store-b'] } });
      const store = fleet.stores[0];
      store.addManifests('registry', [
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'registry', namespace: 'edge' },
          data: { '.dockerconfigjson': 'eyJURVNULU9OTFkiOnRydWV9' },
        },
      ]);
      store.addManifests('placeholder', [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'filled-in-store', namespace: 'edge' } }]);

      // WHEN
      const problem = problemOf(fleet);

      // THEN
      expect(problem).toBe(
        'store "store-b": Secret "edge/registry" in stores/store-b/workloads/registry.yaml holds data..dockerconfigjson in plain text, ' +
          'and would be committed to Git that way: keep it encrypted in the fleet repository and add it with EncryptedSecret, or create it in ' +
          'the store out of band',
      );
      expect(problem).not.toContain('eyJURVNULU9OTFkiOnRydWV9');
    },
  );
});

describe('store and operator keys', () => {
  const repo = new SecretsRepo();

  test.each([
    [
      'a mistyped key',
      `${KEYS['store-a'].slice(0, -1)}${KEYS['store-a'].endsWith('q') ? 'p' : 'q'}`,
      pattern([
        /ageRecipient "age1\S+" is not an age public key: "age1" and 58 more characters, as `age-keygen` prints it.* \(a character is wrong or /,
        /missing\)/,
      ]),
    ],
    ['a truncated key', KEYS['store-a'].slice(0, 40), /is not an age public key/],
    [
      'a private key',
      'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ',
      pattern([
        /^store "store-a": ageRecipient "\[private key not shown\]" is a private key, which must never be in the fleet definition or in Git: /,
        /give its age public key instead \(`age-keygen -y <key file>` prints it\), and if the private key was ever committed, make a new one/,
      ]),
    ],
    ['an SSH key', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample', /is not an age public key/],
  ])("GIVEN %s as a store's ageRecipient WHEN the store is defined THEN the key is refused, named with the fix", (_, key, expected) => {
    expect(() => repo.fleet({ 'store-a': { ageRecipient: key } })).toThrow(expected);
  });

  test(
    'GIVEN an inventory column of store keys WHEN a key is mistyped THEN the file, line, column and value are named; a blank cell means no ' + 'key',
    () => {
      const rows = [
        { line: 2, values: { id: 'store-a', age_recipient: KEYS['store-a'] } },
        { line: 3, values: { id: 'store-b', age_recipient: '' } },
        { line: 4, values: { id: 'store-c', age_recipient: 'age1typo' } },
      ];
      expect(() => typedInventoryRows(rows, { age_recipient: InventoryColumn.ageRecipient() }, 'stores/inventory.csv')).toThrow(
        pattern([
          /stores\/inventory\.csv line 4: store "store-c", column "age_recipient": "age1typo" is not accepted \(use an age public key: "age1" /,
          /and 58 more characters/,
        ]),
      );
      expect(
        typedInventoryRows(rows.slice(0, 2), { age_recipient: InventoryColumn.ageRecipient() }, 'stores/inventory.csv').map(
          (r) => r.values.age_recipient,
        ),
      ).toEqual([KEYS['store-a'], undefined]);
    },
  );

  test('GIVEN a valid key WHEN the store is defined THEN it is accepted', () => {
    expect(repo.fleet({ 'store-a': { ageRecipient: KEYS['store-a'] } }).stores[0].ageRecipient).toBe(KEYS['store-a']);
  });

  test('GIVEN no operator key, or a bad one WHEN the fleet is defined THEN it is refused', () => {
    const fleet = (operators: string[]) => new EdgeFleet({ repository: { url: 'https://git.example.com/f.git' }, secrets: { operators } });
    expect(() => fleet([])).toThrow(/^fleet: secrets\.operators is empty \(give at least one operator's age public key/);
    expect(() => fleet(['age1nope'])).toThrow(/^fleet: secrets\.operators\[0\] "age1nope" is not an age public key/);
    expect(() => fleet([KEYS.operators, KEYS.operators])).toThrow(/name a key twice/);
    expect(fleet([KEYS.operators]).secrets).toMatchObject({ operators: [KEYS.operators], keySecretName: 'sops-age' });
  });

  test(
    "GIVEN two stores with one key, or a store with an operator's key WHEN synthesized THEN synth stops: the stores could read each other's " +
      'secrets',
    () => {
      expect(problemsOf(repo.fleet({ 'store-a': { ageRecipient: KEYS['store-a'] }, 'store-b': { ageRecipient: KEYS['store-a'] } }))).toEqual([
        `fleet: stores "store-a", "store-b" have the same ageRecipient ${KEYS['store-a']}, so each could read the others' secrets (give each ` +
          `store a key of its own, made with \`age-keygen\` for it). .sops.yaml was left as it was until then; fix this before re-encrypting any ` +
          `file as other problems suggest`,
      ]);
      expect(problemsOf(repo.fleet({ 'store-a': { ageRecipient: KEYS.operators } }))).toEqual([
        `fleet: store "store-a": ageRecipient ${KEYS.operators} is an operator's key, so the store could read every store's secrets (give the ` +
          `store a key of its own). .sops.yaml was left as it was until then; fix this before re-encrypting any file as other problems suggest`,
      ]);
    },
  );

  test(
    "GIVEN a key copied from another store WHEN synthesized THEN the shared key comes first and .sops.yaml keeps the store's own rule, so that " +
      'sops updatekeys cannot hand its secret to the other store',
    () => {
      // GIVEN a synthesized repository
      const keyedRepo = new SecretsRepo({ [SOURCE]: fixture('store-a.yaml') });
      synthesize(keyedRepo.fleet(), { outdir: keyedRepo.dist });
      const sopsConfig = keyedRepo.read('.sops.yaml');

      // WHEN store-a gets store-b's key by mistake
      const fleet = keyedRepo.fleet({
        'store-a': { ageRecipient: KEYS['store-b'], secrets: ['telemetry-credentials'] },
        'store-b': { ageRecipient: KEYS['store-b'] },
      });
      expect(() => synthesize(fleet, { outdir: keyedRepo.dist })).toThrow(FleetValidationError);

      // THEN
      const problems = problemsOf(fleet);
      expect(problems[0]).toMatch(/^fleet: stores "store-a", "store-b" have the same ageRecipient .*\. \.sops\.yaml was left as it was until then/);
      expect(keyedRepo.read('.sops.yaml')).toBe(sopsConfig);
    },
  );
});
