import * as fs from 'fs';
import * as path from 'path';
import { pattern } from '../util';
import { KEYS, SecretsRepo, fixture } from './secrets-repo';
import { main } from '../../lib/cli/main';

/** Runs the CLI in the repository, capturing what it prints. */
async function cli(repo: SecretsRepo, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { write: (s: string) => (stdout += s) }, { write: (s: string) => (stderr += s) }, repo.root);
  return { code, stdout, stderr };
}

/** A fleet module `file` in the repository (a new name each time: modules are loaded once): store-a with `key` and its telemetry-credentials. */
function writeFleetModule(repo: SecretsRepo, file: string, key: string): void {
  repo.write(
    file,
    `import { EdgeFleet, EdgeStore, EncryptedSecret } from 'edgefleet';
export function buildFleet(): any {
  const secrets = { operators: ['${KEYS.operators}'], folder: ${JSON.stringify(path.join(repo.root, 'secrets'))} };
  const fleet = new EdgeFleet({ repository: { url: 'https://git.example.com/f.git' }, secrets });
  new EncryptedSecret(new EdgeStore(fleet, 'store-a', { ageRecipient: '${key}' }), 'telemetry-credentials');
  return fleet;
}
`,
  );
}

describe('edgefleet synth and validate with secrets', () => {
  test(
    "GIVEN a fleet with a store's encrypted Secret WHEN synthesized twice and validated THEN .sops.yaml is written once, said so, and validate " +
      'finds nothing',
    async () => {
      // GIVEN
      const repo = new SecretsRepo({ 'secrets/store-a/telemetry-credentials.yaml': fixture('store-a.yaml') });
      writeFleetModule(repo, 'fleet.ts', KEYS['store-a']);

      // WHEN
      const first = await cli(repo, 'synth', '--fleet', 'fleet.ts');
      const again = await cli(repo, 'synth', '--fleet', 'fleet.ts');
      const validate = await cli(repo, 'validate', '--skip-kustomize-build');

      // THEN
      expect(first.stdout).toMatch(/ written, 0 deleted, 0 unchanged; 1 store rendered; \.sops\.yaml updated \([0-9.]+s\)\n$/);
      expect(again.stdout).toMatch(/ 0 written, 0 deleted, \d+ unchanged; [^;(]*\([0-9.]+s\)\n$/);
      expect(fs.existsSync(path.join(repo.root, '.sops.yaml'))).toBe(true);
      expect([validate.code, validate.stdout]).toEqual([0, expect.stringMatching(/: 0 invalid\n$/)]);
    },
  );

  test("GIVEN a store's new key WHEN synthesized and validated THEN both name the file to re-encrypt and exit 1, dist/ left as it was", async () => {
    // GIVEN a tree synthesized with store-a's previous key
    const repo = new SecretsRepo({ 'secrets/store-a/telemetry-credentials.yaml': fixture('store-a-old-key.yaml') });
    writeFleetModule(repo, 'fleet-old-key.ts', KEYS['store-a-old']);
    expect((await cli(repo, 'synth', '--fleet', 'fleet-old-key.ts')).code).toBe(0);

    // WHEN store-a gets its new key
    writeFleetModule(repo, 'fleet-new-key.ts', KEYS['store-a']);
    const synth = await cli(repo, 'synth', '--fleet', 'fleet-new-key.ts');
    const validate = await cli(repo, 'validate', '--skip-kustomize-build');

    // THEN
    expect(synth.code).toBe(1);
    expect(synth.stderr).toMatch(
      pattern([
        /^edgefleet: synth failed; dist\/ was left as it was\.\n1 problem in the fleet definition:\n {2}- store "store-a": EncryptedSecret /,
        /"telemetry-credentials": \S+ is encrypted for the wrong keys: .*re-encrypt it with `sops updatekeys -y /,
        /\S+secrets\/store-a\/telemetry-credentials\.yaml`/,
      ]),
    );
    expect(repo.read('dist/stores/store-a/infrastructure/secrets/telemetry-credentials.yaml')).toBe(fixture('store-a-old-key.yaml'));
    expect(validate.code).toBe(1);
    expect(validate.stdout).toMatch(
      pattern([
        /^stores\/store-a\/infrastructure\/secrets\/telemetry-credentials\.yaml: Secret\/edge\/telemetry-credentials: sops: store "store-a"'s /,
        /Secret must be re-encrypted: /,
      ]),
    );
  });
});
