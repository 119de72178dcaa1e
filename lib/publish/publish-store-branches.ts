import { spawnSync } from 'child_process';
import { EMPTY_BLOB, TreeEntry, treeId } from './git-tree';
import { SourceCommit, StoreFolders, readSourceCommit, storeFolders } from './published-commit';
import { EdgefleetError } from '../errors/edgefleet-error';
import { FLUX_BOOTSTRAP_FILES, STORE_BRANCH_PREFIX, storeBranch } from '../model/dist-layout';
import { followedBranch } from '../sync/git-repository-patch';
import { compareStrings } from '../util/compare-strings';
import { git, gitLines, readBlobs } from '../util/git';

/** Options of {@link publishStoreBranches}. */
export interface PublishOptions {
  /** A checkout of the fleet repository. */
  readonly repo: string;
  /** The synthesized folder, relative to the repository's root. @default 'dist' */
  readonly dir?: string;
  /** The remote that holds the store branches: a remote's name or a URL. @default 'origin' */
  readonly remote?: string;
  /** The commit whose synthesized folder is published. @default 'HEAD' */
  readonly source?: string;
  /** Build the commits and report them, but push nothing. @default false */
  readonly dryRun?: boolean;
  /**
   * Stores no longer in the fleet whose removal to publish: their branch gets a last commit that
   * holds only their bootstrap files, as `dist/` now holds for them, and their Flux orphans what it
   * ran. Without it a removed store's branch is left as it is, and the store keeps what it runs.
   * @default []
   */
  readonly remove?: string[];
}

/** One store branch that publish moved, or would move with `dryRun`. */
export interface BranchUpdate {
  /** The store id. */
  readonly store: string;
  /** The branch, e.g. `edgefleet/stores/store-001`. */
  readonly branch: string;
  /** Its commit before, or undefined when publish creates it. */
  readonly from?: string;
  /** Its new commit. */
  readonly to: string;
  /** Whether this commit publishes the store's removal from the fleet. */
  readonly removal: boolean;
}

/** What {@link publishStoreBranches} did. */
export interface PublishResult {
  /** The commit published. */
  readonly source: string;
  /** The remote. */
  readonly remote: string;
  /** Flux stores of the source commit that have, or get, a store branch. */
  readonly stores: number;
  /** The branches moved (or, with `dryRun`, to move), by store id. */
  readonly updates: BranchUpdate[];
  /** Store branches whose tree was already that of the source commit. */
  readonly unchanged: number;
  /** Stores that are no longer Flux stores of the fleet but still have a branch, left as it is. */
  readonly kept: string[];
  /** Whether the updates were pushed: false with `dryRun` or when there was nothing to push. */
  readonly pushed: boolean;
  /** Whether the push was atomic (the remote supports it). */
  readonly atomic: boolean;
}

/** Where publish keeps the commits to push in the local repository, one ref per store branch that moves. */
const NEW_REFS = 'refs/edgefleet-publish/new/';

/** What every commit of publish says, followed by the commit it published. */
const PUBLISHED_FROM = 'Published by edgefleet publish from ';

/** One store's branch as publish plans it. */
interface StorePlan {
  readonly store: string;
  readonly tip?: { readonly commit: string; readonly tree: string };
  readonly entries: TreeEntry[];
  readonly tree: string;
  readonly removal: boolean;
}

/** A Flux store of the source commit: its folders, and whether it follows its store branch. */
interface FluxStore extends StoreFolders {
  readonly onBranch: boolean;
}

/**
 * Publishes every Flux store that follows its store branch: for each, a commit on
 * `edgefleet/stores/<id>` whose tree holds only that store's folders of the synthesized tree, at the
 * paths they have there, made only when that tree changed, with the branch's previous commit as
 * parent and the source commit's author, committer and dates (so the same input gives the same
 * commit ids). The commits are built with Git's plumbing (`git fast-import`, no checkout) and pushed
 * in one atomic push, fast-forward only: a branch moved meanwhile (a `flux bootstrap`) fails the push
 * and nothing is pushed.
 */
