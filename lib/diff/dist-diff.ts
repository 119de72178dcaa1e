import * as fs from 'fs';
import * as path from 'path';
import { FieldChange, diffValues } from './object-diff';
import {
  KEPT_ON_MANAGER,
  ObjectId,
  RemovalPolicy,
  asOrphaningKustomization,
  deletedStatefulWarning,
  isStateful,
  keptReason,
  movedStatefulWarning,
  orphanedReason,
} from './removal-fate';
import { vmChangeEffect } from './vm-change-effect';
import { STORE_LABELS_ANNOTATION } from '../model/contract';
import { storeOfFile } from '../model/dist-layout';
import { RESTART_BY_HAND, VM_RESTARTER_ID, VM_RESTART_ANNOTATION } from '../model/vm-restart-policy';
import { compareStrings } from '../util/compare-strings';
import { GitBase, changesBelow, readBlobs } from '../util/git';
import { parseYamlDocuments } from '../util/parse-yaml';
import { objectIdentity, objectName } from '../validate/loaded-tree';

/** How one object (or a file that holds no API object) changed. */
export interface ObjectChange {
  /** File, relative to the compared folder: where the object is now, or was for a removed one. */
  readonly file: string;
  /** `Kind/namespace/name` (`Kind/name` when cluster-scoped), or the file's path for a file that holds no API object. */
  readonly object: string;
  /** What happened to it. A change of namespace or kind is a removal and an addition: Kubernetes cannot move an object. */
  readonly change: 'added' | 'removed' | 'changed';
  /** For a changed object, the fields that changed. */
  readonly fields: FieldChange[];
  /** For a removed object that stays on the store (or on the Fleet manager): why. Undefined when it is deleted there. */
  readonly kept?: string;
  /** For an added object that takes the place of one removed in the same store (same name, other namespace or kind): the removed one. */
  readonly replaces?: string;
  /** Set when the change endangers a store's data: what happens, and what to do. */
  readonly warning?: string;
  /** For a changed VirtualMachine: when the VM running on the store gets the change (at its next restart, live, or never). */
  readonly takesEffect?: string;
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
  /** Images the store needs now and did not need before, which it must download (from its images.txt), sorted. */
  readonly newImages: string[];
}

/** The difference between dist/ at a commit and in the working tree. */
export interface DistDiff {
  /** The commit compared with. */
  readonly base: GitBase;
  /** Stores that changed, by id (and the fleet-wide entry, last, when fleet-wide files changed). */
  readonly stores: StoreDiff[];
  /** Labels of every store in the working tree or at the base (removed stores), by id, for the totals. */
  readonly allStores: Map<string, Record<string, string>>;
}

/** Options of {@link diffDist}. */
export interface DiffDistOptions {
  /** The synthesized folder. @default 'dist' */
  readonly dir?: string;
  /**
   * The Git revision to compare with.
   * @default - HEAD while the working tree holds a fresh synth, else the merge base with the branch a pull request targets
   */
  readonly base?: string;
}

/** An API object (or a file of no API object) as the diff matches it. */
interface LoadedObject {
  /** What identifies it in a store: API group, kind, namespace and name; or the file. */
  readonly key: string;
  /** How it is shown. */
  readonly display: string;
  /** Its file, relative to the compared folder. */
  readonly file: string;
  /** The parsed document (the text, for a file that is not YAML). */
  readonly value: any;
  /** Kind, namespace and name, for an API object; undefined for a file of other documents. */
  readonly api?: ObjectId;
}

/** The content of a file of the compared folder at the base and now; undefined where it does not exist. */
interface FileVersions {
  readonly before: (file: string) => string | undefined;
  readonly after: (file: string) => string | undefined;
  /** The compared folder's path in the repository (`dist`), empty at its root. */
  readonly prefix: string;
}

/**
 * Compares dist/ at `base` with the working tree, object by object and field by field, reading only
 * the files that Git reports as changed, so that it stays fast at 10,000 stores. Objects are matched
 * within a store by API group, kind, namespace and name, whatever file they are in.
 */
