import { fail } from '../errors/edgefleet-error';
import { IEdgeStore } from '../model/contract';
import { ManifestFile } from '../model/manifest-file';
import { STORE_LAYERS } from '../model/store-layer';
import { compareStrings } from '../util/compare-strings';
import { toYaml } from '../util/yaml-text';

/**
 * Renders one store's files, as paths relative to dist/ mapped to their content. Every folder of
 * `stores/<id>/` gets a kustomization.yaml that lists its files and subfolders, so that
 * `kustomize build dist/stores/<id>` works; every layer folder exists, even when empty, since the
 * store's Flux Kustomizations point at them.
 */
export function renderStore(store: IEdgeStore): Map<string, string> {
  return renderStoreWithObjects(store).files;
}

/** A store's files, and the API objects of its `stores/<id>/` folder, for the rules and the planner. */
export interface RenderedStore {
  /** Paths relative to dist/ mapped to their content. */
  readonly files: Map<string, string>;
  /** The API objects that run in the store, as written. */
  readonly objects: any[];
}

/** {@link renderStore}, also returning the store folder's API objects, rendered once. */
export function renderStoreWithObjects(store: IEdgeStore): RenderedStore {
  const files = new Map<string, string>();
  const objects: any[] = [];
  const storeFiles: string[] = [];
  const owners = new Map<string, ManifestFile>();
  for (const file of store.node.findAll().filter(ManifestFile.isManifestFile)) {
    const other = owners.get(`${file.tree}/${file.path}`);
    if (other) fail(file, `writes ${file.tree}/${store.id}/${file.path}, which ${other.node.path} writes too (give it another id)`);
    owners.set(`${file.tree}/${file.path}`, file);
    const documents = file.documents();
    files.set(`${file.tree}/${store.id}/${file.path}`, file.verbatim ?? toYaml(documents));
    if (file.tree === 'stores' && file.kustomizeResource) {
      storeFiles.push(file.path);
      objects.push(...documents);
    }
  }
  for (const [folder, resources] of kustomizeFolders(storeFiles, STORE_LAYERS)) {
    if (storeFiles.includes(`${folder ? `${folder}/` : ''}kustomization.yaml`)) {
      fail(
        owners.get(`stores/${folder}/kustomization.yaml`)!,
        'the id "kustomization" is reserved for the kustomization.yaml of each folder (use another id)',
      );
    }
    const prefix = folder ? `${folder}/` : '';
    files.set(`stores/${store.id}/${prefix}kustomization.yaml`, toYaml([kustomization(resources)]));
  }
  return { files, objects };
}

function kustomization(resources: string[]): object {
  return { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources };
}

/** For each folder of `paths` and `folders` (and their parents), its direct files and subfolders, sorted. */
function kustomizeFolders(paths: string[], folders: readonly string[]): Map<string, string[]> {
  const entries = new Map<string, Set<string>>(folders.map((f) => [f, new Set<string>()]));
  const add = (folder: string, entry: string) => {
    if (!entries.has(folder)) entries.set(folder, new Set());
    entries.get(folder)!.add(entry);
  };
  folders.forEach((folder) => add('', folder));
  for (const path of paths) {
    const parts = path.split('/');
    for (let depth = 0; depth < parts.length; depth++) {
      add(parts.slice(0, depth).join('/'), parts[depth]);
    }
  }
  return new Map([...entries].map(([folder, set]) => [folder, [...set].sort(compareStrings)]));
}
