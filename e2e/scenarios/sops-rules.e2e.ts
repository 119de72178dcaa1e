/*
 * The generated .sops.yaml and the secrets checks, with the real sops and age-keygen: no cluster.
 * What an operator does in the fleet repository, step by step as docs/secrets.md says.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FleetValidationError, renderFleet, synthesize } from '../../lib';
import { SOPS_CONFIG_FILE } from '../../lib/secrets/sops-config';
import { validateTree } from '../../lib/validate/validate-tree';
import { E2E_STORES, E2eSecrets, buildE2eFleet } from '../fleet/e2e-fleet';
import { AgeKey, ageKey, encryptSecret, plainSecret, recipientsOf, sops } from '../harness/sops';
import { E2E_WORK } from '../harness/timings';

const STORE = E2E_STORES.telemetry;
const OTHER = E2E_STORES.containerDisk;
const SECRET = `secrets/${STORE}/telemetry-credentials.yaml`;
const VALUES = { username: STORE, password: 'TEST-ONLY-e2e-rules-password' };

/** A fleet repository of the suite's fleet in a fresh folder, and the keys of its operators and two stores. */
class Repository {
  public readonly root = path.join(E2E_WORK, 'sops-rules', 'repo');
  public readonly keys: Record<'operators' | typeof STORE | typeof OTHER, AgeKey>;

  constructor() {
    const dir = path.join(E2E_WORK, 'sops-rules');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(this.root, { recursive: true });
    const keys = path.join(dir, 'keys');
    this.keys = { operators: ageKey(keys, 'operators'), [STORE]: ageKey(keys, STORE), [OTHER]: ageKey(keys, OTHER) } as Repository['keys'];
  }

  public secrets(telemetryCredentials: string[], storeKey = this.keys[STORE].recipient): E2eSecrets {
    return {
      operators: [this.keys.operators.recipient],
      storeKeys: { [STORE]: storeKey, [OTHER]: this.keys[OTHER].recipient },
      telemetryCredentials,
    };
  }

  /** Synthesizes the fleet (its two stores, the telemetry store referencing its Secret or not) into dist/. */
  public synth(secrets: E2eSecrets): void {
    synthesize(this.fleet(secrets), { outdir: path.join(this.root, 'dist'), allowWideChange: true });
  }

  public fleet(secrets: E2eSecrets) {
    return buildE2eFleet({ url: 'https://git.example.com/retail/fleet.git', stores: [STORE, OTHER], work: this.root, secrets });
  }
}

/** The problems synth reports, or [] when the fleet renders. */
function problemsOf(render: () => unknown): string[] {
  try {
    render();
    return [];
  } catch (e) {
    if (e instanceof FleetValidationError) return e.problems;
    throw e;
  }
}

