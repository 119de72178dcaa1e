import * as os from 'os';
import * as path from 'path';
import { CachedStore, DigestCache } from './digest-cache';
import { FleetDigest, dataDigest, fileDigest, fleetDigest, fleetInputsDigest, storeDigest } from './fleet-digest';
import { StorePass, StoreSummary, buildAndPass, passStore, problemsOf } from './store-pass';
import { MIN_STORES_PER_WORKER, StoreWorkers } from './store-workers';
import { FleetValidationError, validateFleet } from './validate-fleet';
import { OutputWriteError } from '../errors/edgefleet-error';
import type { EdgeFleet } from '../fleet/edge-fleet';
import { refersToStores } from '../fleet/refers-to-stores';
import { EdgeStore } from '../fleet/edge-store';
import { compareStrings } from '../output/manifest-file';
import { FileRecord, OutputRecord, TreeUpdate, WriteTreeResult } from '../output/tree-writer';
import { BlastRadiusError, ChangedStore, checkBlastRadius, checkNotAnotherFleetsTree, storeOfFile } from '../releases/blast-radius';
import { renderReportHtml } from '../report/render-report-html';
import { renderReportMarkdown } from '../report/render-report-markdown';
import { sumOfSizes, treeSize } from '../report/tree-sizes';
import { FLUX_BOOTSTRAP_FILES } from '../sync/flux-store-sync';
import { renderRancherFleet } from '../sync/rancher-fleet-manager';
import { STORE_TREES } from '../sync/store-source';
import { sharedKeyProblems } from '../secrets/fleet-secrets';
import { writeSopsConfig } from '../secrets/sops-config';

/** The fleet report, at the top of dist/. */
export const REPORT_FILES = { markdown: 'REPORT.md', html: 'report.html' };

/** Top-level folders of dist/ that synth owns. */
export const OWNED_FOLDERS = ['stores', 'clusters', 'fleet'];

/** Most problems one synth reports; it stops looking further once it has found that many. */
export const MAX_REPORTED_PROBLEMS = 50;

/** Options of {@link synthesize}. */
export interface SynthesizeOptions {
  /** Output folder. @default - the fleet's `outdir` (`dist`, or `$CDK8S_OUTDIR`) */
  readonly outdir?: string;
  /** Called after each store is rendered or confirmed unchanged, e.g. to show progress on a long run. @default - nothing */
  readonly onProgress?: (done: number, total: number) => void;
  /** Write even when the change touches more stores than the fleet's blast-radius guard allows. @default false */
  readonly allowWideChange?: boolean;
  /**
   * Folder of the digest cache (e.g. `.edgefleet-cache`, ignored by Git). With it, a store declared
   * with `EdgeFleet.addStores` whose digest (its inputs, the fleet's settings, the code) is the one
   * recorded at the last synth, and whose files are as that synth left them, is neither rendered
   * nor read nor written.
   * @default - no cache: every store is rendered and compared with the files in `outdir`
   */
  readonly cacheDir?: string;
  /**
   * The fleet module that built this fleet with its `buildFleet()` (as `edgefleet synth --fleet`
   * names it). With it, synth renders stores in worker threads too, when there are enough to render
   * to pay for starting them: each worker builds the fleet from this module and renders a share of
   * the stores declared with `addStores`. The output is the same byte for byte.
   * @default - every store is rendered in the calling thread
   */
  readonly fleetModule?: string;
  /** Threads that render stores, the calling thread included, when `fleetModule` is given. @default - the number of CPUs */
  readonly threads?: number;
}

/** What {@link synthesize} did. */
export interface SynthesizeResult extends WriteTreeResult {
  /** Number of stores synthesized. */
  readonly stores: number;
  /** Number of files generated (written or already up to date). */
  readonly files: number;
  /** Number of stores rendered; the others were confirmed unchanged by their digest. */
  readonly rendered: number;
  /** Number of threads that rendered stores (1: the calling thread alone). */
  readonly threads: number;
  /** Stores whose folders were deleted because the fleet no longer has them, sorted. */
  readonly removedStores: string[];
  /** Why the digest cache was not used although `cacheDir` was given. */
  readonly cacheNote?: string;
  /** Whether the fleet's `.sops.yaml`, at the root of the repository, was written (see `writeSopsConfig`). */
  readonly sopsConfigWritten: boolean;
}

