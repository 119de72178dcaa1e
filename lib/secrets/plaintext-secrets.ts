import { valueProtectionProblems } from './sops-metadata';
import { problemAt } from '../errors/edgefleet-error';
import { IEdgeStore } from '../model/contract';
import { ManifestFile } from '../model/manifest-file';
import { renderedJson } from '../util/rendered-json';

/**
 * Late check of a store: no Secret that its constructs generate (an `addManifests` escape hatch, a
 * construct of one's own) holds `data` or `stringData` in plain text, since everything synth writes
 * is committed to Git. The values are never quoted, only their keys.
 */
export function plaintextSecretProblems(store: IEdgeStore): string[] {
  const problems: string[] = [];
  for (const file of store.node.findAll().filter(ManifestFile.isManifestFile)) {
    for (const o of file.apiObjects().filter((x) => x.kind === 'Secret')) {
      for (const problem of valueProtectionProblems(renderedJson(o))) {
        problems.push(
          problemAt(
            store,
            `Secret "${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.name}" in ${file.tree}/${store.id}/${file.path} ${problem}, ` +
              'and would be committed to Git that way: keep it encrypted in the fleet repository and add it with EncryptedSecret, or create it ' +
              'in the store out of band',
          ),
        );
      }
    }
  }
  return problems;
}
