import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EdgefleetError } from '../errors/edgefleet-error';

/** Runs git in `cwd` and returns its stdout; a failure becomes an error that quotes git. */
export function git(cwd: string, args: string[], input?: Buffer): Buffer {
  const result = spawnSync('git', args, { cwd, input, maxBuffer: 2 ** 30 });
  if (result.error) throw new EdgefleetError(`cannot run git (${result.error.message}); edgefleet reads the repository's history with it`);
  if (result.status !== 0) throw new EdgefleetError(`git ${args.join(' ')} failed: ${result.stderr.toString().trim().split('\n')[0]}`);
  return result.stdout;
}

/** The lines of git's output. */
export function gitLines(cwd: string, args: string[]): string[] {
  return git(cwd, args)
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '');
}

/** A folder of a Git working tree. */
export interface GitFolder {
  /** The repository's top folder. */
  readonly repo: string;
  /** The folder's path in the repository, with `/`; empty for the top folder. */
  readonly prefix: string;
}

/** The repository that holds `dir`, and `dir`'s path in it; an error when `dir` is not in a Git working tree. */
export function gitFolder(dir: string): GitFolder {
  const real = fs.realpathSync(dir);
  const repo = gitLines(real, ['rev-parse', '--show-toplevel'])[0];
  return { repo, prefix: path.relative(repo, real).split(path.sep).join('/') };
}

/** The commit a comparison is made with. */
export interface GitBase {
  /** The revision as git is given it: a ref name or a commit. */
  readonly ref: string;
  /** What people read: the branch or ref name and the short commit, e.g. `main (merge base 1a2b3c4)`. */
  readonly label: string;
}

/** Branches a pull request is usually made against, tried in order after CI's own variable. */
const MAIN_BRANCHES = ['main', 'origin/main', 'master', 'origin/master'];

/** A file that differs from the base. */
export interface ChangedFile {
  /** Its path, relative to the repository. */
  readonly path: string;
  /** Its blob at the base; undefined when it did not exist there. */
  readonly baseBlob?: string;
}

/** The base a comparison is made with, and the files of the compared folder that differ from it. */
export interface Changes {
  readonly base: GitBase;
  readonly files: ChangedFile[];
}

const NO_BLOB = /^0+$/;

function exists(repo: string, ref: string): boolean {
  return spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: repo }).status === 0;
}

function shortCommit(repo: string, ref: string): string {
  return gitLines(repo, ['rev-parse', '--short', `${ref}^{commit}`])[0];
}

/**
 * Files below `dir` (relative to the repository) that differ from `base`: changed, added, deleted
 * (committed or not) or untracked, each with its blob at the base, which `git diff --raw` names
 * (so that reading the old versions needs no path lookups in the base's trees).
 */
function changedSince(repo: string, base: string, dir: string): ChangedFile[] {
  const raw = git(repo, ['diff', '--raw', '-z', '--no-renames', '--abbrev=40', base, '--', dir]).toString('utf8').split('\0');
  const files: ChangedFile[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const oldBlob = raw[i].split(' ')[2];
    files.push({ path: raw[i + 1], baseBlob: NO_BLOB.test(oldBlob) ? undefined : oldBlob });
  }
  const untracked = git(repo, ['ls-files', '-z', '--others', '--exclude-standard', '--', dir]).toString('utf8').split('\0').filter(Boolean);
  return [...files, ...untracked.map((file) => ({ path: file }))];
}

/**
 * The files below `dir` that differ from a base, and that base. Given a ref, that ref. Otherwise
 * HEAD while the working tree holds changes to `dir` (a fresh synth), else the merge base with the
 * branch a pull request targets: `$GITHUB_BASE_REF` in GitHub Actions, else main or master (local or origin's).
 * `option` names the given ref in messages.
 */
function changes(repo: string, dir: string, given?: string, option = '--base'): Changes {
  if (given !== undefined) {
    if (!exists(repo, given)) {
      throw new EdgefleetError(`${option} "${given}" is not a commit, branch or tag of ${repo} (in CI, fetch it first: git fetch origin ${given})`);
    }
    const short = shortCommit(repo, given);
    return {
      base: { ref: given, label: short.length < given.length && given.startsWith(short) ? short : `${given} (${short})` },
      files: changedSince(repo, given, dir),
    };
  }
  const uncommitted = changedSince(repo, 'HEAD', dir);
  if (uncommitted.length > 0) return { base: { ref: 'HEAD', label: `HEAD (${shortCommit(repo, 'HEAD')})` }, files: uncommitted };
  const ci = process.env.GITHUB_BASE_REF ? [`origin/${process.env.GITHUB_BASE_REF}`, process.env.GITHUB_BASE_REF] : [];
  const branch = [...ci, ...MAIN_BRANCHES].find((b) => exists(repo, b));
  if (branch === undefined) throw new EdgefleetError('no main branch to compare with (name the commit to compare with: --base <git-ref>)');
  const mergeBase = gitLines(repo, ['merge-base', 'HEAD', branch])[0];
  const tip = gitLines(repo, ['rev-parse', `${branch}^{commit}`])[0];
  const short = shortCommit(repo, mergeBase);
  return {
    base: { ref: mergeBase, label: mergeBase === tip ? `${branch} (${short})` : `${branch} (merge base ${short})` },
    files: changedSince(repo, mergeBase, dir),
  };
}

/** The files that changed below `dir` (see {@link changes}), with paths relative to `dir`, and the repository that holds it. */
export function changesBelow(dir: string, given?: string, option = '--base'): Changes & GitFolder {
  const { repo, prefix } = gitFolder(dir);
  const { base, files } = changes(repo, prefix || '.', given, option);
  return { repo, prefix, base, files: files.map((f) => ({ ...f, path: prefix ? f.path.slice(prefix.length + 1) : f.path })) };
}

/** The contents of `blobs`, by blob id, read with one `git cat-file --batch`. */
export function readBlobs(repo: string, blobs: string[]): Map<string, string> {
  const contents = new Map<string, string>();
  if (blobs.length === 0) return contents;
  const out = git(repo, ['cat-file', '--batch'], Buffer.from(blobs.map((b) => `${b}\n`).join('')));
  let offset = 0;
  for (const blob of blobs) {
    const headerEnd = out.indexOf(10, offset);
    const header = out.subarray(offset, headerEnd).toString('utf8');
    offset = headerEnd + 1;
    if (header.endsWith(' missing')) continue;
    const size = Number(header.split(' ')[2]);
    contents.set(blob, out.subarray(offset, offset + size).toString('utf8'));
    offset += size + 1;
  }
  return contents;
}