/**
 * Brings the fleet's GitOps tree in `outdir` up to date, one store at a time: each store is built,
 * checked and rendered, its files compared with what is there, and its construct tree released.
 * Every problem found (up to {@link MAX_REPORTED_PROBLEMS}) is reported together, each naming its
 * store; nothing is written unless the whole fleet is valid and the blast-radius guard allows the
 * change, so a failed synth leaves `outdir` as it was.
 */
export function synthesize(fleet: EdgeFleet, options: SynthesizeOptions = {}): SynthesizeResult {
  const run = new SynthRun(fleet, options);
  let result: WriteTreeResult;
  try {
    run.goThroughStores();
    run.updateFleetFiles();
    run.removeStoresNoLongerInTheFleet();
    if (!options.allowWideChange) run.checkBlastRadius();
  } catch (e) {
    // Stores new in outdir were written as they were rendered: take them back, so that outdir is as it was.
    try {
      run.update.rollBack();
    } catch {
      // The error that stopped synth is the one to report.
    }
    throw writeError(e, run.outdir);
  }
  try {
    result = run.update.apply();
  } catch (e) {
    throw writeError(e, run.outdir);
  }
  run.saveCache();
  return {
    ...result,
    stores: run.stores.size,
    files: result.unchanged + result.written.length,
    rendered: run.rendered.size,
    threads: run.threads,
    removedStores: run.removedStores,
    sopsConfigWritten: run.sopsConfigWritten,
    cacheNote: options.cacheDir !== undefined && run.digest.digest === undefined ? run.digest.reason : undefined,
  };
}

/** One synth's state: what it found of each store, and the update of outdir it is preparing. */
class SynthRun {
  public readonly outdir: string;
  public readonly update: TreeUpdate;
  public readonly digest: FleetDigest;
  /** Every store by id: as cached, or as rendered now. */
  public readonly stores = new Map<string, CachedStore>();
  /** The files of each store rendered now. */
  public readonly rendered = new Map<string, string[]>();
  public removedStores: string[] = [];
  public threads = 1;
  /** Whether the repository's `.sops.yaml` was written. */
  public sopsConfigWritten = false;
  private readonly cache?: DigestCache;
  private readonly existingStores: Set<string>;
  private cacheChanged = false;
  private fleetFiles?: Map<string, string>;
  private fleetFilesRecord?: OutputRecord;
  private fleetFilesDigest?: string;

  constructor(private readonly fleet: EdgeFleet, private readonly options: SynthesizeOptions) {
    this.outdir = options.outdir ?? fleet.outdir;
    this.digest = options.cacheDir !== undefined || options.fleetModule !== undefined ? fleetDigest(fleet) : { reason: 'no cache folder given' };
    this.cache = options.cacheDir !== undefined && this.digest.digest !== undefined ? DigestCache.open(options.cacheDir, this.outdir) : undefined;
    this.update = new TreeUpdate({ outdir: this.outdir, ownedFolders: OWNED_FOLDERS, isPlaceholder: isBootstrapFile, recordOutput: this.cache !== undefined });
    this.existingStores = new Set([...this.update.foldersIn('stores'), ...this.update.foldersIn('clusters')]);
  }

  /** Goes through the stores, confirming, comparing or writing each one's files. */
  public goThroughStores(): void {
    const { fleetModule, threads } = this.options;
    const parallel = fleetModule !== undefined
      ? { fleetModule, threads: threads ?? os.availableParallelism(), outdir: this.outdir, existingStores: [...this.existingStores], recordOutput: this.cache !== undefined }
      : undefined;
    const options = { digest: this.digest.digest, cache: this.cache, update: this.update, onProgress: this.options.onProgress, parallel };
    const found = forEachStore(this.fleet, options, (outcome) => this.visit(outcome));
    this.threads = found.threads;
    const keys = checkAcrossStores(this.fleet, found, this.outdir);
    this.sopsConfigWritten = keys.sopsConfigWritten;
    throwProblems([...keys.problems, ...found.problems]);
  }

