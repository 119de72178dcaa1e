import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { defaultBase, gitLines, readAtCommit } from './git';
import { FieldChange, diffValues } from './object-diff';
import { STORE_LABELS_ANNOTATION } from '../fleet/edge-store';
import { compareStrings } from '../output/manifest-file';
import { storeOfFile } from '../releases/blast-radius';

/** How one object (or non-YAML file) changed. */
export interface ObjectChange {
  /** File, relative to the compared folder. */
  readonly file: string;
  /** `Kind/name`, `kustomization`, `fleet.yaml` or the file name of a non-YAML file. */
  readonly object: string;
  /** What happened to it. */
  readonly change: 'added' | 'removed' | 'changed';
  /** For a changed object, the fields that changed. */
  readonly fields: FieldChange[];
}

/** What changed in one store, or in the fleet-wide files when `store` is undefined. */
export interface StoreDiff {
  /** The store id; undefined for fleet-wide files (e.g. dist/fleet/gitrepos/). */
  readonly store?: string;
  /** The store's labels (ring, region, ...), from its Namespace. */
  readonly labels: Record<string, string>;
  /** Whether the whole store is new or gone. */
  readonly status: 'added' | 'removed' | 'changed';
  /** The changes, by file and object. */
  readonly changes: ObjectChange[];
}

/** The difference between dist/ at a commit and in the working tree. */
export interface DistDiff {
  /** The commit compared with, as given or resolved. */
  readonly base: string;
  /** Stores that changed (and the fleet-wide entry, last, when fleet-wide files changed). */
  readonly stores: StoreDiff[];
  /** Labels of every store in the working tree or at the base (removed stores), by id, for the totals. */
  readonly allStores: Map<string, Record<string, string>>;
}

/** Options of {@link diffDist}. */
export interface DiffDistOptions {
  /** The synthesized folder. @default 'dist' */
  readonly dir?: string;
  /** The Git commit to compare with. @default - HEAD while the working tree holds a fresh synth, else the merge base with main */
  readonly base?: string;
}

/**
 * Compares dist/ at `base` with the working tree, object by object and field by field, reading only
 * the files that Git reports as changed, so that it stays fast at 10,000 stores.
 */
export function diffDist(options: DiffDistOptions = {}): DistDiff {
  const dir = path.resolve(options.dir ?? 'dist');
  const repo = gitLines(dir, ['rev-parse', '--show-toplevel'])[0];
  const prefix = path.relative(repo, dir).split(path.sep).join('/');
  const base = options.base ?? defaultBase(repo, prefix);
  const changed = [
    ...gitLines(repo, ['diff', '--name-status', '--no-renames', base, '--', prefix]).map((l) => l.split('\t')[1]),
    ...gitLines(repo, ['ls-files', '--others', '--exclude-standard', '--', prefix]),
  ].filter((f) => !isDerived(f.slice(prefix.length + 1))).sort(compareStrings);
  const before = readAtCommit(repo, base, changed);
  const relative = (p: string) => p.slice(prefix.length + 1);

  const byStore = new Map<string | undefined, ObjectChange[]>();
  for (const file of changed) {
    const current = readIfExists(path.join(repo, file));
    const changes = diffFile(relative(file), before.get(file), current);
    const store = storeOfFile(relative(file));
    byStore.set(store, [...(byStore.get(store) ?? []), ...changes]);
  }

  const allStores = storeLabelsInTree(dir);
  const stores = [...byStore].filter(([, changes]) => changes.length > 0)
    .sort(([a], [b]) => (a === undefined ? 1 : b === undefined ? -1 : compareStrings(a, b)))
    .map(([store, changes]): StoreDiff => {
      const labels = store === undefined ? {} : allStores.get(store) ?? labelsAt(before, `${prefix}/stores/${store}/infrastructure/namespace.yaml`);
      const status = store !== undefined && !allStores.has(store) ? 'removed'
        : store !== undefined && changes.some((c) => c.file === `stores/${store}/kustomization.yaml` && c.change === 'added') ? 'added' : 'changed';
      return { store, labels, status, changes };
    });
  for (const removed of stores.filter((s) => s.status === 'removed')) allStores.set(removed.store!, removed.labels);
  return { base, stores, allStores };
}

/**
 * Files derived from the objects, which the diff leaves out since every change in them shows as an
 * object change: the fleet report and each store's image list.
 */
export function isDerived(relativePath: string): boolean {
  return relativePath === 'REPORT.md' || relativePath === 'report.html' || /^stores\/[^/]+\/images\.txt$/.test(relativePath);
}

function readIfExists(file: string): string | undefined {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

/** The objects of a YAML file by `Kind/name` (a plain document by its file name). */
function objectsOf(file: string, content: string | undefined): Map<string, unknown> {
  const objects = new Map<string, unknown>();
  if (content === undefined) return objects;
  if (!/\.ya?ml$/.test(file)) return new Map([[path.posix.basename(file), content]]);
  for (const doc of YAML.parseAllDocuments(content)) {
    const value: any = doc.toJS();
    if (value === null || value === undefined) continue;
    const key = value.kind && value.metadata?.name ? `${value.kind}/${value.metadata.name}` : path.posix.basename(file, '.yaml');
    objects.set(key, value);
  }
  return objects;
}

function diffFile(file: string, before: string | undefined, after: string | undefined): ObjectChange[] {
  const old = objectsOf(file, before);
  const now = objectsOf(file, after);
  return [...new Set([...old.keys(), ...now.keys()])].sort(compareStrings).flatMap((object): ObjectChange[] => {
    if (!old.has(object)) return [{ file, object, change: 'added', fields: [] }];
    if (!now.has(object)) return [{ file, object, change: 'removed', fields: [] }];
    const fields = diffValues(old.get(object), now.get(object));
    return fields.length > 0 ? [{ file, object, change: 'changed', fields }] : [];
  });
}

/** Labels of every store in `dir`, read from the annotation on each store's Namespace. */
function storeLabelsInTree(dir: string): Map<string, Record<string, string>> {
  const stores = new Map<string, Record<string, string>>();
  const root = path.join(dir, 'stores');
  if (!fs.existsSync(root)) return stores;
  for (const id of fs.readdirSync(root).sort(compareStrings)) {
    stores.set(id, parseLabels(readIfExists(path.join(root, id, 'infrastructure', 'namespace.yaml'))));
  }
  return stores;
}

function labelsAt(contents: Map<string, string>, file: string): Record<string, string> {
  return parseLabels(contents.get(file));
}

function parseLabels(namespaceYaml: string | undefined): Record<string, string> {
  const line = namespaceYaml?.split('\n').find((l) => l.trim().startsWith(`${STORE_LABELS_ANNOTATION}:`));
  const value = line?.slice(line.indexOf(':') + 1).trim().replace(/^"|"$/g, '') ?? '';
  return Object.fromEntries(value.split(',').filter(Boolean).map((pair) => pair.split('=') as [string, string]));
}
