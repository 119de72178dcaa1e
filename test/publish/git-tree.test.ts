import * as fs from 'fs';
import * as path from 'path';
import { EMPTY_BLOB, TreeEntry, treeId } from '../../lib/publish/git-tree';
import { tempDir } from '../util';
import { git } from './fleet-git';

/** A repository whose index holds `files` (path to content); returns it. */
function repositoryWith(files: Record<string, string>): string {
  const repo = tempDir();
  git(repo, 'init', '-q');
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    fs.writeFileSync(path.join(repo, file), content);
  }
  git(repo, 'add', '-A');
  return repo;
}

/** The entries of a tree-ish as `git ls-tree -r [-t]` lists them. */
function entries(repo: string, treeish: string, ...flags: string[]): TreeEntry[] {
  return git(repo, 'ls-tree', '-r', ...flags, treeish)
    .split('\n')
    .filter((l) => l)
    .map((l) => {
      const [meta, entryPath] = l.split('\t');
      const [mode, , oid] = meta.split(' ');
      return { path: entryPath, mode, oid };
    });
}

describe('treeId', () => {
  test("GIVEN no entries THEN it is Git's empty tree, and the empty blob is Git's", () => {
    expect(treeId([])).toBe('4b825dc642cb6eb9a060e54bf8d69288fbee4904');
    expect(git(tempDir(), 'hash-object', '--stdin')).toBe(EMPTY_BLOB);
  });

  test('GIVEN files in nested folders, with names that sort differently as folders WHEN hashed THEN the id is the one git write-tree gives', () => {
    // GIVEN names where Git's order (a folder compares as "name/") differs from plain sorting
    const repo = repositoryWith({
      'dist/a.yaml': 'a',
      'dist/a/b.yaml': 'b',
      'dist/a-b/c.yaml': 'c',
      'dist/a0': 'd',
      'x/y/z/deep.yaml': 'e',
      'run.sh': '#!/bin/sh\n',
    });
    git(repo, 'update-index', '--chmod=+x', 'run.sh');
    const tree = git(repo, 'write-tree');

    // WHEN / THEN: from every file, and from folders given whole by their tree ids
    expect(treeId(entries(repo, tree))).toBe(tree);
    const folders = entries(repo, tree, '-t').filter((e) => e.mode === '040000' && e.path.split('/').length === 2);
    const rest = entries(repo, tree).filter((e) => !folders.some((f) => e.path.startsWith(`${f.path}/`)));
    expect(treeId([...folders, ...rest])).toBe(tree);
  });
});
