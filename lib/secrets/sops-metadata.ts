/**
 * What can be read from a SOPS-encrypted document without decrypting it: its `sops` metadata
 * (who can decrypt it) and which of its values are encrypted (`ENC[...]`). The field names are those
 * sops writes (getsops/sops stores/stores.go, `metadata` and `keygroup`).
 */

/** The fields of a Secret that hold its values, and the only ones the fleet's `.sops.yaml` rules encrypt. */
export const SECRET_VALUE_FIELDS = ['data', 'stringData'];

/** sops's `encrypted_regex` for {@link SECRET_VALUE_FIELDS}: metadata stays readable for kustomize, Flux and reviewers. */
export const ENCRYPTED_REGEX = '^(data|stringData)$';

/** Key types other than age that sops can encrypt a data key for, by their metadata field. */
const OTHER_KEY_FIELDS: Record<string, string> = {
  pgp: 'fp',
  kms: 'arn',
  gcp_kms: 'resource_id',
  azure_kv: 'vault_url',
  hc_vault: 'vault_address',
  hckms: 'key_id',
};

/** Who can decrypt a SOPS-encrypted document, from its metadata. */
export interface SopsKeys {
  /** The age recipients, in the order of the metadata. */
  readonly age: string[];
  /** Keys of other types (`pgp 1234ABCD`, `kms arn:...`), which the fleet's rules never use. */
  readonly others: string[];
  /** Number of key groups: more than one means Shamir secret sharing, which the fleet's rules never use. */
  readonly keyGroups: number;
}

/** Whether `doc` is SOPS-encrypted: it carries sops metadata with a message authentication code, as sops writes it. */
export function isSopsEncrypted(doc: any): boolean {
  return typeof doc?.sops === 'object' && doc.sops !== null && 'mac' in doc.sops;
}

/** The keys that can decrypt `doc`, read from its sops metadata (top level, or `key_groups`). */
export function sopsKeys(doc: any): SopsKeys {
  const sops = doc?.sops ?? {};
  const groups: any[] = Array.isArray(sops.key_groups) && sops.key_groups.length > 0 ? sops.key_groups : [sops];
  const age: string[] = [];
  const others: string[] = [];
  for (const group of groups) {
    for (const entry of asArray(group?.age)) age.push(String(entry?.recipient ?? ''));
    for (const [field, id] of Object.entries(OTHER_KEY_FIELDS)) {
      for (const entry of asArray(group?.[field])) others.push(`${field} ${entry?.[id] ?? '?'}`);
    }
  }
  return { age, others, keyGroups: groups.length };
}

function asArray(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** Whether `value` is a value sops encrypted. */
function isEncryptedValue(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith('ENC[') && value.endsWith(']');
}

/** Paths (`data.password`) of the leaves below `value`, each with whether sops encrypted it. */
function leaves(value: unknown, at: string): Array<{ path: string; encrypted: boolean }> {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, `${at}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leaves(v, at ? `${at}.${k}` : k));
  return [{ path: at, encrypted: isEncryptedValue(value) }];
}

/**
 * What is wrong with how `doc` protects its values, without naming any value: a Secret with `data` or
 * `stringData` in plain text; in a SOPS-encrypted document, a value of those fields left in plain text
 * (added after encryption), or other fields encrypted too (kustomize and Flux could not read its kind
 * and name). Empty when nothing is.
 */
export function valueProtectionProblems(doc: any): string[] {
  if (!isSopsEncrypted(doc)) {
    if (doc?.kind !== 'Secret') return [];
    const plain = SECRET_VALUE_FIELDS.flatMap((field) => leaves(doc[field] ?? {}, field)).filter((l) => l.path.includes('.'));
    return plain.length > 0 ? [`holds ${plain.map((l) => l.path).join(', ')} in plain text`] : [];
  }
  const { sops, ...content } = doc;
  const all = leaves(content, '');
  const isValue = (p: string) => SECRET_VALUE_FIELDS.some((f) => p.startsWith(`${f}.`));
  const plainValues = all.filter((l) => isValue(l.path) && !l.encrypted).map((l) => l.path);
  const encryptedOthers = all.filter((l) => !isValue(l.path) && l.encrypted).map((l) => l.path);
  return [
    ...(plainValues.length > 0
      ? [
          `holds ${plainValues.join(', ')} in plain text although it is SOPS-encrypted (added after encryption: edit it with \`sops edit\`, ` +
            `never by hand)`,
        ]
      : []),
    ...(encryptedOthers.length > 0
      ? [
          `has ${encryptedOthers.join(', ')} encrypted too, so kustomize and Flux cannot read what it is (encrypt only ` +
            `${SECRET_VALUE_FIELDS.join(' and ')}: run sops inside the fleet repository, whose .sops.yaml sets encrypted_regex ` +
            `"${ENCRYPTED_REGEX}")`,
        ]
      : []),
  ];
}

/** How the keys of an encrypted file differ from those it must be encrypted for. */
export interface RecipientMismatch {
  /** What differs: who can read it that should not, who cannot that should, keys of other kinds. */
  readonly description: string;
  /** The owners (as `ownerOf` names them, e.g. `store "store-002"`) of keys that can read it and should not. */
  readonly readableByOthers: string[];
}

/**
 * How `keys` differ from `expected` (exactly those age recipients), or undefined when they do not.
 * `ownerOf` names the owner of a key that should not read the file, when it knows one (another store).
 */
export function recipientMismatch(
  keys: SopsKeys,
  expected: string[],
  ownerOf: (recipient: string) => string | undefined,
): RecipientMismatch | undefined {
  const extra = keys.age.filter((r) => !expected.includes(r)).map((r) => ({ key: r, owner: ownerOf(r) }));
  const missing = expected.filter((r) => !keys.age.includes(r));
  const parts = [
    ...extra.map(
      ({ key, owner }) =>
        `readable by ${owner ? `${owner} (its key ${key})` : `${key}, which is neither the store's key nor an operator's (an old key?)`}`,
    ),
    ...missing.map((r) => `not readable by ${r}`),
    ...(keys.others.length > 0 ? [`also encrypted for ${keys.others.join(', ')}, which the fleet's rules never use`] : []),
    ...(keys.keyGroups > 1 ? [`split into ${keys.keyGroups} key groups (Shamir), which the fleet's rules never use`] : []),
  ];
  if (parts.length === 0) return undefined;
  return { description: parts.join('; '), readableByOthers: extra.flatMap((e) => (e.owner ? [e.owner] : [])) };
}

/**
 * `doc` as Flux sees it once decrypted, for checks of its shape: without its sops metadata, and each
 * encrypted value replaced by a stand-in of its type (`ENC[...,type:int]` by 0; strings by base64 "x",
 * valid in `data` and `stringData` alike).
 */
export function decryptedStandIn(doc: any): any {
  if (!isSopsEncrypted(doc)) return doc;
  const standIn = (s: string) => {
    const type = /,type:(\w+)\]$/.exec(s)?.[1];
    return type === 'int' || type === 'float' ? 0 : type === 'bool' ? false : 'eA==';
  };
  const strip = (v: any): any =>
    Array.isArray(v)
      ? v.map(strip)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strip(x)]))
        : isEncryptedValue(v)
          ? standIn(v)
          : v;
  const { sops, ...content } = doc;
  return strip(content);
}
