import { createHash } from 'crypto';
import { compareStrings } from '../util/compare-strings';

/** An entry of a Git tree at any depth: a file, or a whole folder given by its tree id. */
export interface TreeEntry {
  /** Path from the root of the tree, with `/`. */
  readonly path: string;
  /** Git mode as `git ls-tree` prints it: `100644` for a file, `040000` for a folder. */
  readonly mode: string;
  /** The id of its blob, or of its tree. */
  readonly oid: string;
}

/** The mode of a folder, as `git ls-tree` and `git fast-import` write it. */
export const TREE_MODE = '040000';

/** Git's id of the empty blob: a file with no content. */
export const EMPTY_BLOB = 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391';

interface Folder {
  readonly entries: Map<string, TreeEntry>;
  readonly folders: Map<string, Folder>;
}

/**
 * The id of the tree that holds exactly `entries` (and the folders on their paths): the id that `git
 * write-tree` would give it, computed without writing anything, so that a store whose tree did not
 * change can be told apart in memory. Git's object format: `tree <size>\0`, then per entry, sorted
 * by name with folders compared as `name/`, `<mode> <name>\0` (a folder's mode is `40000`) and the
 * 20 bytes of its id.
 */
export function treeId(entries: Iterable<TreeEntry>): string {
  const root: Folder = { entries: new Map(), folders: new Map() };
  for (const entry of entries) {
    const parts = entry.path.split('/');
    let folder = root;
    for (const name of parts.slice(0, -1)) {
      let next = folder.folders.get(name);
      if (!next) folder.folders.set(name, (next = { entries: new Map(), folders: new Map() }));
      folder = next;
    }
    folder.entries.set(parts[parts.length - 1], entry);
  }
  return hashFolder(root);
}

function hashFolder(folder: Folder): string {
  const entries = [
    ...[...folder.entries].map(([name, e]) =>
      e.mode === TREE_MODE ? { name, key: `${name}/`, mode: '40000', oid: e.oid } : { name, key: name, mode: e.mode, oid: e.oid },
    ),
    ...[...folder.folders].map(([name, sub]) => ({ name, key: `${name}/`, mode: '40000', oid: hashFolder(sub) })),
  ].sort((a, b) => compareStrings(a.key, b.key));
  const body = Buffer.concat(entries.flatMap((e) => [Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.oid, 'hex')]));
  return createHash('sha1').update(`tree ${body.length}\0`).update(body).digest('hex');
}
