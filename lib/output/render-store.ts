import * as YAML from 'yaml';
import { ManifestFile, compareStrings } from './manifest-file';
import type { EdgeStore } from '../fleet/edge-store';

/** Serializes documents the same way on every run and machine: no line folding, `---` between documents. */
export function toYaml(documents: object[]): string {
  return documents.map((d) => YAML.stringify(d, { lineWidth: 0 })).join('---\n');
}

/**
 * Renders one store's files, as paths relative to dist/ mapped to their content. Every folder of
 * `stores/<id>/` gets a kustomization.yaml that lists its files and subfolders, so that
 * `kustomize build dist/stores/<id>` works.
 */
export function renderStore(store: EdgeStore): Map<string, string> {
  const files = new Map<string, string>();
  const storeFiles: string[] = [];
  const manifestFiles = store.node.findAll().filter(ManifestFile.isManifestFile);
  for (const file of manifestFiles) {
    files.set(`${file.tree}/${store.id}/${file.path}`, toYaml(file.documents()));
    if (file.tree === 'stores') storeFiles.push(file.path);
  }
  for (const [folder, resources] of kustomizeFolders(storeFiles)) {
    const prefix = folder ? `${folder}/` : '';
    files.set(`stores/${store.id}/${prefix}kustomization.yaml`, toYaml([kustomization(resources)]));
  }
  return files;
}

function kustomization(resources: string[]): object {
  return { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources };
}

/** For each folder of `paths` (and their parents), its direct files and subfolders, sorted. */
function kustomizeFolders(paths: string[]): Map<string, string[]> {
  const entries = new Map<string, Set<string>>();
  const add = (folder: string, entry: string) => {
    if (!entries.has(folder)) entries.set(folder, new Set());
    entries.get(folder)!.add(entry);
  };
  for (const path of paths) {
    const parts = path.split('/');
    for (let depth = 0; depth < parts.length; depth++) {
      add(parts.slice(0, depth).join('/'), parts[depth]);
    }
  }
  return new Map([...entries].map(([folder, set]) => [folder, [...set].sort(compareStrings)]));
}
