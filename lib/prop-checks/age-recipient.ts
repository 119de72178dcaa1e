import { bech32 } from 'bech32';
import { IConstruct } from 'constructs';
import { fail } from '../errors/edgefleet-error';
import { looksLikePrivateKey } from '../errors/shown-text';

/** What an age public key looks like, for messages. */
export const AGE_RECIPIENT_HINT =
  'an age public key: "age1" and 58 more characters, as `age-keygen` prints it, or `age-keygen -y <key file>` of an existing key';

/** What to do about a private key found where a public one belongs (messages never show it). */
export const PRIVATE_KEY_FIX =
  'give its age public key instead (`age-keygen -y <key file>` prints it), and if the private key was ever committed, make a new one (it is exposed)';

/** Longest recipient accepted: age's post-quantum hybrid recipients (`age1pq1...`) are about 2,000 characters. */
const MAX_RECIPIENT_LENGTH = 4096;

/** Which age recipients a key may be. */
export type AgeRecipientKind =
  /** An X25519 key, as `age-keygen` makes: the only kind a store's kustomize-controller can decrypt with. */
  | 'x25519'
  /** Also a plugin (`age1yubikey1...`) or post-quantum (`age1pq1...`) recipient, which sops accepts for operators. */
  | 'any';

/**
 * Why `value` is not an age recipient of `kind`, or undefined when it is one: the Bech32 checksum
 * and human-readable part are checked, so that a mistyped or truncated key is caught here and not
 * when sops encrypts for it or a store fails to decrypt.
 */
export function ageRecipientProblem(value: unknown, kind: AgeRecipientKind): string | undefined {
  if (typeof value !== 'string' || value === '') return 'is empty';
  if (looksLikePrivateKey(value)) return `is a private key, which must never be in the fleet definition or in Git: ${PRIVATE_KEY_FIX}`;
  const decoded = value === value.toLowerCase() ? bech32.decodeUnsafe(value, MAX_RECIPIENT_LENGTH) : undefined;
  if (!decoded || !decoded.prefix.startsWith('age')) return `is not ${AGE_RECIPIENT_HINT} (a character is wrong or missing)`;
  const native = decoded.prefix === 'age' && bech32.fromWordsUnsafe(decoded.words)?.length === 32;
  if (kind === 'x25519' && !native) {
    return "is not an X25519 age key: a store's Flux decrypts only with keys made by `age-keygen` (no plugin or post-quantum keys)";
  }
  if (!native && !decoded.prefix.startsWith('age1')) return `is not ${AGE_RECIPIENT_HINT}`;
  return undefined;
}

/** Fails unless `value` is an age recipient of `kind`; names `prop` and the value. */
export function checkAgeRecipient(scope: IConstruct, prop: string, value: string, kind: AgeRecipientKind): string {
  const problem = ageRecipientProblem(value, kind);
  if (problem) fail(scope, `${prop} "${value}" ${problem}`);
  return value;
}
