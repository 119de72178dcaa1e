import { Finding } from './findings';
import { LoadedDocument, LoadedTree, isApiObject, objectName } from './loaded-tree';
import { platformWarnings } from '../platform/check-platform';

/**
 * The platform advice that synth gives each store, over any YAML, store folder by store folder: what the
 * KubeVirt release on the folder's `KubeVirt` custom resource does differently from the targeted one.
 */
export function checkPlatformWarnings(tree: LoadedTree): Finding[] {
  const warnings: Finding[] = [];
  for (const docs of tree.scopes.values()) {
    const objects = docs.filter(isApiObject);
    const byName = new Map<string, LoadedDocument>(objects.map((d) => [`${d.value.kind}/${d.value.metadata.name}`, d]));
    for (const w of platformWarnings(objects.map((d) => d.value))) {
      const doc = byName.get(w.object);
      warnings.push({ file: doc?.file ?? '-', object: doc ? objectName(doc.value) : w.object, path: w.path, message: w.message, kind: w.kind });
    }
  }
  return warnings;
}