export function publishStoreBranches(options: PublishOptions): PublishResult {
  const repo = options.repo;
  const dir = (options.dir ?? 'dist').replace(/^\.?\/+|\/+$/g, '');
  const remote = options.remote ?? 'origin';
  const source = readSourceCommit(repo, options.source ?? 'HEAD');
  const { plans, kept, stores } = planBranches(repo, source, dir, remote, [...new Set(options.remove ?? [])].sort(compareStrings));
  const changed = plans.filter((p) => p.tree !== p.tip?.tree);
  const commits = writeCommits(repo, changed, source, dir);
  const updates = changed.map((p): BranchUpdate => ({
    store: p.store,
    branch: storeBranch(p.store),
    from: p.tip?.commit,
    to: commits.get(p.store)!,
    removal: p.removal,
  }));
  const push = options.dryRun || updates.length === 0 ? { pushed: false, atomic: false } : pushBranches(repo, remote);
  if (push.pushed) clearRefs(repo, NEW_REFS);
  return { source: source.id, remote, stores, updates, unchanged: plans.length - changed.length, kept, ...push };
}

/**
 * What each store branch should hold at `source`. A store that follows its branch gets its folders,
 * except that a file `flux bootstrap` filled in on its branch is never replaced by the empty
 * placeholder of the source. A store that follows the fleet's branch but has a store branch gets its
 * folders as they are (so a store moving back learns it from its own branch). A store no longer in
 * the fleet keeps its branch untouched (`kept`), unless its removal is asked for.
 */
function planBranches(
  repo: string,
  source: SourceCommit,
  dir: string,
  remote: string,
  toRemove: string[],
): { plans: StorePlan[]; kept: string[]; stores: number } {
  const fleet = fluxStores(repo, source.id, dir);
  const tips = remoteTips(repo, remote);
  checkNotBehind(repo, tips, source);
  checkRemovals(toRemove, fleet, tips, dir, source.id, remote);
  const published = [...fleet.keys()].filter((id) => fleet.get(id)!.onBranch || tips.has(id));
  const gone = [...tips.keys()].filter((id) => !fleet.has(id)).sort(compareStrings);
  const bootstrapOnBranch = bootstrapFilesOnBranches(
    repo,
    [...published, ...gone].filter((id) => tips.has(id)),
    tips,
    dir,
  );
  checkMovesToMain(
    repo,
    published.filter((id) => !fleet.get(id)!.onBranch),
    fleet,
    bootstrapOnBranch,
    tips,
    dir,
  );
  const removals = gone.map((id) => plan(id, tips.get(id), [...(bootstrapOnBranch.get(id)?.values() ?? [])], true));
  const plans = [
    ...published.map((id) => {
      const store = fleet.get(id)!;
      return plan(id, tips.get(id), store.onBranch ? withBranchBootstrapFiles(store, bootstrapOnBranch.get(id)) : store.folders, false);
    }),
    ...removals.filter((p) => toRemove.includes(p.store)),
  ];
  const kept = removals.filter((p) => !toRemove.includes(p.store) && p.tree !== p.tip?.tree).map((p) => p.store);
  return { plans, kept, stores: published.length };
}

/**
 * The Flux stores of `commit` (those with a bootstrap kustomization), by id, each with whether that
 * kustomization makes its GitRepository follow its store branch.
 */
function fluxStores(repo: string, commit: string, dir: string): Map<string, FluxStore> {
  const bootstraps = new Map<string, string>();
  const stores = storeFolders(repo, commit, dir);
  for (const [id, store] of stores) {
    const bootstrap = store.files.find((f) => f.path === `${dir}/clusters/${id}/flux-system/kustomization.yaml`);
    if (bootstrap) bootstraps.set(id, bootstrap.oid);
  }
  const texts = readBlobs(repo, [...new Set(bootstraps.values())]);
  const branchOf = new Map([...texts].map(([oid, text]) => [oid, followedBranch(text)]));
  return new Map([...bootstraps].map(([id, oid]) => [id, { ...stores.get(id)!, onBranch: branchOf.get(oid) === storeBranch(id) }]));
}

/**
 * The remote's store branches (their commits and trees, by store id): listed with `git ls-remote`,
 * and their commits fetched by id where this repository lacks them (at depth 1 in a shallow clone),
 * so that no local ref is written per store.
 */
