import * as fs from 'fs';
import * as path from 'path';
import { pattern } from '../util';
import { KEYS, SecretsRepo, TestStore, fixture } from './secrets-repo';
import { synthesize } from '../../lib';
import { writeSopsConfig } from '../../lib/synth/write-sops-config';
import { Finding } from '../../lib/validate/findings';
import { validateTree } from '../../lib/validate/validate-tree';

const SOURCE = 'secrets/store-a/telemetry-credentials.yaml';
const COPY = 'stores/store-a/infrastructure/secrets/telemetry-credentials.yaml';

/** A repository synthesized with store-a's Secret (encrypted for its key and the operators') and store-b. */
function synthesized(stores?: Record<string, TestStore>): SecretsRepo {
  const repo = new SecretsRepo({ [SOURCE]: fixture('store-a.yaml') });
  synthesize(repo.fleet(stores), { outdir: repo.dist });
  return repo;
}

/** The findings of `edgefleet validate`, but those of files the tests add unlisted to a kustomization.yaml. */
async function findingsOf(repo: SecretsRepo): Promise<Finding[]> {
  return (await validateTree(repo.dist, { realKustomizeBuild: false })).findings.filter((f) => !f.file.endsWith('/kustomization.yaml'));
}

describe('edgefleet validate: secrets', () => {
  test(
    "GIVEN a tree whose Secret is encrypted for exactly its store's key and the operators' WHEN validated THEN nothing is found, its sops " +
      'metadata included',
    async () => {
      expect(await findingsOf(synthesized())).toEqual([]);
    },
  );

  test(
    'GIVEN a Secret in plain text anywhere in the tree WHEN validated ' + 'THEN it is found without its values; one without values is not',
    async () => {
      // GIVEN
      const repo = synthesized();
      repo.write(
        'dist/clusters/store-a/flux-system/git-credentials.yaml',
        'apiVersion: v1\nkind: Secret\nmetadata: {name: git, namespace: flux-system}\nstringData: {password: TEST-ONLY-hunter2}\n',
      );
      repo.write('dist/stores/store-b/workloads/empty.yaml', 'apiVersion: v1\nkind: Secret\nmetadata: {name: empty, namespace: edge}\n');

      // WHEN
      const findings = await findingsOf(repo);

      // THEN
      expect(findings).toEqual([
        {
          file: 'clusters/store-a/flux-system/git-credentials.yaml',
          object: 'Secret/flux-system/git',
          path: '-',
          message:
            "holds stringData.password in plain text: everything in the tree is committed to Git, so a Secret's values must be SOPS-encrypted " +
            "(see edgefleet's guide docs/secrets.md)",
        },
      ]);
    },
  );

  test("GIVEN a store's Secret that another store can read WHEN validated THEN the finding names both stores", async () => {
    const repo = synthesized();
    repo.write(`dist/${COPY}`, fixture('store-b.yaml'));
    const [finding, ...more] = await findingsOf(repo);
    expect(more).toEqual([]);
    expect(finding).toMatchObject({ file: COPY, object: 'Secret/edge/telemetry-credentials', path: 'sops' });
    expect(finding.message).toMatch(
      pattern([
        /^store "store-a"'s Secret must be re-encrypted: it is readable by store "store-b" \(its key age1\S+\); not readable by age1\S+; the /,
        /rule of \.\.\/\.sops\.yaml that covers it wants exactly /,
      ]),
    );
    expect(finding.message).toContain('since store "store-b" could read them');
  });

  test('GIVEN a store whose key changed WHEN validated THEN every file still encrypted for its old key is listed, with sops updatekeys', async () => {
    // GIVEN a tree synthesized with store-a's previous key, then the new key's .sops.yaml
    const repo = new SecretsRepo({ [SOURCE]: fixture('store-a-old-key.yaml') });
    synthesize(repo.fleet({ 'store-a': { ageRecipient: KEYS['store-a-old'], secrets: ['telemetry-credentials'] } }), { outdir: repo.dist });
    expect(await findingsOf(repo)).toEqual([]);
    writeSopsConfig(repo.fleet(), repo.dist);

    // WHEN
    const findings = await findingsOf(repo);

    // THEN
    expect(findings.map((f) => f.file)).toEqual([COPY]);
    expect(findings[0].message).toContain(
      `readable by ${KEYS['store-a-old']}, which is neither the store's key nor an operator's (an old key?); not readable by ${KEYS['store-a']}`,
    );
    expect(findings[0].message).toContain(
      "Run `sops updatekeys -y` on the file synth copied it from (the secrets folder's store-a/telemetry-credentials.yaml), then synth",
    );
  });

  test.each([
    ['a value added in plain text after encryption', fixture('tampered.yaml'), 'holds stringData.note in plain text although it is SOPS-encrypted'],
    [
      "a file encrypted without the fleet's rules",
      fixture('all-encrypted.yaml'),
      'has apiVersion, kind, metadata.name, metadata.namespace, type encrypted too',
    ],
  ])('GIVEN %s WHEN validated THEN it is found', async (_, content, expected) => {
    const repo = synthesized();
    repo.write(`dist/${COPY}`, content);
    expect((await findingsOf(repo)).map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
  });

  test(
    'GIVEN an encrypted file of a store without a key, or a tree without .sops.yaml WHEN validated THEN who may read it cannot be checked, and ' +
      'that is found',
    async () => {
      // GIVEN store-b (no rule once its key is gone) holding an encrypted file
      const repo = synthesized();
      repo.write('dist/stores/store-b/infrastructure/stolen.yaml', fixture('store-b.yaml'));
      writeSopsConfig(repo.fleet({ 'store-a': { ageRecipient: KEYS['store-a'], secrets: ['telemetry-credentials'] }, 'store-b': {} }), repo.dist);

      // WHEN / THEN
      expect((await findingsOf(repo)).map((f) => `${f.file}: ${f.message}`)).toEqual([
        'stores/store-b/infrastructure/stolen.yaml: is SOPS-encrypted, but no rule of ../.sops.yaml covers it: store "store-b" has no age key in ' +
          'the fleet definition, so nothing may be encrypted for it',
      ]);
      fs.rmSync(path.join(repo.root, '.sops.yaml'));
      expect((await findingsOf(repo)).map((f) => f.message)).toEqual([
        expect.stringMatching(/^is SOPS-encrypted, and there is no \.sops\.yaml in \S+ or above to check who can read it/),
        expect.stringMatching(/^is SOPS-encrypted, and there is no \.sops\.yaml/),
      ]);
    },
  );

  test(
    'GIVEN an encrypted Secret in the folder of a store synced by Rancher Fleet WHEN validated THEN it is found, with the reason and the ' +
      'alternative',
    async () => {
      const repo = synthesized();
      repo.write('dist/stores/store-a/fleet.yaml', 'defaultNamespace: edge\nkeepResources: true\n');
      expect((await findingsOf(repo)).map((f) => f.message)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            pattern([
              /^is SOPS-encrypted, in the folder of a store synced by Rancher Fleet \(it has a fleet\.yaml\)\. Rancher Fleet cannot decrypt /,
              /SOPS-encrypted files \(rancher\/fleet#144.*or move the store to Flux/,
            ]),
          ),
        ]),
      );
    },
  );
});
