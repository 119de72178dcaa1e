import { hash } from 'crypto';
import {
  closeSync,
  Dirent,
  existsSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  Stats,
  statSync,
  unlinkSync,
  writeSync,
} from 'fs';
import * as path from 'path';
import { compareStrings } from '../util/compare-strings';

/** Properties of a {@link TreeUpdate}. */
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
  /** Keep the hash of every file given to `update`, for {@link TreeUpdate.record}. @default false */
  readonly recordOutput?: boolean;
}

/** What an update of the output folder changed. */
export interface WriteTreeResult {
  /** Files created or rewritten, relative to outdir, sorted. */
  readonly written: string[];
  /** Files deleted, relative to outdir, sorted. */
  readonly deleted: string[];
  /** Number of files whose content was already right. */
  readonly unchanged: number;
}

/** The files an update of the output folder writes and deletes. */
export interface TreePlan {
  /** Files to create or rewrite, relative to outdir, sorted. */
  readonly writes: string[];
  /** Files to delete, relative to outdir, sorted. */
  readonly deletes: string[];
}

/**
 * A file as synth last wrote or confirmed it: path relative to outdir, hash of its content (null for
 * a placeholder, whose content belongs to another tool), size and modification time. Enough to tell
 * without reading the file that it is still what synth wrote.
 */
export type FileRecord = [path: string, contentHash: string | null, size: number, mtimeMs: number];

/** A folder with its modification time, which changes when an entry is added to it or removed from it. */
export type FolderRecord = [path: string, mtimeMs: number];

/** The files synth wrote below some folders of outdir (a store's, or the fleet-wide ones), and those folders. */
export interface OutputRecord {
  /** Every file, sorted by path. */
  readonly files: FileRecord[];
  /** Every folder that holds them, up to the roots. */
  readonly folders: FolderRecord[];
}

/** The hash {@link FileRecord} keeps of a file's content. */
function contentHash(content: string): string {
  return hash('sha1', content, 'base64');
}

/**
 * Brings parts of an output folder up to date, touching only what differs, and nothing outside the
 * owned folders. Each part is a set of root folders (such as a store's `stores/<id>` and
 * `clusters/<id>`) and the files that must be there: compared either with a verified
 * {@link OutputRecord} of the last synth (nothing read) or with what is on disk (only files that
 * exist are read). Changes are written by {@link apply}; only a part that is new in outdir is
 * written at once ({@link writeNew}), which {@link rollBack} takes back.
 */
export class TreeUpdate {
  private readonly isPlaceholder: (relativePath: string) => boolean;
  private readonly writes = new Map<string, string>();
  private readonly deletes = new Set<string>();
  private readonly listings = new Map<string, Map<string, Dirent> | undefined>();
  private readonly cleanups = new Set<string>();
  private readonly stats = new Map<string, { readonly size: number; readonly mtimeMs: number }>();
  private readonly hashes = new Map<string, string>();
  private readonly writtenEarly: string[] = [];
  private unchangedFiles = 0;
  private readonly outdirExisted: boolean;

  constructor(private readonly options: WriteTreeOptions) {
    this.isPlaceholder = options.isPlaceholder ?? (() => false);
    // What outdir holds before anything is written, for isNew() and rollBack().
    this.outdirExisted = this.listing('') !== undefined;
    options.ownedFolders.forEach((owned) => this.listing(owned));
  }

  /** Whether none of the `roots` folders exists: a part that synth may write at once, and take back with {@link rollBack}. */
  public isNew(roots: string[]): boolean {
    return roots.every((root) => this.stat(root, true) === undefined);
  }

  /**
   * Writes the files of a new part (see {@link isNew}) at once, so that they need not be held until
   * {@link apply}: nothing else is there to compare with, and {@link rollBack} removes them again.
   */
  public writeNew(files: Map<string, string>): void {
    this.adoptWritten(writeNewFiles(this.options.outdir, files, this.isPlaceholder, this.options.recordOutput ?? false));
  }

