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

/** What {@link planTree} found must change in outdir. */
export interface TreePlan {
  /** Files to create or rewrite, relative to outdir, sorted. */
  readonly writes: string[];
  /** Files to delete, relative to outdir, sorted. */
  readonly deletes: string[];
}

/**
 * Compares `files` (paths relative to outdir, with `/`) with outdir: a file is to be written only
 * when its content differs, placeholders only when absent, and files of the owned folders that are
 * no longer generated are to be deleted (placeholders only while still empty).
 */
export function planTree(files: Map<string, string>, options: WriteTreeOptions): TreePlan {
  const isPlaceholder = options.isPlaceholder ?? (() => false);
  const writes = [...files.keys()].sort(compareStrings).filter((relative) => {
    const existing = readIfExists(path.join(options.outdir, relative));
    return existing !== files.get(relative) && !(existing !== undefined && isPlaceholder(relative));
  });
  const deletes = options.ownedFolders.flatMap((owned) => listFiles(options.outdir, owned))
    .filter((relative) => !files.has(relative) && !(isPlaceholder(relative) && fs.statSync(path.join(options.outdir, relative)).size > 0))
    .sort(compareStrings);
  return { writes, deletes };
}

/** Carries out a {@link planTree} plan, removing the owned folders that it leaves empty. */
export function applyTreePlan(plan: TreePlan, files: Map<string, string>, options: WriteTreeOptions): WriteTreeResult {
  const createdFolders = new Set<string>();
  for (const relative of plan.writes) {
    const target = path.join(options.outdir, relative);
    const folder = path.dirname(target);
    if (!createdFolders.has(folder)) {
      fs.mkdirSync(folder, { recursive: true });
      createdFolders.add(folder);
    }
    fs.writeFileSync(target, files.get(relative)!);
  }
  plan.deletes.forEach((relative) => fs.unlinkSync(path.join(options.outdir, relative)));
  if (plan.deletes.length > 0) options.ownedFolders.forEach((owned) => removeEmptyFolders(path.join(options.outdir, owned)));
  return { written: plan.writes, deleted: plan.deletes, unchanged: files.size - plan.writes.length };
}

/**
 * Brings `outdir` to exactly `files`, touching only what differs, and leaving everything outside
 * the owned folders alone: {@link planTree}, then {@link applyTreePlan}.
 */
export function writeTree(files: Map<string, string>, options: WriteTreeOptions): WriteTreeResult {
  return applyTreePlan(planTree(files, options), files, options);
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
