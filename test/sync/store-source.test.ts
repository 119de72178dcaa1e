import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { followedBranch, storeFoldersOnly } from '../../lib/sync/git-repository-patch';
import { renderStore } from '../../lib/synth/render-store';
import { git } from '../publish/fleet-git';
import { documents, tempDir, testStore } from '../util';

/** The GitRepository patch of a store's flux-system/kustomization.yaml. */
function gitRepositoryPatch(store: ReturnType<typeof testStore>): any[] {
  const [kustomization] = documents(store, `clusters/${store.id}/flux-system/kustomization.yaml`);
  return YAML.parse(kustomization.patches.find((p: any) => p.target.kind === 'GitRepository').patch);
}

describe("a Flux store's source", () => {
  test("GIVEN sync.source store-branch WHEN synthesized THEN the store's GitRepository follows its own branch, which holds only its folders", () => {
    const store = testStore({ sync: { source: 'store-branch', interval: '15m' } });

    expect(gitRepositoryPatch(store)).toEqual([
      { op: 'replace', path: '/spec/interval', value: '15m' },
      { op: 'replace', path: '/spec/ref', value: { branch: 'edgefleet/stores/store-001' } },
    ]);
  });

  test("GIVEN the default source WHEN synthesized THEN the store follows the fleet's branch, its artifact ignoring all but its two folders", () => {
    const store = testStore(
      {},
      { repository: { url: 'https://git.example.com/fleet.git', branch: 'production', path: 'deploy/dist', sparseCheckout: true } },
    );

    expect(store.sync.source).toBe('main');
    expect(gitRepositoryPatch(store)).toEqual([
      { op: 'replace', path: '/spec/interval', value: '5m' },
      { op: 'replace', path: '/spec/ref', value: { branch: 'production' } },
      { op: 'add', path: '/spec/ignore', value: storeFoldersOnly('deploy/dist', 'store-001') },
      { op: 'add', path: '/spec/sparseCheckout', value: ['deploy/dist/stores/store-001', 'deploy/dist/clusters/store-001'] },
    ]);
  });

  test(
    "GIVEN store branches in a repository of their own WHEN synthesized THEN each store's GitRepository is patched to the URL of its " + 'source',
    () => {
      const repository = { url: 'https://git.example.com/retail/fleet.git', storeBranchesUrl: 'https://git.example.com/retail/fleet-stores.git' };
      const onBranch = testStore({ sync: { source: 'store-branch' } }, { repository });
      const onMain = testStore({}, { repository });

      expect(gitRepositoryPatch(onBranch)).toContainEqual({
        op: 'replace',
        path: '/spec/url',
        value: 'https://git.example.com/retail/fleet-stores.git',
      });
      expect(gitRepositoryPatch(onMain)).toContainEqual({ op: 'replace', path: '/spec/url', value: 'https://git.example.com/retail/fleet.git' });
      expect(gitRepositoryPatch(testStore()).map((op) => op.path)).not.toContain('/spec/url');
      expect(() => testStore({}, { repository: { ...repository, storeBranchesUrl: 'git.example.com:stores.git' } })).toThrow(
        'fleet: repository.storeBranchesUrl "git.example.com:stores.git" is not a Git URL the stores can pull (use "https://...", "http://..." ' +
          'or "ssh://...")',
      );
    },
  );

  test("GIVEN the ignore rules of a store on main THEN Git ignores everything but the store's two folders", () => {
    // GIVEN a repository whose .gitignore holds the rules, as source-controller applies them to the checkout
    const repo = tempDir();
    git(repo, 'init', '-q');
    fs.writeFileSync(path.join(repo, '.gitignore'), storeFoldersOnly('deploy/dist', 'store-001'));
    const kept = [
      'deploy/dist/stores/store-001/kustomization.yaml',
      'deploy/dist/stores/store-001/workloads/pos.yaml',
      'deploy/dist/clusters/store-001/flux-system/gotk-sync.yaml',
    ];
    const ignored = [
      'deploy/dist/stores/store-0011/kustomization.yaml',
      'deploy/dist/stores/store-002/workloads/pos.yaml',
      'deploy/dist/clusters/store-002/infrastructure.yaml',
      'deploy/dist/REPORT.md',
      'deploy/dist/fleet/kustomization.yaml',
      'deploy/README.md',
      'stores/index.ts',
      'package.json',
    ];
    for (const file of [...kept, ...ignored]) {
      fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
      fs.writeFileSync(path.join(repo, file), 'x');
    }

    // WHEN / THEN
    expect(git(repo, 'ls-files', '--others', '--exclude-standard').split('\n').sort()).toEqual([...kept].sort());
  });

  test("GIVEN a store's bootstrap kustomization WHEN read back THEN publish learns the branch its GitRepository follows", () => {
    const onBranch = renderStore(testStore({ sync: { source: 'store-branch' } })).get('clusters/store-001/flux-system/kustomization.yaml')!;
    const onMain = renderStore(testStore()).get('clusters/store-001/flux-system/kustomization.yaml')!;

    expect(followedBranch(onBranch)).toBe('edgefleet/stores/store-001');
    expect(followedBranch(onMain)).toBe('main');
    expect(followedBranch('apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n')).toBeUndefined();
    expect(followedBranch('patches: [ {target: \n')).toBeUndefined();
  });

  test('GIVEN an unknown source WHEN the store is defined THEN it fails naming the store, the value and the choices', () => {
    expect(() => testStore({ sync: { source: 'branch' as any } })).toThrow(
      'store "store-001": sync.source "branch" is not supported (use one of "store-branch", "main", "oci")',
    );
  });
});