function remoteTips(repo: string, remote: string): Map<string, { commit: string; tree: string }> {
  const listed = gitLines(repo, ['ls-remote', '--heads', remote, `refs/heads/${STORE_BRANCH_PREFIX}*`])
    .map((line) => {
      const [commit, ref] = line.split('\t');
      return { store: ref.slice(`refs/heads/${STORE_BRANCH_PREFIX}`.length), commit };
    })
    .filter((t) => !t.store.includes('/'));
  const trees = () =>
    git(repo, ['cat-file', '--batch-check=%(objectname)'], Buffer.from(listed.map((t) => `${t.commit}^{tree}\n`).join('')))
      .toString('utf8')
      .split('\n');
  let found = listed.length > 0 ? trees() : [];
  const missing = listed.filter((_, i) => found[i].endsWith(' missing'));
  if (missing.length > 0) {
    const shallow = gitLines(repo, ['rev-parse', '--is-shallow-repository'])[0] === 'true';
    git(
      repo,
      ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--stdin', ...(shallow ? ['--depth=1'] : []), remote],
      Buffer.from(missing.map((t) => `${t.commit}\n`).join('')),
    );
    found = trees();
  }
  return new Map(listed.map((t, i) => [t.store, { commit: t.commit, tree: found[i] }]));
}

/**
 * Refuses to publish a commit older than one the store branches were published from already: run
 * out of order (two CI jobs racing), publish would take those stores back. It compares committer
 * dates, which publish copies from the commit it publishes, so that a shallow clone can tell.
 */
function checkNotBehind(repo: string, tips: Map<string, { commit: string }>, source: SourceCommit): void {
  if (tips.size === 0) return;
  const commits = [...new Set([...tips.values()].map((t) => t.commit))];
  const log = git(repo, ['log', '--no-walk=unsorted', '--stdin', `--format=%ct %b%x00`], Buffer.from(`${commits.join('\n')}\n`)).toString('utf8');
  const publishedFrom = new RegExp(`${PUBLISHED_FROM}([0-9a-f]{40})`);
  let newest: { time: number; from: string } | undefined;
  for (const record of log.split('\0')) {
    const from = publishedFrom.exec(record)?.[1];
    const time = Number(record.trim().split(' ')[0]);
    if (from && (!newest || time > newest.time)) newest = { time, from };
  }
  if (newest && newest.time > source.time && newest.from !== source.id) {
    throw new EdgefleetError(
      `store branches were published from ${newest.from.slice(0, 12)}, committed after ${source.id.slice(0, 12)}: ` +
        'publishing it would take those stores back (two publish runs out of order?). Publish the newest commit of the main branch; to roll ' +
        'stores back, revert on the main branch',
    );
  }
}

function checkRemovals(
  toRemove: string[],
  fleet: Map<string, FluxStore>,
  tips: Map<string, unknown>,
  dir: string,
  source: string,
  remote: string,
): void {
  const problems = toRemove.flatMap((id) => {
    if (fleet.has(id)) {
      return [
        `store "${id}" is still a Flux store of the fleet (${dir}/clusters/${id}/ exists at ${source.slice(0, 12)}): remove it from the fleet, ` +
          `synthesize and commit first`,
      ];
    }
    if (!tips.has(id)) return [`store "${id}" has no branch ${storeBranch(id)} on ${remote}: there is nothing to remove`];
    return [];
  });
  if (problems.length > 0) throw new EdgefleetError(`nothing was published:\n  - ${problems.join('\n  - ')}`);
}

/**
 * The bootstrap files that `flux bootstrap` filled in on each store's branch (the non-empty ones),
 * by store id, then by path: read with one `git cat-file --batch-check`.
 */
function bootstrapFilesOnBranches(
  repo: string,
  stores: string[],
  tips: Map<string, { commit: string }>,
  dir: string,
): Map<string, Map<string, TreeEntry>> {
  const wanted = stores.flatMap((id) => FLUX_BOOTSTRAP_FILES.map((f) => ({ id, path: `${dir}/clusters/${id}/${f}` })));
  const result = new Map<string, Map<string, TreeEntry>>();
  if (wanted.length === 0) return result;
  const lines = git(
    repo,
    ['cat-file', '--batch-check=%(objectname) %(objecttype)'],
    Buffer.from(wanted.map((w) => `${tips.get(w.id)!.commit}:${w.path}\n`).join('')),
  )
    .toString('utf8')
    .split('\n');
  wanted.forEach((w, i) => {
    const [oid, type] = lines[i].split(' ');
    if (type !== 'blob' || oid === EMPTY_BLOB) return;
    if (!result.has(w.id)) result.set(w.id, new Map());
    result.get(w.id)!.set(w.path, { path: w.path, mode: '100644', oid });
  });
  return result;
}

