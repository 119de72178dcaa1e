/*
 * Hostile and careless inputs to synth, each planted in a copy of a small fleet repository whose tree
 * is synthesized: what test/hostile-input.test.ts checks (a clear, bounded message, no key material,
 * dist/ untouched) and what hostile-input-bench.ts times.
 */
import { execFileSync, spawnSync } from 'child_process';
import { generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { packageRoot } from '../lib/util/package-root';

const ROOT = packageRoot(__dirname);
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'secrets');

/** The public keys of the encrypted fixtures (TEST KEYS, see test/fixtures/secrets/regenerate.sh). */
const KEYS: Record<'operators' | 'store-a' | 'store-b', string> = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'keys.json'), 'utf8'));

/** The encrypted Secret of store-a, and where it is. */
export const SECRET_FILE = 'secrets/store-a/telemetry-credentials.yaml';
const INVENTORY_FILE = 'stores/inventory.csv';
const SETTINGS_FILE = 'fleet.json';

/** An age identity as `age-keygen` writes it (made up: it is no one's key). */
export const AGE_PRIVATE_KEY = `AGE-SECRET-KEY-1${'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L'.repeat(2).slice(0, 58)}`;

/** A PEM private key, as one pastes it from a key file (made here, used nowhere else). */
export const PEM_PRIVATE_KEY = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** Text that no message may show: the keys above, whole or in part. */
export const KEY_MATERIAL = [AGE_PRIVATE_KEY.slice(16), ...PEM_PRIVATE_KEY.split('\n').filter((l) => l !== '' && !l.startsWith('-----'))];

/** The fleet module of the repository: stores from the inventory, settings from fleet.json, the library from this checkout. */
const FLEET_MODULE = `import * as fs from 'fs';
import * as path from 'path';
import { EdgeFleet, EdgeMonitor, EdgeStore, EncryptedSecret, InventoryColumn, readStoreInventory } from ${JSON.stringify(path.join(ROOT, 'lib'))};

export function buildFleet(): EdgeFleet {
  const settings = JSON.parse(fs.readFileSync(path.join(__dirname, ${JSON.stringify(SETTINGS_FILE)}), 'utf8'));
  const fleet = new EdgeFleet({
    repository: { url: 'https://git.example.com/retail/fleet.git' },
    secrets: { operators: settings.operators, folder: path.join(__dirname, 'secrets') },
  });
  const columns = { age_recipient: InventoryColumn.ageRecipient() };
  const rows = readStoreInventory(path.join(__dirname, ${JSON.stringify(INVENTORY_FILE)}), { columns });
  for (const { values } of rows) {
    const store = new EdgeStore(fleet, values.id, { ageRecipient: settings.ageRecipients[values.id] ?? values.age_recipient });
    new EdgeMonitor(store, 'edge-monitor', { image: 'registry.example.com/retail/edge-monitor:1.4.2' });
    for (const name of settings.secrets[values.id] ?? []) new EncryptedSecret(store, name);
  }
  return fleet;
}
`;

/** What `edgefleet synth` did in a repository. */
export interface SynthRun {
  /** Its exit status; null when it was killed (it ran out of time). */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock seconds. */
  readonly seconds: number;
}

/** A fleet repository in a temporary folder: two stores, store-a with an encrypted Secret. */
export class HostileRepo {
  /** A repository whose tree `edgefleet synth` wrote. */
  public static synthesized(): HostileRepo {
    const repo = new HostileRepo(fs.mkdtempSync(path.join(os.tmpdir(), 'edgefleet-hostile-')));
    repo.write(SECRET_FILE, fs.readFileSync(path.join(FIXTURES, 'store-a.yaml'), 'utf8'));
    repo.write(INVENTORY_FILE, `id,age_recipient\nstore-a,${KEYS['store-a']}\nstore-b,${KEYS['store-b']}\n`);
    repo.write(SETTINGS_FILE, JSON.stringify({ operators: [KEYS.operators], ageRecipients: {}, secrets: { 'store-a': ['telemetry-credentials'] } }));
    repo.write('fleet.ts', FLEET_MODULE);
    const run = repo.synth();
    if (run.status !== 0) throw new Error(`the repository's first synth failed: ${run.stderr}`);
    return repo;
  }