export function diffDist(options: DiffDistOptions = {}): DistDiff {
  const dir = path.resolve(options.dir ?? 'dist');
  const { repo, prefix, base, files } = changesBelow(dir, options.base);
  const baseBlobs = new Map(files.map((f) => [f.path, f.baseBlob]));
  const changed = [...baseBlobs.keys()].filter((f) => !isReport(f)).sort(compareStrings);
  const atBase = readBlobs(
    repo,
    changed.map((f) => baseBlobs.get(f)).filter((b): b is string => b !== undefined),
  );
  const versions: FileVersions = {
    before: (f) => {
      const blob = baseBlobs.get(f);
      return blob === undefined ? undefined : atBase.get(blob);
    },
    after: (f) => readIfExists(path.join(dir, f)),
    prefix,
  };
  const changedSet = new Set(changed);

  const byScope = new Map<string | undefined, string[]>();
  for (const file of changed) {
    const store = storeOfFile(file);
    const scopeFiles = byScope.get(store);
    if (scopeFiles) scopeFiles.push(file);
    else byScope.set(store, [file]);
  }

  const allStores = storeLabelsInTree(dir);
  const stores: StoreDiff[] = [];
  for (const [store, scopeFiles] of [...byScope].sort(([a], [b]) => (a === undefined ? 1 : b === undefined ? -1 : compareStrings(a, b)))) {
    const policy = store === undefined ? { agent: 'flux' as const } : removalPolicy(store, scopeFiles, dir, versions, changedSet);
    const changes = diffScope(
      scopeFiles.filter((f) => !isImageList(f)),
      versions,
      policy,
    );
    const imageList = scopeFiles.find(isImageList);
    const newImages = imageList === undefined ? [] : imagesAdded(versions, imageList);
    if (changes.length === 0 && newImages.length === 0) continue;
    const removed = store !== undefined && !allStores.has(store);
    const labels = store === undefined ? {} : (allStores.get(store) ?? parseLabels(versions.before(`stores/${store}/infrastructure/namespace.yaml`)));
    const added = changes.some((c) => c.file === `stores/${store}/kustomization.yaml` && c.change === 'added');
    stores.push({ store, labels, status: removed ? 'removed' : added ? 'added' : 'changed', changes, newImages });
  }
  for (const removed of stores.filter((s) => s.status === 'removed')) allStores.set(removed.store!, removed.labels);
  return { base, stores, allStores };
}

/** The fleet report, which the diff leaves out: every change in it shows as an object change. */
function isReport(relativePath: string): boolean {
  return relativePath === 'REPORT.md' || relativePath === 'report.html';
}

function isImageList(relativePath: string): boolean {
  return /^stores\/[^/]+\/images\.txt$/.test(relativePath);
}

/**
 * Files derived from the objects, which the diff does not list as objects: the fleet report, and
 * each store's image list (which feeds the summary of new images instead).
 */