  /** Files of a new part that another thread wrote with {@link writeNewFiles}. */
  public adoptWritten(records: FileRecord[]): void {
    for (const [file, hashed, size, mtimeMs] of records) {
      this.writtenEarly.push(file);
      if (hashed !== null) this.hashes.set(file, hashed);
      this.stats.set(file, { size, mtimeMs });
    }
  }

  /**
   * Takes back every part written before {@link apply}: removes each entry of the owned folders that
   * was not there when this update began (and the owned folders, and outdir, if they were not).
   */
  public rollBack(): void {
    for (const owned of this.options.ownedFolders) {
      const before = this.listing(owned);
      const full = this.full(owned);
      if (!isFolder(full)) continue;
      if (before === undefined) {
        rmSync(full, { recursive: true, force: true });
        continue;
      }
      for (const name of readdirSync(full)) {
        if (!before.has(name)) rmSync(path.join(full, name), { recursive: true, force: true });
      }
    }
    if (!this.outdirExisted && isFolder(this.options.outdir) && readdirSync(this.options.outdir).length === 0) rmdirSync(this.options.outdir);
  }

  /** Folders directly below a folder of outdir (e.g. the store ids below `stores`); empty when it does not exist. */
  public foldersIn(folder: string): string[] {
    return [...(this.listing(folder)?.values() ?? [])].filter((e) => e.isDirectory()).map((e) => e.name);
  }

  /** Deletes the files directly in an owned folder (not in its subfolders): synth generates none there. */
  public removeLooseFiles(folder: string): void {
    for (const entry of this.listing(folder)?.values() ?? []) {
      if (!entry.isDirectory()) this.deleteUnlessFilledPlaceholder(`${folder}/${entry.name}`);
    }
  }

  /** Whether the files and folders of `record` are as synth left them: same sizes and times, nothing added or removed. */
  public isIntact(record: OutputRecord): boolean {
    for (const [folder, mtimeMs] of record.folders) {
      if (this.stat(folder)?.mtimeMs !== mtimeMs) return false;
    }
    for (const [file, recordedHash, size, mtimeMs] of record.files) {
      const stat = this.stat(file);
      if (stat === undefined || (recordedHash !== null && (stat.size !== size || stat.mtimeMs !== mtimeMs))) return false;
    }
    return true;
  }

  /**
   * Whether the files of `record` still have the content it hashed and nothing else is in its
   * folders (reads the files: for a record that is not {@link isIntact}, e.g. in a fresh clone).
   */
  public hasRecordedContent(record: OutputRecord, roots: string[]): boolean {
    const recorded = new Map(record.files.map(([file, recordedHash]) => [file, recordedHash]));
    const present = this.presentFiles(roots, recorded.keys());
    if (present.size !== recorded.size) return false;
    return [...present].every((file) => {
      if (!recorded.has(file)) return false;
      const expected = recorded.get(file);
      return expected === null || contentHash(readFileSync(this.full(file), 'utf8')) === expected;
    });
  }

  /** A part that did not change: its files count as unchanged. */
  public keep(record: OutputRecord): void {
    this.unchangedFiles += record.files.length;
  }

  /**
   * Makes the `roots` folders hold exactly `files` (paths relative to outdir): compared with
   * `previous` when given (a record that {@link isIntact}), else with the files on disk. Returns the
   * files it found changed: to be written or deleted.
   */
  public update(roots: string[], files: Map<string, string>, previous?: OutputRecord): string[] {
    const changed: string[] = [];
    if (previous || this.options.recordOutput) {
      for (const [file, content] of files) if (!this.isPlaceholder(file)) this.hashes.set(file, contentHash(content));
    }
    if (previous) {
      const recorded = new Map(previous.files.map(([file, hashed]) => [file, hashed]));
      for (const [file, content] of files) {
        const expected = recorded.get(file);
        const same = expected === undefined ? false : expected === null ? this.isPlaceholder(file) : expected === this.hashes.get(file);
        if (this.writeUnless(same, file, content)) changed.push(file);
      }
      for (const file of recorded.keys()) if (!files.has(file) && this.deleteUnlessFilledPlaceholder(file)) changed.push(file);
      return changed;
    }
    const present = this.presentFiles(roots, files.keys());
    for (const [file, content] of files) {
      const same = present.has(file) && (this.isPlaceholder(file) || readFileSync(this.full(file), 'utf8') === content);
      if (this.writeUnless(same, file, content)) changed.push(file);
    }
    for (const file of present) if (!files.has(file) && this.deleteUnlessFilledPlaceholder(file)) changed.push(file);
    return changed;
  }