  private constructor(public readonly root: string) {}

  /** A copy of the repository (without synth's digest cache, so that every store is read again). */
  public copy(): HostileRepo {
    const copy = new HostileRepo(fs.mkdtempSync(path.join(os.tmpdir(), 'edgefleet-hostile-')));
    fs.cpSync(this.root, copy.root, { recursive: true, filter: (source) => path.basename(source) !== '.edgefleet-cache' });
    return copy;
  }

  /** The absolute path of a file of the repository. */
  public file(relative: string): string {
    return path.join(this.root, relative);
  }

  /** Writes a file of the repository. */
  public write(relative: string, content: string): void {
    fs.mkdirSync(path.dirname(this.file(relative)), { recursive: true });
    fs.writeFileSync(this.file(relative), content);
  }

  /** Changes the settings of fleet.json. */
  public settings(change: (settings: any) => void): void {
    const settings = JSON.parse(fs.readFileSync(this.file(SETTINGS_FILE), 'utf8'));
    change(settings);
    this.write(SETTINGS_FILE, JSON.stringify(settings));
  }

  /** Runs `edgefleet synth` of this checkout in the repository, as its own process, killed after `timeoutSeconds`. */
  public synth(timeoutSeconds = 50): SynthRun {
    const started = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'edgefleet'), 'synth', '--quiet', '--no-cache', '--fleet', 'fleet.ts'], {
      cwd: this.root,
      encoding: 'utf8',
      timeout: timeoutSeconds * 1000,
      maxBuffer: 2 ** 30,
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  }

  /** Replaces a file of the repository by a symbolic link to `target`. */
  public link(relative: string, target: string): void {
    fs.rmSync(this.file(relative));
    fs.symlinkSync(target, this.file(relative));
  }
}

/** One hostile input: how it is planted, and what synth must say about it. */
export interface HostileCase {
  /** What the input is. */
  readonly name: string;
  /** Plants the input in a copy of the synthesized repository. */
  readonly plant: (repo: HostileRepo) => void;
  /** What synth's message must say. */
  readonly expected: RegExp;
}

/** Aliases nested `levels` deep, each repeating the one before nine times: 9^levels values from a few hundred bytes. */
function expandingYaml(levels: number): string {
  const lines = ['apiVersion: v1', 'kind: Secret', 'metadata: {name: telemetry-credentials, namespace: edge}', 'l0: &l0 [x, x, x, x, x, x, x, x, x]'];
  for (let level = 1; level <= levels; level++) {
    lines.push(
      `l${level}: &l${level} [${Array(9)
        .fill(`*l${level - 1}`)
        .join(', ')}]`,
    );
  }
  return `${lines.join('\n')}\nstringData: {password: *l${levels}}\nsops: {mac: x}\n`;
}

/** A row of the inventory whose `age_recipient` cell is `cell`, quoted as CSV. */
function rowWithKey(cell: string): string {
  return `store-c,"${cell.replace(/"/g, '""')}"\n`;
}

const SECRET_AT = /^ {2}- store "store-a": EncryptedSecret "telemetry-credentials": secrets\/store-a\/telemetry-credentials\.yaml /;
const INVENTORY_CELL = /^ {2}- stores\/inventory\.csv line \d+: store "store-c", column "age_recipient": /;