export function isDerived(relativePath: string): boolean {
  return isReport(relativePath) || isImageList(relativePath);
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** The objects of a file: each API object by its identity, anything else as the file itself. */
function objectsOf(file: string, content: string | undefined): LoadedObject[] {
  if (content === undefined) return [];
  const whole = (value: unknown): LoadedObject[] => [{ key: `file ${file}`, display: file, file, value }];
  if (!/\.ya?ml$/.test(file)) return whole(content);
  const { documents, error } = parseYamlDocuments(content);
  if (error) return whole(content);
  const objects = documents.filter(isApiObject).map((value: any): LoadedObject => ({
    key: objectIdentity(value),
    display: objectName(value),
    file,
    value,
    api: { kind: value.kind, namespace: value.metadata.namespace, name: value.metadata.name },
  }));
  const others = documents.filter((d) => !isApiObject(d));
  return others.length > 0 ? [...objects, ...whole(others.length === 1 ? others[0] : others)] : objects;
}

function isApiObject(value: any): boolean {
  return typeof value?.kind === 'string' && typeof value?.metadata?.name === 'string';
}

function loadAll(files: string[], read: (file: string) => string | undefined): Map<string, LoadedObject> {
  return new Map(files.flatMap((f) => objectsOf(f, read(f))).map((o) => [o.key, o]));
}

function byFileThenObject(a: ObjectChange, b: ObjectChange): number {
  return compareStrings(a.file, b.file) || compareStrings(a.object, b.object);
}

/** The changes of one store (or of the fleet-wide files), given the files of it that changed. */
function diffScope(files: string[], versions: FileVersions, policy: RemovalPolicy): ObjectChange[] {
  const old = loadAll(files, versions.before);
  const now = loadAll(files, versions.after);
  const removed = [...old.values()].filter((o) => !now.has(o.key));
  const added = [...now.values()].filter((o) => !old.has(o.key));
  const replacements = pairReplacements(removed, added);

  const orphaning = removed.map((o) => asOrphaningKustomization(o.value, versions.prefix)).filter((k) => k !== undefined);
  const fateOf = (o: LoadedObject) => {
    if (o.file.startsWith('fleet/')) return KEPT_ON_MANAGER;
    if (policy.keepsEverything) return policy.keepsEverything;
    const orphanedBy = orphaning.find((k) => o.file.startsWith(`${k.folder}/`));
    return orphanedBy ? orphanedReason(orphanedBy) : keptReason(o.value, policy);
  };
  const fates = new Map(removed.filter((o) => o.api).map((o) => [o, fateOf(o)]));
  const deletedNamespaces = new Set(removed.filter((o) => o.api?.kind === 'Namespace' && !fates.get(o)).map((o) => o.api!.name));
  const deletedWith = (o: LoadedObject) => {
    const ns = o.api?.namespace;
    return ns !== undefined && deletedNamespaces.has(ns) ? `Namespace "${ns}"` : undefined;
  };
  const keptOf = (o: LoadedObject) => (deletedWith(o) ? undefined : fates.get(o));
  const replaced = new Set(replacements.values());

  const changes: ObjectChange[] = [
    ...removed.map((o): ObjectChange => {
      const kept = keptOf(o);
      const warning =
        o.api && !kept && !replaced.has(o) && isStateful(o.api.kind) && !o.file.startsWith('fleet/')
          ? deletedStatefulWarning(o.api, deletedWith(o))
          : undefined;
      return { file: o.file, object: o.display, change: 'removed', fields: [], ...(kept ? { kept } : {}), ...(warning ? { warning } : {}) };
    }),
    ...added.map((o): ObjectChange => {
      const previous = replacements.get(o);
      if (!previous?.api || !o.api) return { file: o.file, object: o.display, change: 'added', fields: [] };
      const stateful = isStateful(previous.api.kind) || isStateful(o.api.kind);
      const warning = stateful
        ? movedStatefulWarning(previous.api, o.api, { kept: keptOf(previous), deletedWith: deletedWith(previous) })
        : undefined;
      return { file: o.file, object: o.display, change: 'added', fields: [], replaces: previous.display, ...(warning ? { warning } : {}) };
    }),
    ...[...now.values()]
      .filter((o) => old.has(o.key))
      .flatMap((o): ObjectChange[] => {
        const fields = diffValues(old.get(o.key)!.value, o.value);
        if (fields.length === 0) return [];
        const takesEffect = o.api?.kind === 'VirtualMachine' ? vmChangeEffect(fields, restartOf(o.file, versions), o.value) : undefined;
        return [{ file: o.file, object: o.display, change: 'changed', fields, ...(takesEffect ? { takesEffect } : {}) }];
      }),
  ];
  return changes.sort(byFileThenObject);
}

/** When the store of `file` restarts a VM that needs it, from its restarter's CronJob in the tree now. */
function restartOf(file: string, versions: FileVersions): string {
  const store = storeOfFile(file);
  const restarter = store === undefined ? undefined : versions.after(`stores/${store}/workloads/${VM_RESTARTER_ID}.yaml`);
  const cronJob: any = parseYamlDocuments(restarter ?? '').documents.find((d: any) => d?.kind === 'CronJob');
  const when = cronJob?.metadata?.annotations?.[VM_RESTART_ANNOTATION];
  return typeof when === 'string' ? when : RESTART_BY_HAND;
}

/**
 * Added API objects that take the place of a removed one: the same name, and either the same kind
 * in another namespace or another kind in the same namespace. Each removed object pairs once.
 */
function pairReplacements(removed: LoadedObject[], added: LoadedObject[]): Map<LoadedObject, LoadedObject> {
  const pairs = new Map<LoadedObject, LoadedObject>();
  const candidates = removed.filter((o) => o.api);
  for (const o of added) {
    if (!o.api) continue;
    const { kind, namespace, name } = o.api;
    const match = candidates.find((r) => r.api!.name === name && (r.api!.kind === kind || r.api!.namespace === namespace));
    if (match) {
      pairs.set(o, match);
      candidates.splice(candidates.indexOf(match), 1);
    }
  }
  return pairs;
}

/** How the store's agent treats objects that leave its folder, decided from the store's files at the base and now (`files`: those that changed). */
function removalPolicy(store: string, files: string[], dir: string, versions: FileVersions, changed: Set<string>): RemovalPolicy {
  const atBase = (file: string) => (changed.has(file) ? versions.before(file) : readIfExists(path.join(dir, file)));
  const fleetYaml = `stores/${store}/fleet.yaml`;
  const bundle = atBase(fleetYaml);
  if (bundle !== undefined) {
    const removedKeeping = !fs.existsSync(path.join(dir, fleetYaml)) && (parseYamlDocuments(bundle).documents[0] as any)?.keepResources === true;
    return { agent: 'fleet', keepsEverything: removedKeeping ? 'its Fleet bundle is removed with keepResources: true' : undefined };
  }
  const fluxFolder = `clusters/${store}`;
  const hadFluxFolder = files.some((f) => f.startsWith(`${fluxFolder}/`) && versions.before(f) !== undefined);
  const fluxFolderGone = hadFluxFolder && !fs.existsSync(path.join(dir, fluxFolder));
  return { agent: 'flux', keepsEverything: fluxFolderGone ? 'its Flux folder is gone, so Flux applies and deletes nothing more' : undefined };
}

/** Lines of `file` now that it did not have at the base. */
function imagesAdded(versions: FileVersions, file: string): string[] {
  const lines = (text: string | undefined) =>
    (text ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  const before = new Set(lines(versions.before(file)));
  return lines(versions.after(file))
    .filter((image) => !before.has(image))
    .sort(compareStrings);
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

function parseLabels(namespaceYaml: string | undefined): Record<string, string> {
  const line = namespaceYaml?.split('\n').find((l) => l.trim().startsWith(`${STORE_LABELS_ANNOTATION}:`));
  const value =
    line
      ?.slice(line.indexOf(':') + 1)
      .trim()
      .replace(/^"|"$/g, '') ?? '';
  return Object.fromEntries(
    value
      .split(',')
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, string]),
  );
}
