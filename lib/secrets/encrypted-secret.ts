import * as path from 'path';
import { IConstruct } from 'constructs';
import { isSopsEncrypted, recipientMismatch, sopsKeys, valueProtectionProblems } from './sops-metadata';
import { IDescribable, fail, problemAt } from '../errors/edgefleet-error';
import { requireStore, IEdgeStore, isEdgeStore } from '../model/contract';
import { IReadsFiles } from '../model/digestible';
import { ManifestFile } from '../model/manifest-file';
import { StoreLayer } from '../model/store-layer';
import { checkDnsLabel } from '../prop-checks/checks';
import { InputFile, readInputFile } from '../util/input-file';
import { parseYamlDocuments } from '../util/parse-yaml';
import { shownPath } from '../util/shown-path';

/** Properties of an {@link EncryptedSecret}. */
export interface EncryptedSecretProps {
  /** The store layer the Secret is applied in. @default 'infrastructure' (before the workloads that use it) */
  readonly layer?: StoreLayer;
}

const ENCRYPTED_SECRET = Symbol.for('edgefleet.EncryptedSecret');

/**
 * Largest encrypted Secret file read: Kubernetes takes at most 1 MiB of Secret data, which in `data`
 * is base64 (1.33 MiB), encrypted by sops and base64 again (1.78 MiB), plus the sops metadata.
 */
export const MAX_SECRET_FILE_BYTES = 2 * 2 ** 20;

/** What an encrypted Secret file must be, for a file that is not. */
const SECRET_FILE_FIX =
  'put the encrypted file itself there, as `sops --encrypt --in-place` writes it: a regular file of at most 2 MiB inside the secrets folder';

/** Why Rancher Fleet stores cannot have encrypted Secrets, and what to do instead. */
export const FLEET_HAS_NO_SOPS =
  'Rancher Fleet cannot decrypt SOPS-encrypted files (rancher/fleet#144: its agent fails the whole bundle). ' +
  'Create the Secret in the store out of band when it is provisioned (`kubectl create secret generic`), or move the store to Flux (sync.agent ' +
  '"flux"), which decrypts SOPS itself';

/**
 * A Secret of one store, kept in the fleet repository encrypted with SOPS for that store's age key and
 * the operators' keys: `<secrets.folder>/<store id>/<name>.yaml`, written by an operator with
 * `sops --encrypt --in-place`. Synth copies the file byte for byte to
 * `dist/stores/<store id>/<layer>/secrets/<name>.yaml`, never decrypting it, and the layer's Flux
 * Kustomization decrypts it in the store with the store's age key (`secrets.keySecretName`).
 *
 * Checked before anything is written: the file is a regular file inside the secrets folder (a
 * symbolic link may not lead out of it) of at most 2 MiB, checked before it is read; it holds a
 * SOPS-encrypted Secret named `name`, without YAML anchors or aliases (sops never writes them, and
 * they can make a small file expand without end), with only its `data` and `stringData` encrypted and
 * none of them in plain text, readable by exactly the store's key and the operators' keys (a file
 * another store could read names that store).
 */
export class EncryptedSecret extends ManifestFile implements IDescribable, IReadsFiles {
  /** Whether `c` is an EncryptedSecret. */
  public static isEncryptedSecret(c: IConstruct): c is EncryptedSecret {
    return (c as any)[ENCRYPTED_SECRET] === true;
  }

  /** The store whose Secret it is. */
  public readonly store: IEdgeStore;
  /** The layer the Secret is applied in. */
  public readonly layer: StoreLayer;
  /** The encrypted file in the fleet repository, absolute. */
  public readonly sourceFile: string;
  /** The file it copies, so that synth's digest cache notices when the file changes. */
  public readonly inputFiles: string[];
  /** Why the file was not read, when it was not (otherwise `verbatim` holds it). */
  private readonly unread?: Exclude<InputFile, { content: Buffer }>;

  constructor(store: IEdgeStore, name: string, props: EncryptedSecretProps = {}) {
    requireStore(store, 'EncryptedSecret', name);
    checkDnsLabel(store, 'EncryptedSecret name', name);
    if (store.node.tryFindChild(name)) {
      fail(store, `EncryptedSecret "${name}": the id is used by another workload or secret of the store (give each its own id)`);
    }
    const layer = props.layer ?? 'infrastructure';
    const folder = secretsFolderOf(store, name);
    const sourceFile = path.join(folder, store.id, `${name}.yaml`);
    const source = readInputFile(sourceFile, { folder, maxBytes: MAX_SECRET_FILE_BYTES });
    const content = 'content' in source ? source.content.toString('utf8') : undefined;
    super(store, name, { tree: 'stores', path: `${layer}/secrets/${name}.yaml`, verbatim: content });
    Object.defineProperty(this, ENCRYPTED_SECRET, { value: true });
    this.store = store;
    this.layer = layer;
    this.sourceFile = sourceFile;
    this.inputFiles = [sourceFile];
    this.unread = 'content' in source ? undefined : source;
    this.node.addValidation({ validate: () => this.problems() });
  }

  /** How the secret is named in messages. */
  public get subject(): string {
    return `EncryptedSecret "${this.node.id}"`;
  }