/** The hostile inputs of the issue: expanding YAML, secret "files" that are not files, huge inputs, private keys where public keys belong. */
export const HOSTILE_CASES: HostileCase[] = [
  {
    name: 'a Secret file of YAML aliases nested 10 levels (3.5 billion values expanded)',
    plant: (repo) => repo.write(SECRET_FILE, expandingYaml(10)),
    expected: new RegExp(`${SECRET_AT.source}has the YAML anchor "&l0" on line 4, which sops never writes`, 'm'),
  },
  {
    name: 'a Secret "file" that is a symbolic link to /dev/zero',
    plant: (repo) => repo.link(SECRET_FILE, '/dev/zero'),
    expected: new RegExp(
      `${SECRET_AT.source}leads to /dev/zero through a symbolic link, outside secrets/ \\(put the encrypted file itself there`,
      'm',
    ),
  },
  {
    name: 'a Secret "file" that is a FIFO',
    plant: (repo) => {
      fs.rmSync(repo.file(SECRET_FILE));
      execFileSync('mkfifo', [repo.file(SECRET_FILE)]);
    },
    expected: new RegExp(`${SECRET_AT.source}is a FIFO \\(named pipe\\), not a regular file \\(put the encrypted file itself there`, 'm'),
  },
  {
    name: 'a Secret "file" that is a folder',
    plant: (repo) => {
      fs.rmSync(repo.file(SECRET_FILE));
      fs.mkdirSync(repo.file(SECRET_FILE));
    },
    expected: new RegExp(`${SECRET_AT.source}is a folder, not a regular file`, 'm'),
  },
  {
    name: 'a Secret "file" that is a symbolic link out of the repository',
    plant: (repo) => {
      const outside = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'edgefleet-outside-')), 'telemetry-credentials.yaml');
      fs.copyFileSync(repo.file(SECRET_FILE), outside);
      repo.link(SECRET_FILE, outside);
    },
    expected: new RegExp(`${SECRET_AT.source}leads to /\\S+/telemetry-credentials\\.yaml through a symbolic link, outside secrets/`, 'm'),
  },
  {
    name: 'a Secret file of 50 MB',
    plant: (repo) => fs.truncateSync(repo.file(SECRET_FILE), 50 * 2 ** 20),
    expected: new RegExp(`${SECRET_AT.source}is 50 MiB, more than the 2 MiB allowed`, 'm'),
  },
  {
    name: 'an inventory cell of 50 MB',
    plant: (repo) => fs.appendFileSync(repo.file(INVENTORY_FILE), rowWithKey('x'.repeat(50 * 2 ** 20))),
    expected: /^stores\/inventory\.csv: cannot read the store inventory: it is 50 MiB, more than the 16 MiB allowed/m,
  },
  {
    name: 'an inventory cell of 10 MB',
    plant: (repo) => fs.appendFileSync(repo.file(INVENTORY_FILE), rowWithKey('x'.repeat(10 * 2 ** 20))),
    expected: new RegExp(`${INVENTORY_CELL.source}"x{40,80}… \\(\\d+ more characters\\)" is not accepted \\(use an age public key`, 'm'),
  },
  {
    name: 'an age private key in the inventory column age_recipient',
    plant: (repo) => fs.appendFileSync(repo.file(INVENTORY_FILE), rowWithKey(AGE_PRIVATE_KEY)),
    expected: new RegExp(`${INVENTORY_CELL.source}"\\[private key not shown\\]" is not accepted \\(use an age public key, never a private key`, 'm'),
  },
  {
    name: 'a PEM private key in the inventory column age_recipient',
    plant: (repo) => fs.appendFileSync(repo.file(INVENTORY_FILE), rowWithKey(PEM_PRIVATE_KEY)),
    expected: new RegExp(`${INVENTORY_CELL.source}"\\[private key not shown\\]" is not accepted \\(use an age public key, never a private key`, 'm'),
  },
  {
    name: "an age private key as a store's ageRecipient",
    plant: (repo) => repo.settings((s) => (s.ageRecipients['store-b'] = AGE_PRIVATE_KEY)),
    expected: /^store "store-b": ageRecipient "\[private key not shown\]" is a private key, which must never be in the fleet definition or in Git/m,
  },
  {
    name: 'a PEM private key among the operators',
    plant: (repo) => repo.settings((s) => s.operators.push(PEM_PRIVATE_KEY)),
    expected: /^fleet: secrets\.operators\[1\] "\[private key not shown\]" is a private key, which must never be in the fleet definition or in Git/m,
  },
];