/**
 * A store's tree on its branch: its folders, with the bootstrap files of its branch in place of the
 * source's. Folders are given whole (by tree id) except where a file differs from the source's.
 */
function withBranchBootstrapFiles(store: StoreFolders, onBranch: Map<string, TreeEntry> | undefined): TreeEntry[] {
  const differing = differingBootstrapFiles(store, onBranch);
  if (differing.length === 0) return store.folders;
  const clusters = store.folders.find((folder) => differing[0].path.startsWith(`${folder.path}/`))!;
  const paths = new Set(store.files.map((f) => f.path));
  return [
    ...store.folders.filter((folder) => folder !== clusters),
    ...store.files.filter((f) => f.path.startsWith(`${clusters.path}/`)).map((f) => onBranch!.get(f.path) ?? f),
    ...differing.filter((f) => !paths.has(f.path)),
  ];
}

/** The bootstrap files on a store's branch that differ from the store's files in the source. */
function differingBootstrapFiles(store: StoreFolders, onBranch: Map<string, TreeEntry> | undefined): TreeEntry[] {
  const source = new Map(store.files.map((f) => [f.path, f.oid]));
  return [...(onBranch?.values() ?? [])].filter((f) => source.get(f.path) !== f.oid);
}

/**
 * A store that leaves its branch for the fleet's branch learns it from its branch, then applies the
 * fleet branch's bootstrap files: unless they are the ones `flux bootstrap` committed to its branch
 * (they may be empty placeholders), its Flux would prune its own controllers. Refuses until they
 * are copied over. Once the move is published, the branch mirrors the store's folders on the fleet's
 * branch, bootstrap files included.
 */
function checkMovesToMain(
  repo: string,
  moving: string[],
  stores: Map<string, FluxStore>,
  onBranch: Map<string, Map<string, TreeEntry>>,
  tips: Map<string, { commit: string }>,
  dir: string,
): void {
  const differingOf = new Map(
    moving.map((id) => [id, differingBootstrapFiles(stores.get(id)!, onBranch.get(id))] as const).filter(([, files]) => files.length > 0),
  );
  const bootstrapOf = (id: string) => `${tips.get(id)!.commit}:${dir}/clusters/${id}/flux-system/kustomization.yaml`;
  const bootstraps = readBlobs(repo, [...differingOf.keys()].map(bootstrapOf));
  const problems = [...differingOf].flatMap(([id, differing]) => {
    if (followedBranch(bootstraps.get(bootstrapOf(id)) ?? '') !== storeBranch(id)) return [];
    return [
      `store "${id}" moves from its branch ${storeBranch(id)} to the fleet's branch, where ${differing.map((f) => f.path).join(' and ')} ` +
        'differ from what flux bootstrap committed to its branch (following empty ones, its Flux would uninstall itself): ' +
        `copy them over and commit first: ${differing.map((f) => `git cat-file blob ${f.oid} > ${f.path}`).join('; ')}`,
    ];
  });
  if (problems.length > 0) throw new EdgefleetError(`nothing was published:\n  - ${problems.join('\n  - ')}`);
}

function plan(store: string, tip: StorePlan['tip'], entries: TreeEntry[], removal: boolean): StorePlan {
  return { store, tip, entries, tree: treeId(entries), removal };
}

/**
 * Writes one commit per changed store with one `git fast-import`, onto publish's own refs (left
 * from a dry run or a failed push, they are cleared first), then checks that Git built each store
 * the tree computed for it. Returns the commits by store id.
 */