  /** Renders (unless the cache confirms them) and compares the report and `dist/fleet/`. */
  public updateFleetFiles(): void {
    const summaries = [...this.stores.values()].map((s) => s.summary).sort((a, b) => compareStrings(a.id, b.id));
    if (this.digest.digest !== undefined) {
      this.fleetFilesDigest = dataDigest([this.digest.digest, ...summaries.map((s) => `${s.id} ${this.stores.get(s.id)!.summaryDigest}`)]);
    }
    const cached = this.cache?.fleetFiles;
    const intact = cached !== undefined && this.update.isIntact(cached.output);
    if (intact && cached.digest === this.fleetFilesDigest) {
      this.update.keep(cached.output);
      this.fleetFilesRecord = cached.output;
      return;
    }
    this.fleetFiles = renderFleetFiles(this.fleet, summaries);
    this.update.update(FLEET_ROOTS, this.fleetFiles, intact ? cached.output : undefined);
    this.cacheChanged = true;
  }

  /** Deletes the folders of the stores that the fleet no longer has, and stray files in the owned folders. */
  public removeStoresNoLongerInTheFleet(): void {
    this.removedStores = [...this.existingStores].filter((id) => !this.stores.has(id)).sort(compareStrings);
    this.removedStores.forEach((id) => this.update.remove(storeRoots(id)));
    STORE_TREES.forEach((folder) => this.update.removeLooseFiles(folder));
    this.cacheChanged ||= this.removedStores.length > 0;
  }

  /** The blast-radius guard: the existing stores whose files change or go, by ring. */
  public checkBlastRadius(): void {
    checkNotAnotherFleetsTree(this.outdir, [...this.existingStores].sort(compareStrings), new Set(this.stores.keys()));
    checkBlastRadius(changedStores(this.update.plan(), this.existingStores, this.stores, this.cache), this.fleet.rings, this.fleet.maxStoresChangedOutsideFirstRing);
  }

  /** After the update: records what was written and confirmed, unless the code changed meanwhile (a module loaded late). */
  public saveCache(): void {
    if (!this.cache || !this.cacheChanged) return;
    if (fleetDigest(this.fleet).digest !== this.digest.digest) {
      this.cache.discard();
      return;
    }
    const records: Record<string, CachedStore> = {};
    for (const [id, entry] of [...this.stores].sort(([a], [b]) => compareStrings(a, b))) {
      const files = this.rendered.get(id);
      records[id] = files ? { ...entry, output: this.update.record(storeRoots(id), files) } : entry;
    }
    const fleetRecord = this.fleetFiles ? this.update.record(FLEET_ROOTS, [...this.fleetFiles.keys()]) : this.fleetFilesRecord;
    this.cache.save(records, fleetRecord && { digest: this.fleetFilesDigest!, output: fleetRecord });
  }

  private visit(outcome: StoreOutcome): void {
    if (outcome.kept) {
      this.stores.set(outcome.kept.summary.id, outcome.kept);
      this.cacheChanged ||= outcome.restated;
      return;
    }
    const { pass, written, digest } = outcome;
    const id = pass.summary.id;
    const roots = storeRoots(id);
    if (written) {
      this.update.adoptWritten(written);
    } else if (this.update.isNew(roots)) {
      this.update.writeNew(pass.files);
    } else {
      const previous = this.cache?.store(id);
      this.update.update(roots, pass.files, previous && this.update.isIntact(previous.output) ? previous.output : undefined);
    }
    const inputFiles = pass.inputFiles.map((file): [string, string | null] => [file, fileDigest(file)]);
    this.stores.set(id, { digest: digest ?? null, summary: pass.summary, summaryDigest: dataDigest(pass.summary), output: { files: [], folders: [] }, inputFiles });
    this.rendered.set(id, written ? written.map(([file]) => file) : [...pass.files.keys()]);
    this.cacheChanged = true;
  }
}

/**
 * Validates the fleet and renders all its files in memory, as paths relative to dist/ in sorted
 * order: for tests and tools that want the whole tree at once (synth itself never holds it).
 */
export function renderFleet(fleet: EdgeFleet, onProgress?: (rendered: number, total: number) => void): Map<string, string> {
  const files = new Map<string, string>();
  const summaries: StoreSummary[] = [];
  const found = forEachStore(fleet, { onProgress }, (outcome) => {
    const pass = outcome.pass!;
    for (const [file, content] of pass.files) files.set(file, content);
    summaries.push(pass.summary);
  });
  throwProblems([...checkAcrossStores(fleet, found).problems, ...found.problems]);
  summaries.sort((a, b) => compareStrings(a.id, b.id));
  for (const [file, content] of renderFleetFiles(fleet, summaries)) files.set(file, content);
  return new Map([...files].sort(([a], [b]) => compareStrings(a, b)));
}

