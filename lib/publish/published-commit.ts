import { TreeEntry } from './git-tree';
import { EdgefleetError } from '../errors/edgefleet-error';
import { STORE_TREES } from '../model/dist-layout';
import { git, gitLines } from '../util/git';

/** A commit's author and committer with their dates, and its subject. */
export interface SourceCommit {
  readonly id: string;
  readonly author: string;
  readonly committer: string;
  /** The committer date, in seconds since the epoch. */
  readonly time: number;
  readonly subject: string;
}

/** One store's folders in a commit: each folder as a whole (its tree), and every file below them. */
export interface StoreFolders {
  readonly folders: TreeEntry[];
  readonly files: TreeEntry[];
}

/** The commit `rev` of `repo`, which publish publishes. */
export function readSourceCommit(repo: string, rev: string): SourceCommit {
  let id: string;
  try {
    id = gitLines(repo, ['rev-parse', '--verify', `${rev}^{commit}`])[0];
  } catch (e) {
    throw new EdgefleetError(
      `there is no commit "${rev}" to publish in ${repo} (run publish in a checkout of the fleet repository, after the merge): ` +
        `${(e as Error).message}`,
    );
  }
  const [an, ae, ad, cn, ce, cd, subject] = git(repo, ['show', '-s', '--date=raw', '--format=%an%x00%ae%x00%ad%x00%cn%x00%ce%x00%cd%x00%s', id])
    .toString('utf8')
    .replace(/\n$/, '')
    .split('\0');
  return { id, author: `${an} <${ae}> ${ad}`, committer: `${cn} <${ce}> ${cd}`, time: Number(cd.split(' ')[0]), subject };
}

/** Every store's folders at `commit`, by store id, from one `git ls-tree`. */
export function storeFolders(repo: string, commit: string, dir: string): Map<string, StoreFolders> {
  const byStore = new Map<string, StoreFolders>();
  const listing = git(repo, ['ls-tree', '-r', '-t', '-z', '--full-tree', commit, '--', ...STORE_TREES.map((f) => `${dir}/${f}/`)]).toString('utf8');
  if (listing === '' && gitLines(repo, ['ls-tree', '--name-only', commit, '--', dir]).length === 0) {
    throw new EdgefleetError(
      `commit ${commit.slice(0, 12)} has no folder "${dir}" (synthesize and commit the fleet first, or name the synthesized folder with --dir)`,
    );
  }
  for (const line of listing.split('\0')) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    const [mode, type, oid] = line.slice(0, tab).split(' ');
    const path = line.slice(tab + 1);
    const [, id, ...rest] = path.slice(dir.length + 1).split('/');
    if (id === undefined) continue;
    if (!byStore.has(id)) byStore.set(id, { folders: [], files: [] });
    const store = byStore.get(id)!;
    if (type === 'tree' && rest.length === 0) store.folders.push({ path, mode, oid });
    if (type === 'blob') store.files.push({ path, mode, oid });
  }
  return byStore;
}
