import * as path from 'path';
import { Finding } from './findings';
import { LoadedDocument, LoadedTree, isFleetYaml, objectName } from './loaded-tree';
import { EdgefleetError } from '../errors/edgefleet-error';
import { FLEET_HAS_NO_SOPS } from '../secrets/encrypted-secret';
import { SOPS_CONFIG_FILE, SopsCreationRule, findSopsConfig, readSopsConfig, ruleForFile } from '../secrets/sops-config';
import { decryptedStandIn, isSopsEncrypted, recipientMismatch, sopsKeys, valueProtectionProblems } from '../secrets/sops-metadata';

/**
 * `edgefleet validate`'s checks of the secrets in a tree, made without decrypting anything:
 * - no Secret holds `data` or `stringData` in plain text, and no SOPS-encrypted file has a value left
 *   in plain text or its kind and name encrypted;
 * - every encrypted file is readable by exactly the age keys of the `.sops.yaml` rule that covers it
 *   (the `.sops.yaml` that sops would use in the tree's folder): a file another store can read names
 *   that store, and after a store's key changed, every file still encrypted for the old key is listed;
 * - no store synced by Rancher Fleet (a folder with fleet.yaml) holds an encrypted file.
 */
export function checkSecretsTree(tree: LoadedTree): Finding[] {
  const findings: Finding[] = tree.documents.flatMap(({ file, value }) =>
    valueProtectionProblems(value).map((problem) => ({
      file,
      object: objectName(value),
      path: '-',
      message:
        `${problem}: everything in the tree is committed to Git, so a Secret's values must be SOPS-encrypted (see edgefleet's guide ` +
        `docs/secrets.md)`,
    })),
  );
  const encrypted = tree.documents.filter((d) => isSopsEncrypted(d.value));
  if (encrypted.length === 0) return findings;
  const config = findSopsConfig(tree.root);
  let rules: SopsCreationRule[] | undefined;
  try {
    rules = config ? readSopsConfig(config) : undefined;
  } catch (e) {
    if (!EdgefleetError.isEdgefleetError(e)) throw e;
    return [...findings, ...encrypted.map((d) => finding(d, '-', e.message))];
  }
  const fleetFolders = tree.files.filter(isFleetYaml).map((f) => path.posix.dirname(f));
  // Needed only to name the other store that a wrong recipient belongs to: built on first use.
  let storeRulesFound: Map<string, SopsCreationRule | undefined> | undefined;
  const rulesOfStores = () => (storeRulesFound ??= storeRules(tree, config, rules));
  for (const doc of encrypted) {
    if (fleetFolders.some((folder) => folder === '.' || doc.file.startsWith(`${folder}/`))) {
      findings.push(
        finding(doc, '-', `is SOPS-encrypted, in the folder of a store synced by Rancher Fleet (it has a fleet.yaml). ${FLEET_HAS_NO_SOPS}`),
      );
    }
    findings.push(...recipientFindings(doc, tree.root, config, rules, rulesOfStores));
  }
  return findings;
}

/** `tree` with every SOPS-encrypted document as Flux sees it once decrypted, for the checks of its shape. */
export function withDecryptedStandIns(tree: LoadedTree): LoadedTree {
  const standIns = new Map(tree.documents.filter((d) => isSopsEncrypted(d.value)).map((d) => [d, { ...d, value: decryptedStandIn(d.value) }]));
  if (standIns.size === 0) return tree;
  const view = (docs: LoadedDocument[]) => docs.map((d) => standIns.get(d) ?? d);
  return { ...tree, documents: view(tree.documents), scopes: new Map([...tree.scopes].map(([scope, docs]) => [scope, view(docs)])) };
}

function finding(doc: LoadedDocument, at: string, message: string): Finding {
  return { file: doc.file, object: objectName(doc.value), path: at, message };
}

/** The store id of a file of the tree's `stores/<id>/` folders. */
function storeOf(file: string): string | undefined {
  return /^stores\/([^/]+)\//.exec(file)?.[1];
}

/** For each store folder of the tree, the rule sops applies to its files. */
function storeRules(tree: LoadedTree, config: string | undefined, rules: SopsCreationRule[] | undefined): Map<string, SopsCreationRule | undefined> {
  const ids = new Set(tree.files.map(storeOf).filter((id): id is string => id !== undefined));
  return new Map(
    [...ids].map((id) => [id, config && rules ? ruleForFile(rules, config, path.join(tree.root, 'stores', id, 'file.yaml')) : undefined]),
  );
}

function recipientFindings(
  doc: LoadedDocument,
  root: string,
  config: string | undefined,
  rules: SopsCreationRule[] | undefined,
  rulesOfStores: () => Map<string, SopsCreationRule | undefined>,
): Finding[] {
  if (!config || !rules) {
    return [
      finding(
        doc,
        'sops',
        `is SOPS-encrypted, and there is no ${SOPS_CONFIG_FILE} in ${root} or above to check who can read it (validate the tree inside its ` +
          `fleet repository, at whose root synth writes ${SOPS_CONFIG_FILE})`,
      ),
    ];
  }
  const shownConfig = path.relative(root, config).split(path.sep).join('/');
  const rule = ruleForFile(rules, config, path.join(root, doc.file));
  const store = storeOf(doc.file);
  if (!rule) {
    return [
      finding(
        doc,
        'sops',
        `is SOPS-encrypted, but no rule of ${shownConfig} covers ` +
          `it${store ? `: store "${store}" has no age key in the fleet definition, so nothing may be encrypted for it` : ''}`,
      ),
    ];
  }
  const ownerOf = (recipient: string) => {
    const owners = [...rulesOfStores()]
      .filter(([id, r]) => id !== store && r !== undefined && r !== rule && r.age.includes(recipient))
      .map(([id]) => `store "${id}"`);
    return owners.length > 0 ? owners.join(', ') : undefined;
  };
  const mismatch = recipientMismatch(sopsKeys(doc.value), rule.age, ownerOf);
  if (!mismatch) return [];
  const source = store ? ` (the secrets folder's ${store}/${path.posix.basename(doc.file)})` : '';
  return [
    finding(
      doc,
      'sops',
      `${store ? `store "${store}"'s Secret ` : ''}must be re-encrypted: it is ${mismatch.description}; the rule of ${shownConfig} that covers ` +
        `it wants exactly ${rule.age.join(', ')}. ` +
        `Run \`sops updatekeys -y\` on the file synth copied it from${source}, then synth` +
        (mismatch.readableByOthers.length > 0
          ? `, and change the values it holds, since ${mismatch.readableByOthers.join(' and ')} could read them`
          : ''),
    ),
  ];
}