describe('the generated .sops.yaml with the real sops', () => {
  let repo: Repository;
  beforeAll(() => {
    repo = new Repository();
    repo.synth(repo.secrets([]));
  });

  test("sops run anywhere in the repository encrypts a store's Secret for exactly that store's key and the operators'", () => {
    // GIVEN the .sops.yaml synth wrote at the root of the repository
    expect(fs.existsSync(path.join(repo.root, SOPS_CONFIG_FILE))).toBe(true);
    const expected = [repo.keys[STORE].recipient, repo.keys.operators.recipient];

    // WHEN an operator encrypts the store's Secret from the root, from its folder, and from dist/
    for (const cwd of [repo.root, path.join(repo.root, 'secrets', STORE), path.join(repo.root, 'dist')]) {
      fs.mkdirSync(cwd, { recursive: true });
      encryptSecret(repo.root, SECRET, plainSecret('telemetry-credentials', 'edge', VALUES), cwd);

      // THEN the file is readable by exactly those keys, and only data and stringData are encrypted
      expect({ cwd, recipients: recipientsOf(path.join(repo.root, SECRET)) }).toEqual({ cwd, recipients: expected });
      expect(fs.readFileSync(path.join(repo.root, SECRET), 'utf8')).toMatch(/^kind: Secret$[\s\S]*^ {4}password: ENC\[/m);
    }
  });

  test('sops refuses to encrypt for a store without a key, and run outside the repository finds no rules', () => {
    for (const file of ['secrets/store-nokey/s.yaml', `secrets/${STORE}/plain.yaml`]) {
      fs.mkdirSync(path.dirname(path.join(repo.root, file)), { recursive: true });
      fs.writeFileSync(path.join(repo.root, file), plainSecret('s', 'edge', VALUES));
    }
    expect(() => sops(['--encrypt', 'secrets/store-nokey/s.yaml'], repo.root)).toThrow(/no matching creation rules found/);
    expect(() => sops(['--encrypt', path.join(repo.root, 'secrets', STORE, 'plain.yaml')], os.tmpdir())).toThrow(/config file not found/);
  });

  test("the store's key and the operators' decrypt it; another store's key does not", () => {
    encryptSecret(repo.root, SECRET, plainSecret('telemetry-credentials', 'edge', VALUES));
    for (const key of [repo.keys[STORE], repo.keys.operators]) expect(sops(['--decrypt', SECRET], repo.root, key)).toContain(VALUES.password);
    expect(() => sops(['--decrypt', SECRET], repo.root, repo.keys[OTHER])).toThrow(/Failed to get the data key/);
  });

  test('synth copies it byte for byte, a re-synth changes nothing, and validate (with the real kustomize) finds nothing', async () => {
    // GIVEN the encrypted Secret, referenced by the store
    encryptSecret(repo.root, SECRET, plainSecret('telemetry-credentials', 'edge', VALUES));
    repo.synth(repo.secrets([STORE]));
    const copy = path.join(repo.root, 'dist', 'stores', STORE, 'infrastructure', 'secrets', 'telemetry-credentials.yaml');

    // WHEN synthesized again, and validated
    const again = synthesize(repo.fleet(repo.secrets([STORE])), { outdir: path.join(repo.root, 'dist') });
    const report = await validateTree(path.join(repo.root, 'dist'));

    // THEN
    expect(fs.readFileSync(copy, 'utf8')).toBe(fs.readFileSync(path.join(repo.root, SECRET), 'utf8'));
    expect(again.written).toEqual([]);
    expect(report.findings).toEqual([]);
    expect(spawnSync('grep', ['-rl', VALUES.password, path.join(repo.root, 'dist')], { encoding: 'utf8' }).stdout).toBe('');
  });

  test("a file encrypted for another store, in this store's folder, stops synth naming both stores", () => {
    // GIVEN the Secret encrypted through the other store's rule, then moved into this store's folder
    const other = `secrets/${OTHER}/telemetry-credentials.yaml`;
    encryptSecret(repo.root, other, plainSecret('telemetry-credentials', 'edge', VALUES));
    fs.renameSync(path.join(repo.root, other), path.join(repo.root, SECRET));

    // WHEN / THEN
    const problems = problemsOf(() => renderFleet(repo.fleet(repo.secrets([STORE]))));
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^store "${STORE}": EncryptedSecret "telemetry-credentials": .* readable by store "${OTHER}" \\(its key ` +
            `${repo.keys[OTHER].recipient}\\); not readable by ${repo.keys[STORE].recipient}\\.`,
        ),
      ),
    ]);
  });

  test(
    "a store's new key: synth and validate list the file, sops updatekeys with the operators' key re-encrypts it, then both pass and the values " +
      'are unchanged',
    async () => {
      // GIVEN a synthesized tree with the store's Secret
      encryptSecret(repo.root, SECRET, plainSecret('telemetry-credentials', 'edge', VALUES));
      repo.synth(repo.secrets([STORE]));
      const newKey = ageKey(path.join(E2E_WORK, 'sops-rules', 'keys'), `${STORE}-new`);

      // WHEN the store gets a new key
      const rotated = repo.secrets([STORE], newKey.recipient);
      expect(() => repo.synth(rotated)).toThrow(FleetValidationError);

      // THEN synth names the file and the command, and validate lists the synthesized copy
      expect(problemsOf(() => renderFleet(repo.fleet(rotated)))).toEqual([
        expect.stringMatching(new RegExp(`re-encrypt it with \`sops updatekeys -y \\S*${SECRET}\``)),
      ]);
      expect((await validateTree(path.join(repo.root, 'dist'), { realKustomizeBuild: false })).findings.map((f) => f.file)).toEqual([
        `stores/${STORE}/infrastructure/secrets/telemetry-credentials.yaml`,
      ]);

      // WHEN the operator re-encrypts it with the rules synth already wrote, and synthesizes
      sops(['updatekeys', '-y', SECRET], repo.root, repo.keys.operators);
      repo.synth(rotated);

      // THEN
      expect(recipientsOf(path.join(repo.root, SECRET))).toEqual([newKey.recipient, repo.keys.operators.recipient]);
      expect((await validateTree(path.join(repo.root, 'dist'), { realKustomizeBuild: false })).findings).toEqual([]);
      expect(sops(['--decrypt', SECRET], repo.root, newKey)).toContain(VALUES.password);
      expect(() => sops(['--decrypt', SECRET], repo.root, repo.keys[STORE])).toThrow(/Failed to get the data key/);
    },
  );
});
