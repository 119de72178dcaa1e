import * as os from 'os';
import { checkAcrossStores, throwProblems } from './checks-across-stores';
import { CachedStore, DigestCache } from './digest-cache';
import { FleetDigest, dataDigest, fileDigest, fleetDigest } from './fleet-digest';
import { renderFleetFiles } from './fleet-files';
import { StoreOutcome, forEachStore } from './for-each-store';
import { statefulMoves } from './stateful-moves';
import type { SynthesizeOptions } from './synthesize-options';
import { OutputRecord, TreeUpdate } from './tree-update';
import { IEdgeFleet } from '../model/contract';
import { FLEET_FOLDER, OWNED_FOLDERS, STORE_TREES, isBootstrapFile, storeOfFile, storeRoots } from '../model/dist-layout';
import { ChangedStore, checkBlastRadius, checkNotAnotherFleetsTree } from '../releases/blast-radius';
import { compareStrings } from '../util/compare-strings';

/** What a VM's move to another namespace starts beside the old one. */
const SECOND_VM = 'a second VM, with the same firmware identity and MAC address, on empty disks';

/** One synth's state: what it found of each store, and the update of outdir it is preparing. */
export class SynthRun {
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
  private readonly statefulMoveProblems: string[] = [];

  constructor(
    private readonly fleet: IEdgeFleet,
    private readonly options: SynthesizeOptions,
  ) {
    this.outdir = options.outdir ?? fleet.outdir;
    this.digest = options.cacheDir !== undefined || options.fleetModule !== undefined ? fleetDigest(fleet) : { reason: 'no cache folder given' };
    this.cache = options.cacheDir !== undefined && this.digest.digest !== undefined ? DigestCache.open(options.cacheDir, this.outdir) : undefined;
    this.update = new TreeUpdate({
      outdir: this.outdir,
      ownedFolders: OWNED_FOLDERS,
      isPlaceholder: isBootstrapFile,
      recordOutput: this.cache !== undefined,
    });
    this.existingStores = new Set([...this.update.foldersIn('stores'), ...this.update.foldersIn('clusters')]);
  }

  /** Goes through the stores, confirming, comparing or writing each one's files. */
  public goThroughStores(): void {
    const { fleetModule, threads } = this.options;
    const parallel =
      fleetModule !== undefined
        ? {
            fleetModule,
            threads: threads ?? os.availableParallelism(),
            outdir: this.outdir,
            existingStores: [...this.existingStores],
            recordOutput: this.cache !== undefined,
          }
        : undefined;
    const options = { digest: this.digest.digest, cache: this.cache, update: this.update, onProgress: this.options.onProgress, parallel };
    const found = forEachStore(this.fleet, options, (outcome) => this.visit(outcome));
    this.threads = found.threads;
    const keys = checkAcrossStores(this.fleet, found, this.outdir);
    this.sopsConfigWritten = keys.sopsConfigWritten;
    throwProblems([...keys.problems, ...found.problems, ...this.statefulMoveProblems]);
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
    this.update.update([FLEET_FOLDER], this.fleetFiles, intact ? cached.output : undefined);
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
    checkBlastRadius(
      changedStores(this.update.plan(), this.existingStores, this.stores, this.cache),
      this.fleet.rings,
      this.fleet.maxStoresChangedOutsideFirstRing,
    );
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
    const fleetRecord = this.fleetFiles ? this.update.record([FLEET_FOLDER], [...this.fleetFiles.keys()]) : this.fleetFilesRecord;
    this.cache.save(records, fleetRecord && { digest: this.fleetFilesDigest!, output: fleetRecord });
  }

  /** Refuses the store's change when it moves a stateful object to another namespace, unless the fleet declares the move. */
  private refuseStatefulMoves(id: string, changed: string[], files: Map<string, string>): void {
    for (const move of statefulMoves(this.outdir, changed, files, this.fleet.statefulNamespaceMove)) {
      const beside = move.kind === 'VirtualMachine' ? `starts ${SECOND_VM}` : 'creates a new, empty one';
      this.statefulMoveProblems.push(
        `store "${id}": ${move.kind} "${move.name}" moves from namespace "${move.from}" to "${move.to}": Flux keeps the old one, ` +
          `prune-protected, running on its data, and ${beside} in "${move.to}". Keep the namespace "${move.from}", or stop the old VM, ` +
          `migrate its data, then declare the move with EdgeFleet statefulNamespaceMove: { from: '${move.from}', to: '${move.to}', reason } ` +
          '(docs/tour.md, "Moving a stateful workload")',
      );
    }
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
      const changed = this.update.update(roots, pass.files, previous && this.update.isIntact(previous.output) ? previous.output : undefined);
      this.refuseStatefulMoves(id, changed, pass.files);
    }
    const inputFiles = pass.inputFiles.map((file): [string, string | null] => [file, fileDigest(file)]);
    this.stores.set(id, {
      digest: digest ?? null,
      summary: pass.summary,
      summaryDigest: dataDigest(pass.summary),
      output: { files: [], folders: [] },
      inputFiles,
    });
    this.rendered.set(id, written ? written.map(([file]) => file) : [...pass.files.keys()]);
    this.cacheChanged = true;
  }
}

/**
 * The stores that already had files and whose files the plan changes or deletes, with their rings
 * (from this synth, or for a removed store from the cache) and whether they are being removed.
 * New stores run nothing yet, so adding them is never a wide change.
 */
function changedStores(
  plan: { writes: string[]; deletes: string[] },
  existing: Set<string>,
  stores: Map<string, CachedStore>,
  cache: DigestCache | undefined,
): ChangedStore[] {
  const ids = new Set([...plan.writes, ...plan.deletes].map(storeOfFile).filter((id): id is string => id !== undefined && existing.has(id)));
  return [...ids].sort(compareStrings).map((id) => {
    const summary = stores.get(id)?.summary;
    return summary ? { id, ring: summary.ring } : { id, ring: cache?.store(id)?.summary.ring, removed: true };
  });
}