  /** Deletes everything below the `roots` folders (placeholders only while still empty). */
  public remove(roots: string[]): void {
    this.filesBelow(roots).forEach((file) => this.deleteUnlessFilledPlaceholder(file));
  }

  /** What {@link apply} will write and delete. */
  public plan(): TreePlan {
    return {
      writes: [...this.writes.keys()].sort(compareStrings),
      deletes: [...this.deletes].sort(compareStrings),
    };
  }

  /** Writes and deletes what the updates found, then removes the owned folders they left empty. */
  public apply(): WriteTreeResult {
    const { writes, deletes } = this.plan();
    const created = new Set<string>();
    for (const file of writes) {
      const folder = path.dirname(this.full(file));
      if (!created.has(folder)) {
        mkdirSync(folder, { recursive: true });
        created.add(folder);
      }
      this.stats.set(file, writeFile(this.full(file), this.writes.get(file)!));
    }
    deletes.forEach((file) => unlinkSync(this.full(file)));
    this.cleanups.forEach((folder) => removeEmptyFolders(this.full(folder)));
    const written = this.writtenEarly.length > 0 ? [...this.writtenEarly, ...writes].sort(compareStrings) : writes;
    return { written, deleted: deletes, unchanged: this.unchangedFiles };
  }

  /**
   * After {@link apply}: the record of `files` (given to {@link update} with `recordOutput`), just
   * written or confirmed, and of their folders up to the `roots`.
   */
  public record(roots: string[], files: string[]): OutputRecord {
    const folders = new Set<string>(roots);
    for (const file of files) {
      for (let folder = path.posix.dirname(file); folder !== '.' && !folders.has(folder); folder = path.posix.dirname(folder)) folders.add(folder);
    }
    const inRoots = (folder: string) => roots.some((root) => folder === root || folder.startsWith(`${root}/`));
    return {
      files: [...files].sort(compareStrings).map((file): FileRecord => {
        const stat = this.stats.get(file) ?? statSync(this.full(file));
        return [file, this.isPlaceholder(file) ? null : this.hashes.get(file)!, stat.size, stat.mtimeMs];
      }),
      folders: [...folders]
        .filter(inRoots)
        .sort(compareStrings)
        .flatMap((folder): FolderRecord[] => {
          const stat = statSync(this.full(folder), { throwIfNoEntry: false });
          return stat ? [[folder, stat.mtimeMs]] : [];
        }),
    };
  }

  /** `record` with the sizes and times its files and folders have now (after {@link hasRecordedContent} confirmed them). */
  public restat(record: OutputRecord): OutputRecord {
    return {
      files: record.files.map(([file, hashed]): FileRecord => {
        const stat = statSync(this.full(file));
        return [file, hashed, stat.size, stat.mtimeMs];
      }),
      folders: record.folders.flatMap(([folder]): FolderRecord[] => {
        const stat = statSync(this.full(folder), { throwIfNoEntry: false });
        return stat ? [[folder, stat.mtimeMs]] : [];
      }),
    };
  }

  /** Plans to write `file` unless it is the `same`; returns whether it will be written. */
  private writeUnless(same: boolean, file: string, content: string): boolean {
    if (same) this.unchangedFiles++;
    else this.writes.set(file, content);
    return !same;
  }

