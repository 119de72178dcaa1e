import * as fs from 'fs';
import * as path from 'path';
import { compareStrings } from './manifest-file';

/** Properties of a {@link writeTree} call. */
export interface WriteTreeOptions {
  /** The output folder, e.g. `dist`. */
  readonly outdir: string;
  /** Top-level folders of `outdir` that synth owns: files there that it no longer generates are deleted. */
  readonly ownedFolders: string[];
  /**
   * Placeholders that another tool replaces (e.g. `flux bootstrap`): written only when absent, never
   * rewritten, and deleted (once no longer generated) only while still empty.
   * @default - none
   */
  readonly isPlaceholder?: (relativePath: string) => boolean;
}

/** What a {@link writeTree} call changed. */
export interface WriteTreeResult {
  /** Files created or rewritten, relative to outdir, sorted. */
  readonly written: string[];
  /** Files deleted, relative to outdir, sorted. */
  readonly deleted: string[];
  /** Number of files whose content was already right. */
  readonly unchanged: number;
}

/**
 * Brings `outdir` to exactly `files` (paths relative to outdir, with `/`), touching only what differs:
 * a file is written only when its content changed, files of the owned folders that are no longer
 * generated are deleted (with folders left empty), placeholders are only created, and everything
 * else in outdir is left alone.
 */
export function writeTree(files: Map<string, string>, options: WriteTreeOptions): WriteTreeResult {
  const isPlaceholder = options.isPlaceholder ?? (() => false);
  const written: string[] = [];
  const createdFolders = new Set<string>();
  for (const [relative, content] of [...files].sort(([a], [b]) => compareStrings(a, b))) {
    const target = path.join(options.outdir, relative);
    const existing = readIfExists(target);
    if (existing === content || (existing !== undefined && isPlaceholder(relative))) continue;
    const folder = path.dirname(target);
    if (!createdFolders.has(folder)) {
      fs.mkdirSync(folder, { recursive: true });
      createdFolders.add(folder);
    }
    fs.writeFileSync(target, content);
    written.push(relative);
  }

  const deleted: string[] = [];
  for (const owned of options.ownedFolders) {
    for (const relative of listFiles(options.outdir, owned)) {
      const target = path.join(options.outdir, relative);
      if (!files.has(relative) && !(isPlaceholder(relative) && fs.statSync(target).size > 0)) {
        fs.unlinkSync(target);
        deleted.push(relative);
      }
    }
  }
  if (deleted.length > 0) options.ownedFolders.forEach((owned) => removeEmptyFolders(path.join(options.outdir, owned)));
  return { written, deleted: deleted.sort(), unchanged: files.size - written.length };
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** Files below `outdir/folder`, relative to outdir, with `/` separators. */
function listFiles(outdir: string, folder: string): string[] {
  const root = path.join(outdir, folder);
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(outdir, path.join(e.parentPath ?? (e as any).path, e.name)).split(path.sep).join('/'));
}

/** Removes the folders below (and including) `folder` that hold no file. */
function removeEmptyFolders(folder: string): void {
  if (!fs.existsSync(folder)) return;
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory()) removeEmptyFolders(path.join(folder, entry.name));
  }
  if (fs.readdirSync(folder).length === 0) fs.rmdirSync(folder);
}