  /** The source file as operators see it: relative to the folder synth runs in when inside it. */
  public get shownFile(): string {
    return shownPath(this.sourceFile);
  }

  private problems(): string[] {
    return this.fileProblems().map((p) => problemAt(this, `${this.shownFile} ${p}`));
  }

  private fileProblems(): string[] {
    if (this.unread && 'missing' in this.unread) {
      return [
        `does not exist (write the Secret there, then encrypt it in place inside the fleet repository: \`sops --encrypt --in-place ` +
          `${this.shownFile}\`; see edgefleet's guide docs/secrets.md)`,
      ];
    }
    if (this.unread) return [`${this.unread.refused} (${SECRET_FILE_FIX})`];
    const { documents, error, alias } = parseYamlDocuments(this.verbatim!, { refuseAliases: true });
    if (alias) {
      return [
        `has the YAML ${alias.text.startsWith('&') ? 'anchor' : 'alias'} "${alias.text}" on line ${alias.line}, which sops never writes (aliases ` +
          `can make a small file expand without end): restore it from Git, or write it again and encrypt it with sops`,
      ];
    }
    if (error) {
      return [
        `is not valid YAML (${error.message}${error.line ? ` on line ${error.line}` : ''}): restore it from Git, or write it again and encrypt ` +
          `it with sops`,
      ];
    }
    if (documents.length !== 1) return [`holds ${documents.length} documents (expected one Secret)`];
    const doc = documents[0] as any;
    if (!isSopsEncrypted(doc)) {
      return [
        `is not SOPS-encrypted: encrypt it in place before committing it (\`sops --encrypt --in-place ${this.shownFile}\`, run inside the ` +
          `fleet repository); if it was ever pushed in plain text, also change the values it holds`,
      ];
    }
    const protection = valueProtectionProblems(doc);
    if (doc.kind !== 'Secret' || doc.apiVersion !== 'v1') {
      return protection.length > 0 ? protection : [`holds a ${doc.apiVersion} ${doc.kind}, not a v1 Secret`];
    }
    const { name, namespace } = doc.metadata ?? {};
    const problems = [
      ...protection,
      ...(name !== this.node.id ? [`holds Secret "${name}", not "${this.node.id}" (name the file after the Secret it holds)`] : []),
      ...(!namespace ? [`has no metadata.namespace (give the namespace of the workloads that use it, e.g. "${this.store.workloadNamespace}")`] : []),
    ];
    const mismatch = recipientMismatch(sopsKeys(doc), this.recipients, (r) => this.storeOwning(r));
    if (mismatch) {
      problems.push(
        `is encrypted for the wrong keys: ${mismatch.description}. It must be readable by exactly the store's key ${this.store.ageRecipient} ` +
          `and the operators' keys: ` +
          `re-encrypt it with \`sops updatekeys -y ${this.shownFile}\` (.sops.yaml already has the fleet's current rules)` +
          (mismatch.readableByOthers.length > 0
            ? `, and change the values it holds, since ${mismatch.readableByOthers.join(' and ')} could read them`
            : ''),
      );
    }
    return problems;
  }

  /** Exactly who may read the file: the store's key, then the operators'. */
  public get recipients(): string[] {
    return [this.store.ageRecipient!, ...this.store.fleet.secrets!.operators];
  }

  /**
   * The store in the fleet's tree whose key `recipient` is. Stores declared with `addStores` are in
   * the tree only while synth renders them: a key another of them holds is named by synth's check
   * that no two stores share a key.
   */
  private storeOwning(recipient: string): string | undefined {
    const owner = this.store.fleet.node.children.find((s): s is IEdgeStore => isEdgeStore(s) && s !== this.store && s.ageRecipient === recipient);
    return owner ? owner.subject : undefined;
  }
}

/**
 * The `decryption` of a store layer's Flux Kustomization: SOPS, with the age key Secret that the
 * store's bootstrap creates, when the layer holds encrypted Secrets; undefined otherwise, so that a
 * store without secrets needs no key Secret.
 */
export function layerDecryption(store: IEdgeStore, layer: StoreLayer): { provider: 'sops'; secretRef: { name: string } } | undefined {
  const encrypted = store.node.children.some((c) => EncryptedSecret.isEncryptedSecret(c) && c.layer === layer);
  return encrypted ? { provider: 'sops', secretRef: { name: store.fleet.secrets!.keySecretName } } : undefined;
}

/** The fleet's secrets folder, once the store is known to be able to have encrypted Secrets at all. */
function secretsFolderOf(store: IEdgeStore, name: string): string {
  const at = `EncryptedSecret "${name}"`;
  if (store.sync.agent === 'fleet') fail(store, `${at}: the store syncs with Rancher Fleet. ${FLEET_HAS_NO_SOPS}`);
  if (!store.fleet.secrets) {
    fail(store, `${at}: the fleet has no secrets settings (set EdgeFleet secrets.operators to the operators' age public keys)`);
  }
  if (!store.ageRecipient) {
    fail(
      store,
      `${at}: the store has no ageRecipient (set it to the public key of the store's age key, \`age-keygen -y\` of the key made for the store)`,
    );
  }
  return store.fleet.secrets.folder;
}