  /** Plans to delete `file`, unless it is a placeholder that bootstrap filled in; returns whether it will be deleted. */
  private deleteUnlessFilledPlaceholder(file: string): boolean {
    if (this.isPlaceholder(file) && (this.stat(file)?.size ?? 0) > 0) return false;
    this.deletes.add(file);
    const owned = file.split('/')[0];
    if (this.options.ownedFolders.includes(owned)) this.cleanups.add(owned);
    return true;
  }

  /** The files below the `roots` folders, and those of `others` outside them, that exist. */
  private presentFiles(roots: string[], others: Iterable<string>): Set<string> {
    const present = new Set(this.filesBelow(roots));
    for (const file of others) {
      if (!roots.some((root) => file.startsWith(`${root}/`)) && this.stat(file, true) !== undefined) present.add(file);
    }
    return present;
  }

  /** The files below the `roots` folders that exist, relative to outdir. */
  private filesBelow(roots: string[]): string[] {
    return roots
      .filter((root) => this.stat(root, true)?.isDirectory())
      .flatMap((root) =>
        (readdirSync(this.full(root), { recursive: true, withFileTypes: true }) as Dirent[])
          .filter((e) => !e.isDirectory())
          .map((e) =>
            path
              .relative(this.options.outdir, path.join(e.parentPath ?? (e as any).path, e.name))
              .split(path.sep)
              .join('/'),
          ),
      );
  }

  /** The entries of a folder of outdir, read once; undefined when it does not exist. */
  private listing(folder: string): Map<string, Dirent> | undefined {
    if (!this.listings.has(folder)) {
      const full = this.full(folder);
      const entries = existsSync(full) && statSync(full).isDirectory() ? readdirSync(full, { withFileTypes: true }) : undefined;
      this.listings.set(folder, entries && new Map(entries.map((e) => [e.name, e])));
    }
    return this.listings.get(folder);
  }

  /**
   * The stat of a file or folder of outdir, undefined when absent. Where the parent folder was listed
   * (`viaListing`), absence is known without a failed system call.
   */
  private stat(relative: string, viaListing = false): Stats | undefined {
    if (viaListing) {
      const parent = path.posix.dirname(relative);
      const listing = this.listing(parent === '.' ? '' : parent);
      if (!listing?.has(path.posix.basename(relative))) return undefined;
    }
    return lstatSync(this.full(relative), { throwIfNoEntry: false });
  }

  private full(relative: string): string {
    return path.join(this.options.outdir, relative);
  }
}

/**
 * Writes files where none of them exists yet (creating their folders), and returns their records
 * (content hashes only when `hashContent`): for a new part of outdir, by whichever thread rendered it.
 */
export function writeNewFiles(
  outdir: string,
  files: Map<string, string>,
  isPlaceholder: (relativePath: string) => boolean,
  hashContent: boolean,
): FileRecord[] {
  const created = new Set<string>();
  return [...files]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([file, content]): FileRecord => {
      const full = path.join(outdir, file);
      const folder = path.dirname(full);
      if (!created.has(folder)) {
        mkdirSync(folder, { recursive: true });
        created.add(folder);
      }
      const stat = writeFile(full, content);
      return [file, isPlaceholder(file) || !hashContent ? null : contentHash(content), stat.size, stat.mtimeMs];
    });
}

/** Writes a file and returns its stat, taken on the open file (one system call less than a stat by path). */
function writeFile(file: string, content: string): Stats {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, content);
    return fstatSync(fd);
  } finally {
    closeSync(fd);
  }
}

function isFolder(full: string): boolean {
  try {
    return statSync(full).isDirectory();
  } catch {
    return false;
  }
}

/** Removes the folders below (and including) `folder` that hold no file. */
function removeEmptyFolders(folder: string): void {
  if (!existsSync(folder)) return;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory()) removeEmptyFolders(path.join(folder, entry.name));
  }
  if (readdirSync(folder).length === 0) rmdirSync(folder);
}
