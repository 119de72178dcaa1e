import { IEdgeStore } from '../model/contract';
import { STORE_TREES, storeBranch } from '../model/dist-layout';
import { parseYamlDocuments } from '../util/parse-yaml';

/**
 * Rules in the `.sourceignore` format (that of `.gitignore`) that keep only `<tree>/stores/<id>/`
 * and `<tree>/clusters/<id>/` of the whole repository: each level excludes everything, then lets in
 * the one folder on the way down. Later rules win.
 */
export function storeFoldersOnly(tree: string, storeId: string): string {
  const rules = ['/*'];
  let prefix = '/';
  for (const folder of tree.split('/')) {
    rules.push(`!${prefix}${folder}/`, `${prefix}${folder}/*`);
    prefix = `${prefix}${folder}/`;
  }
  for (const folder of STORE_TREES) rules.push(`!${prefix}${folder}/`, `${prefix}${folder}/*`, `!${prefix}${folder}/${storeId}/`);
  return `${rules.join('\n')}\n`;
}

/**
 * The JSON patch of bootstrap's `flux-system` GitRepository: the store's poll interval, the branch it
 * follows (its own store branch, or the fleet's branch) and, when the store branches live in a
 * repository of their own, the URL of the repository that holds it; for a store on the fleet's
 * branch, an artifact of only its two folders (and, where the fleet asks, a sparse checkout of them).
 */
export function gitRepositoryPatch(store: IEdgeStore): object[] {
  const { url, storeBranchesUrl, path: tree, branch, sparseCheckout } = store.fleet.repository;
  const interval = { op: 'replace', path: '/spec/interval', value: store.sync.interval };
  const repositoryUrl = (value: string) => (storeBranchesUrl === url ? [] : [{ op: 'replace', path: '/spec/url', value }]);
  if (store.sync.source === 'store-branch') {
    return [interval, ...repositoryUrl(storeBranchesUrl), { op: 'replace', path: '/spec/ref', value: { branch: storeBranch(store.id) } }];
  }
  return [
    interval,
    ...repositoryUrl(url),
    { op: 'replace', path: '/spec/ref', value: { branch } },
    { op: 'add', path: '/spec/ignore', value: storeFoldersOnly(tree, store.id) },
    ...(sparseCheckout ? [{ op: 'add', path: '/spec/sparseCheckout', value: STORE_TREES.map((t) => `${tree}/${t}/${store.id}`) }] : []),
  ];
}

/**
 * The branch that a store's `flux-system/kustomization.yaml` makes its GitRepository follow, read
 * back from the patch that {@link gitRepositoryPatch} wrote; undefined when it sets none.
 */
export function followedBranch(bootstrapKustomization: string): string | undefined {
  const [kustomization] = parseYamlDocuments(bootstrapKustomization).documents as any[];
  for (const entry of kustomization?.patches ?? []) {
    if (entry?.target?.kind !== 'GitRepository' || typeof entry.patch !== 'string') continue;
    const [ops] = parseYamlDocuments(entry.patch).documents;
    const ref = Array.isArray(ops) ? ops.find((op: any) => op?.path === '/spec/ref') : undefined;
    if (typeof ref?.value?.branch === 'string') return ref.value.branch;
  }
  return undefined;
}