/** Whether a file of dist/ is one that `flux bootstrap` fills in, which synth only creates empty. */
export function isBootstrapFile(relativePath: string): boolean {
  if (!relativePath.startsWith('clusters/')) return false;
  const inStore = relativePath.indexOf('/', 'clusters/'.length);
  return inStore > 0 && FLUX_BOOTSTRAP_FILES.includes(relativePath.slice(inStore + 1));
}

/** The folders of dist/ that hold one store's files. */
function storeRoots(id: string): string[] {
  return STORE_TREES.map((tree) => `${tree}/${id}`);
}

/** The folder of dist/ that holds the fleet-wide files other than the report. */
const FLEET_ROOTS = ['fleet'];

/** The files made from every store's summary: `dist/fleet/` and the report. */
function renderFleetFiles(fleet: EdgeFleet, summaries: StoreSummary[]): Map<string, string> {
  const files = renderRancherFleet(fleet, summaries);
  const report = {
    stores: summaries.map((s) => s.plan),
    waivers: summaries.flatMap((s) => s.waivers),
    warnings: summaries.flatMap((s) => s.warnings),
    tree: sumOfSizes([...summaries.map((s) => s.plan.folders), treeSize(files.values())]),
  };
  files.set(REPORT_FILES.markdown, renderReportMarkdown(report));
  files.set(REPORT_FILES.html, renderReportHtml(report));
  return files;
}

/** One store of the fleet, confirmed unchanged by the digest cache (`kept`) or rendered (`pass`). */
type StoreOutcome =
  | { readonly kept: CachedStore; readonly restated: boolean; readonly pass?: undefined; readonly digest?: undefined; readonly written?: undefined }
  | { readonly kept?: undefined; readonly pass: StorePass; readonly digest: string | undefined; readonly written?: FileRecord[] };

interface ForEachStoreOptions {
  readonly digest?: string;
  readonly cache?: DigestCache;
  readonly update?: TreeUpdate;
  readonly onProgress?: (done: number, total: number) => void;
  readonly parallel?: ParallelOptions;
}

/** How to render on several threads. */
interface ParallelOptions {
  readonly fleetModule: string;
  readonly threads: number;
  readonly outdir: string;
  readonly existingStores: string[];
  readonly recordOutput: boolean;
}

/** What the fleet-wide checks after the stores need of each store built. */
export interface BuiltStore {
  readonly id: string;
  readonly ageRecipient?: string;
  readonly storeLabels: Readonly<Record<string, string>>;
}

/** What going through the stores found besides their outcomes. */
interface StoresFound {
  /** Number of threads that rendered stores. */
  readonly threads: number;
  /** Every problem found (up to {@link MAX_REPORTED_PROBLEMS}, then a line saying synth stopped looking). */
  readonly problems: string[];
  /** Every store built or confirmed, by id, with its age recipient and labels. */
  readonly builtStores: Map<string, BuiltStore>;
  /** Whether every store could at least be built (so that `builtStores` knows every store). */
  readonly everyStoreBuilt: boolean;
}

/**
 * Goes through the fleet's stores one at a time: those built with `new EdgeStore` first, then those
 * declared with `addStores` in their order, each confirmed by the digest cache or built, rendered
 * and released (by the main thread, or by a worker thread when `parallel` asks for it and it pays).
 * Collects every problem (up to {@link MAX_REPORTED_PROBLEMS}), without throwing them.
 */
