import * as fs from 'fs';
import * as path from 'path';
import { EdgeFleet, EdgeMonitor, EdgeStore, EdgeStoreProps, EncryptedSecret } from '../../lib';
import { tempDir } from '../util';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'secrets');

/** The public keys of the fixtures (TEST KEYS, made by test/fixtures/secrets/regenerate.sh). */
export const KEYS: { operators: string; 'store-a': string; 'store-b': string; 'store-a-old': string } = JSON.parse(
  fs.readFileSync(path.join(FIXTURES, 'keys.json'), 'utf8'),
);

/** A fixture encrypted by the real sops: store-a.yaml, store-b.yaml, store-a-old-key.yaml, all-encrypted.yaml, tampered.yaml. */
export function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** The plain text of every value in the fixtures, which no output and no message may contain. */
export const FIXTURE_VALUES = ['TEST-ONLY-fixture-password', 'added-by-hand'];

/** How a test store is defined: its props, and the secrets it references. */
export interface TestStore extends EdgeStoreProps {
  readonly secrets?: string[];
}

/**
 * A fleet repository in a temporary folder: `files` (paths relative to its root, e.g.
 * `secrets/store-a/telemetry-credentials.yaml`) written, its output at `dist/`.
 */
export class SecretsRepo {
  public readonly root = tempDir();

  constructor(files: Record<string, string> = {}) {
    for (const [file, content] of Object.entries(files)) this.write(file, content);
  }

  /** The synthesized tree. */
  public get dist(): string {
    return path.join(this.root, 'dist');
  }

  /** Writes a file of the repository. */
  public write(file: string, content: string): void {
    fs.mkdirSync(path.dirname(path.join(this.root, file)), { recursive: true });
    fs.writeFileSync(path.join(this.root, file), content);
  }

  /** Reads a file of the repository. */
  public read(file: string): string {
    return fs.readFileSync(path.join(this.root, file), 'utf8');
  }

  /**
   * A fleet whose secrets live in this repository, operators `KEYS.operators`; by default store-a
   * (its key, the secret telemetry-credentials) and store-b (its key, no secrets).
   */
  public fleet(
    stores: Record<string, TestStore> = {
      'store-a': { ageRecipient: KEYS['store-a'], secrets: ['telemetry-credentials'] },
      'store-b': { ageRecipient: KEYS['store-b'] },
    },
  ): EdgeFleet {
    const fleet = new EdgeFleet({
      repository: { url: 'https://git.example.com/retail/fleet.git' },
      secrets: { operators: [KEYS.operators], folder: path.join(this.root, 'secrets') },
    });
    for (const [id, { secrets, ...props }] of Object.entries(stores)) {
      const store = new EdgeStore(fleet, id, props);
      new EdgeMonitor(store, 'edge-monitor', { image: 'registry.example.com/retail/edge-monitor:1.4.2' });
      for (const name of secrets ?? []) new EncryptedSecret(store, name);
    }
    return fleet;
  }
}
