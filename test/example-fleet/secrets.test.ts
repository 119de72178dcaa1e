/*
 * The example fleet's encrypted telemetry-credentials: TEST KEYS and dummy values, made by
 * stores/make-test-secrets.sh with the real sops.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { renderFleet } from '../../lib';
import { renderSopsConfig } from '../../lib/secrets/sops-config';
import { buildFleet } from '../../stores';
import { snapshotDir } from '../util';

const ROOT = path.join(__dirname, '..', '..');
const fleet = buildFleet();
const rendered = renderFleet(fleet);

describe("the example fleet's secrets", () => {
  test('GIVEN the store keys of the inventory WHEN synthesized THEN the committed .sops.yaml is the one synth writes', () => {
    expect(fs.readFileSync(path.join(ROOT, '.sops.yaml'), 'utf8')).toBe(renderSopsConfig(fleet, ROOT));
  });

  test(
    'GIVEN every Flux store with a key WHEN synthesized THEN its telemetry-credentials is its encrypted file, byte for byte, decrypted by its ' +
      'infrastructure layer',
    () => {
      const withKey = fleet.stores.filter((s) => s.ageRecipient);
      expect(withKey.length).toBeGreaterThan(50);
      for (const store of fleet.stores) {
        const copy = rendered.get(`stores/${store.id}/infrastructure/secrets/telemetry-credentials.yaml`);
        const decryption = YAML.parse(rendered.get(`clusters/${store.id}/infrastructure.yaml`) ?? '{}')?.spec?.decryption;
        if (store.ageRecipient) {
          expect(copy).toBe(fs.readFileSync(path.join(ROOT, 'secrets', store.id, 'telemetry-credentials.yaml'), 'utf8'));
          expect(decryption).toEqual({ provider: 'sops', secretRef: { name: 'sops-age' } });
        } else {
          expect([store.id, store.sync.agent, copy]).toEqual([store.id, 'fleet', undefined]);
        }
      }
    },
  );

  test('GIVEN the committed dist/ WHEN searched for the dummy values, plain or base64 THEN none is found', () => {
    const dist = [...snapshotDir(path.join(ROOT, 'dist')).values()].join('\n');
    const values = fleet.stores.filter((s) => s.ageRecipient).map((s) => `TEST-ONLY-not-a-real-password-${s.id}`);
    expect(dist).not.toContain('TEST-ONLY');
    for (const value of values) expect(dist).not.toContain(Buffer.from(value).toString('base64'));
  });
});