function forEachStore(fleet: EdgeFleet, options: ForEachStoreOptions, visit: (outcome: StoreOutcome) => void): StoresFound {
  const problems = fleetWideProblems(fleet);
  const builtStores = new Map<string, BuiltStore>();
  let everyStoreBuilt = true;
  const seen = new Map<string, string>();
  const total = fleet.storeCount;
  let done = 0;
  const full = () => problems.length >= MAX_REPORTED_PROBLEMS;
  const built = (store: BuiltStore | undefined) => {
    if (store) builtStores.set(store.id, { id: store.id, ageRecipient: store.ageRecipient, storeLabels: store.storeLabels });
    else everyStoreBuilt = false;
  };
  const visitOnce = (outcome: StoreOutcome, where: string | undefined) => {
    const id = outcome.kept ? outcome.kept.summary.id : outcome.pass.summary.id;
    if (seen.has(id)) {
      problems.push(`${where ? `${where}: ` : ''}store "${id}" is defined twice${seen.get(id) ? ` (also at ${seen.get(id)})` : ''} (each store needs its own id)`);
      return;
    }
    seen.set(id, where ?? '');
    if (outcome.kept) built(outcome.kept.summary);
    if (problems.length === 0) visit(outcome);
    options.onProgress?.(++done, total);
  };

  for (const store of fleet.node.children.filter((c): c is EdgeStore => EdgeStore.isEdgeStore(c))) {
    if (full()) break;
    built(store);
    try {
      visitOnce({ pass: passStore(store), digest: undefined }, undefined);
    } catch (e) {
      problems.push(...problemsOf(e, undefined));
    }
  }

  const declarations = fleet.declaredStores;
  const byDigest = options.cache ? digestIndex(options.cache) : new Map<string, CachedStore>();
  const digests = declarations.map((d) => (options.digest !== undefined ? storeDigest(options.digest, d.inputs) : undefined));
  const kept = digests.map((digest) => (digest !== undefined ? confirmUnchanged(byDigest.get(digest), options.update!) : undefined));
  const toRender = declarations.map((_, i) => i).filter((i) => kept[i] === undefined);
  const workers = options.parallel && options.digest !== undefined && toRender.length >= 2 * MIN_STORES_PER_WORKER
    ? startWorkers(fleet, toRender, options.digest, options.parallel)
    : undefined;
  try {
    for (let index = 0; index < declarations.length && !full(); index++) {
      const declaration = declarations[index];
      const keptOutcome = kept[index];
      if (keptOutcome) {
        visitOnce(keptOutcome, declaration.where);
        continue;
      }
      const fromWorker = workers?.renders(index) ? workers.result(index) : undefined;
      if (fromWorker) {
        built(fromWorker.built);
        if (fromWorker.digest !== digests[index]) throw new Error(`a synth worker thread rendered store #${index} from other inputs than the main thread's`);
        if (fromWorker.problems) {
          problems.push(...fromWorker.problems);
        } else {
          const pass = { files: new Map(fromWorker.files ?? []), summary: fromWorker.summary!, inputFiles: fromWorker.inputFiles ?? [] };
          visitOnce({ pass, written: fromWorker.written, digest: digests[index] }, declaration.where);
        }
        continue;
      }
      try {
        visitOnce({ pass: buildAndPass(fleet, declaration, built), digest: digests[index] }, declaration.where);
      } catch (e) {
        problems.push(...problemsOf(e, declaration.where));
      }
    }
    if (problems.length > 0) workers?.stop(true);
  } catch (e) {
    workers?.stop(true);
    throw e;
  } finally {
    workers?.stop();
  }
  const shown = problems.slice(0, MAX_REPORTED_PROBLEMS);
  return {
    threads: 1 + (workers?.used ?? 0),
    problems: full() ? [...shown, `(synth stopped looking after ${MAX_REPORTED_PROBLEMS} problems: fix these and run it again)`] : shown,
    builtStores,
    everyStoreBuilt,
  };
}

/**
 * The fleet-wide checks that need every store: the age keys ({@link checkStoreKeys}), and the
 * references of fleet-wide constructs to stores (see `IRefersToStores`), when every store was built.
 */
function checkAcrossStores(fleet: EdgeFleet, found: StoresFound, writeTo?: string): { problems: string[]; sopsConfigWritten: boolean } {
  const keys = checkStoreKeys(fleet, found, writeTo);
  const stores = [...found.builtStores.values()];
  const references = found.everyStoreBuilt ? fleet.node.children.filter(refersToStores).flatMap((c) => c.referenceProblems(stores)) : [];
  return { problems: [...keys.problems, ...references], sopsConfigWritten: keys.sopsConfigWritten };
}

/**
 * The age-key checks that need every store (no two stores share an age key), and the
 * repository's `.sops.yaml` (when `writeTo` is given and every store could be built): written even
 * when synth then stops, so that `sops updatekeys` finds a changed store key's rules.
 */