function writeCommits(repo: string, changed: StorePlan[], source: SourceCommit, dir: string): Map<string, string> {
  clearRefs(repo, NEW_REFS);
  if (changed.length === 0) return new Map();
  const stream = ['feature done', ...changed.map((p) => commitCommand(p, source, dir)), 'done', ''].join('\n');
  git(repo, ['fast-import', '--quiet', '--done'], Buffer.from(stream, 'utf8'));
  const written = new Map<string, { commit: string; tree: string }>();
  for (const line of gitLines(repo, ['for-each-ref', '--format=%(refname) %(objectname) %(tree)', NEW_REFS])) {
    const [ref, commit, tree] = line.split(' ');
    written.set(ref.slice(NEW_REFS.length), { commit, tree });
  }
  for (const p of changed) {
    if (written.get(p.store)?.tree !== p.tree) {
      throw new Error(`publish: git built tree ${written.get(p.store)?.tree} for store ${p.store}, not the expected ${p.tree} (a bug in edgefleet)`);
    }
  }
  return new Map([...written].map(([store, w]) => [store, w.commit]));
}

function commitCommand(p: StorePlan, source: SourceCommit, dir: string): string {
  const what = p.removal ? `removed from the fleet at ${source.id.slice(0, 12)}` : `${dir}/ at ${source.id.slice(0, 12)}`;
  const message = `${p.store}: ${what}\n\n${PUBLISHED_FROM}${source.id}: ${source.subject}\n`;
  return [
    `commit ${NEW_REFS}${p.store}`,
    `author ${source.author}`,
    `committer ${source.committer}`,
    `data ${Buffer.byteLength(message)}`,
    message,
    ...(p.tip ? [`from ${p.tip.commit}`] : []),
    'deleteall',
    ...p.entries.map((e) => `M ${e.mode} ${e.oid} ${fastImportPath(e.path)}`),
    '',
  ].join('\n');
}

/** A path as fast-import reads it; synthesized paths never need quoting, anything else is refused. */
function fastImportPath(path: string): string {
  if (path.startsWith('"') || /[\n\r]/.test(path)) {
    throw new EdgefleetError(`cannot publish the path ${JSON.stringify(path)}: it starts with a quote or holds a line break`);
  }
  return path;
}

function clearRefs(repo: string, prefix: string): void {
  const refs = gitLines(repo, ['for-each-ref', '--format=%(refname)', prefix]);
  if (refs.length > 0) git(repo, ['update-ref', '--stdin'], Buffer.from(refs.map((r) => `delete ${r}\n`).join('')));
}

/**
 * Pushes every commit written to the store branches in one push: atomic where the remote supports
 * it (else ref by ref, said in the result), fast-forward only, so a branch that moved on the remote
 * since the fetch (a `flux bootstrap`, another publish) rejects the push.
 */
function pushBranches(repo: string, remote: string): { pushed: boolean; atomic: boolean } {
  const refspec = `${NEW_REFS}*:refs/heads/${STORE_BRANCH_PREFIX}*`;
  const push = (atomic: boolean) =>
    spawnSync('git', ['push', '--quiet', '--porcelain', ...(atomic ? ['--atomic'] : []), remote, refspec], {
      cwd: repo,
      maxBuffer: 2 ** 30,
      encoding: 'utf8',
    });
  let atomic = true;
  let result = push(true);
  if (result.status !== 0 && /does not support --atomic/.test(result.stderr)) {
    atomic = false;
    result = push(false);
  }
  if (result.error) throw new EdgefleetError(`cannot run git (${result.error.message}); edgefleet publish pushes with it`);
  if (result.status !== 0) {
    const rejected = result.stdout
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.split('\t')[1]?.split(':')[1])
      .filter(Boolean);
    const why =
      rejected.length > 0
        ? `${rejected.length} branch${rejected.length === 1 ? '' : 'es'} moved on ${remote} since publish fetched them ` +
          `(${rejected.slice(0, 5).join(', ')}${rejected.length > 5 ? ', …' : ''}): a flux bootstrap or another publish; run publish again`
        : result.stderr.trim().split('\n').slice(-3).join(' ');
    throw new EdgefleetError(
      `push to ${remote} failed; ${atomic ? 'nothing was pushed' : 'the remote does not push atomically: some branches may have moved'}: ${why}`,
    );
  }
  return { pushed: true, atomic };
}
