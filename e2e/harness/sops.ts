import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { binaries } from './binaries';
import { run } from './processes';
import { sopsKeys } from '../../lib/secrets/sops-metadata';

/** An age key pair made by age-keygen: the private key's file (never in a fleet repository) and its public key. */
export interface AgeKey {
  readonly file: string;
  readonly recipient: string;
}

/** Makes an age key pair in `dir`, as an operator or a store's bootstrap would with `age-keygen -o`. */
export function ageKey(dir: string, name: string): AgeKey {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.agekey`);
  fs.rmSync(file, { force: true });
  run(binaries().ageKeygen, ['-o', file]);
  return { file, recipient: run(binaries().ageKeygen, ['-y', file]).trim() };
}

/** Runs the real sops in `cwd` (which decides the .sops.yaml it uses), decrypting with `key` when given. */
export function sops(args: string[], cwd: string, key?: AgeKey): string {
  return run(binaries().sops, args, { cwd, env: { SOPS_AGE_KEY_FILE: key?.file ?? '/nonexistent' } });
}

/** A plain-text Secret of `values`, as an operator writes it before encrypting it. */
export function plainSecret(name: string, namespace: string, values: Record<string, string>): string {
  return YAML.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', stringData: values });
}

/** Writes a plain-text Secret to `file` (relative to `repo`) and encrypts it in place with sops run in `cwd` (default: the repository). */
export function encryptSecret(repo: string, file: string, content: string, cwd = repo): void {
  fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
  fs.writeFileSync(path.join(repo, file), content);
  sops(['--encrypt', '--in-place', path.relative(cwd, path.join(repo, file))], cwd);
}

/** The age recipients of an encrypted file, read from its metadata. */
export function recipientsOf(file: string): string[] {
  return sopsKeys(YAML.parse(fs.readFileSync(file, 'utf8'))).age;
}