function checkStoreKeys(fleet: EdgeFleet, found: StoresFound, writeTo?: string): { problems: string[]; sopsConfigWritten: boolean } {
  if (!fleet.secrets) return { problems: [], sopsConfigWritten: false };
  const keyed = [...found.builtStores.values()].filter((s) => s.ageRecipient !== undefined).sort((a, b) => compareStrings(a.id, b.id));
  const problems = sharedKeyProblems(fleet.secrets, keyed);
  // A rule with another store's key would have the next `sops updatekeys` make a store's secrets readable by that store.
  const sopsConfigWritten = writeTo !== undefined && found.everyStoreBuilt && problems.length === 0 ? writeSopsConfig(fleet, writeTo, keyed) : false;
  return { problems, sopsConfigWritten };
}

/** Throws the problems found, if any. */
function throwProblems(problems: string[]): void {
  if (problems.length > 0) throw new FleetValidationError(problems);
}

/** Starts worker threads for all but the first share of `toRender`, which the main thread renders. */
function startWorkers(fleet: EdgeFleet, toRender: number[], digest: string, parallel: ParallelOptions): StoreWorkers | undefined {
  const inputs = fleetInputsDigest(fleet).digest;
  if (inputs === undefined || parallel.threads < 2) return undefined;
  return StoreWorkers.start(toRender, parallel.threads, {
    fleetModule: path.resolve(parallel.fleetModule),
    fleetInputs: inputs,
    declarations: fleet.declaredStores.length,
    storeDigestBase: digest,
    outdir: path.resolve(parallel.outdir),
    existingStores: parallel.existingStores,
    recordOutput: parallel.recordOutput,
  });
}

/** Problems of the fleet itself and of its fleet-wide constructs (not of any store). */
function fleetWideProblems(fleet: EdgeFleet): string[] {
  const problems = fleet.node.validate();
  for (const child of fleet.node.children) {
    if (!(EdgeStore.isEdgeStore(child))) problems.push(...validateFleet(child));
  }
  return problems;
}

/** The cached stores by digest (those whose digest is unique: two declarations with the same inputs are rendered). */
function digestIndex(cache: DigestCache): Map<string, CachedStore> {
  const index = new Map<string, CachedStore>();
  const repeated = new Set<string>();
  for (const id of cache.storeIds) {
    const entry = cache.store(id)!;
    if (entry.digest === null) continue;
    if (index.has(entry.digest)) repeated.add(entry.digest);
    index.set(entry.digest, entry);
  }
  repeated.forEach((d) => index.delete(d));
  return index;
}

/**
 * A cached store whose files are as the last synth left them (their sizes and times say so, or, in
 * a fresh clone or after a checkout, their contents do), and whose input files (see `IReadsFiles`)
 * have the content they had then.
 */
function confirmUnchanged(entry: CachedStore | undefined, update: TreeUpdate): StoreOutcome | undefined {
  if (entry === undefined || (entry.inputFiles ?? []).some(([file, digest]) => fileDigest(file) !== digest)) return undefined;
  if (update.isIntact(entry.output)) {
    update.keep(entry.output);
    return { kept: entry, restated: false };
  }
  if (!update.hasRecordedContent(entry.output, storeRoots(entry.summary.id))) return undefined;
  update.keep(entry.output);
  return { kept: { ...entry, output: update.restat(entry.output) }, restated: true };
}

/**
 * The stores that already had files and whose files the plan changes or deletes, with their rings
 * (from this synth, or for a removed store from the cache) and whether they are being removed.
 * New stores run nothing yet, so adding them is never a wide change.
 */
function changedStores(plan: { writes: string[]; deletes: string[] }, existing: Set<string>, stores: Map<string, CachedStore>, cache: DigestCache | undefined): ChangedStore[] {
  const ids = new Set([...plan.writes, ...plan.deletes].map(storeOfFile).filter((id): id is string => id !== undefined && existing.has(id)));
  return [...ids].sort(compareStrings).map((id) => {
    const summary = stores.get(id)?.summary;
    return summary ? { id, ring: summary.ring } : { id, ring: cache?.store(id)?.summary.ring, removed: true };
  });
}

function writeError(e: any, outdir: string): Error {
  if (e instanceof BlastRadiusError || typeof e?.code !== 'string') return e;
  return new OutputWriteError(`cannot write ${e.path ?? outdir} (${e.code}); ${outdir}/ may be partly updated: fix the cause and run synth again`);
}
