/*
 * The layout of the synthesized tree (dist/): which folders and files synth writes and owns, and the
 * names that other programs (Flux's bootstrap, `edgefleet publish`, a store's Git source) find it by.
 * Everything that reads or writes dist/ takes its paths from here.
 */

/** A top-level folder of dist/ with a folder per store: what runs in the store, or what its sync agent reconciles. */
export type StoreTree = 'stores' | 'clusters';

/** The top-level folders of the synthesized tree that hold a folder per store. */
export const STORE_TREES: StoreTree[] = ['stores', 'clusters'];

/** Top-level folders of dist/ that synth owns: every file in them is synth's to write or delete. */
export const OWNED_FOLDERS = [...STORE_TREES, 'fleet'];

/** The folder of dist/ that holds the fleet-wide files other than the report (Rancher Fleet's objects). */
export const FLEET_FOLDER = 'fleet';

/** The fleet report, at the top of dist/. */
export const REPORT_FILES = { markdown: 'REPORT.md', html: 'report.html' };

/** The list of the images a store needs, in its `stores/<id>/` folder, for operators to pre-load. */
export const IMAGES_FILE = 'images.txt';

/**
 * Files `flux bootstrap` writes next to our `flux-system/kustomization.yaml`, in a store's
 * `clusters/<id>/` folder. Synth creates them empty, as Flux's bootstrap customization guide asks
 * (bootstrap builds our kustomization.yaml before it has written gotk-sync.yaml: fluxcd/flux2#1741),
 * and never rewrites them.
 */
export const FLUX_BOOTSTRAP_FILES = ['flux-system/gotk-components.yaml', 'flux-system/gotk-sync.yaml'];

/** The bootstrap file with the store's `flux-system` GitRepository and Kustomization. */
export const FLUX_SYNC_FILE = 'flux-system/gotk-sync.yaml';

/** Name of Flux's namespace, and of the source and Kustomization that `flux bootstrap` creates in it. */
export const FLUX_SYSTEM = 'flux-system';

/** The folder of the store branches: `edgefleet publish` writes no branch outside it. */
export const STORE_BRANCH_PREFIX = 'edgefleet/stores/';

/** The branch that holds only the folders of store `storeId`, as `edgefleet publish` writes it. */
export function storeBranch(storeId: string): string {
  return `${STORE_BRANCH_PREFIX}${storeId}`;
}

/** The folders of dist/ that hold one store's files. */
export function storeRoots(storeId: string): string[] {
  return STORE_TREES.map((tree) => `${tree}/${storeId}`);
}

/** A store's folder of `tree`, as a path inside the fleet repository whose tree is at `repositoryPath`. */
export function storeFolderInRepository(repositoryPath: string, storeId: string, tree: StoreTree = 'stores'): string {
  return `${repositoryPath}/${tree}/${storeId}`;
}

/** Whether a file of dist/ is one that `flux bootstrap` fills in, which synth only creates empty. */
export function isBootstrapFile(relativePath: string): boolean {
  if (!relativePath.startsWith('clusters/')) return false;
  const inStore = relativePath.indexOf('/', 'clusters/'.length);
  return inStore > 0 && FLUX_BOOTSTRAP_FILES.includes(relativePath.slice(inStore + 1));
}

/** The store a file of dist/ belongs to: `stores/<id>/…`, `clusters/<id>/…` or `fleet/clusters/<id>.yaml`. */
export function storeOfFile(relativePath: string): string | undefined {
  const parts = relativePath.split('/');
  if ((parts[0] === 'stores' || parts[0] === 'clusters') && parts.length > 2) return parts[1];
  if (parts[0] === FLEET_FOLDER && parts[1] === 'clusters' && parts.length === 3) return parts[2].replace(/\.yaml$/, '');
  return undefined;
}
