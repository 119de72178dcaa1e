import * as path from 'path';
import { KeptStore, confirmUnchanged, digestIndex } from './cached-stores';
import { CachedStore, DigestCache } from './digest-cache';
import { fleetInputsDigest, storeDigest } from './fleet-digest';
import { validateFleet } from './late-problems';
import { BuiltStore, StorePass, buildAndPass, passStore, problemsOf } from './store-pass';
import { MIN_STORES_PER_WORKER, StoreWorkers } from './store-workers';
import { FileRecord, TreeUpdate } from './tree-update';
import { IEdgeFleet, IEdgeStore, isEdgeStore } from '../model/contract';

/** Most problems one synth reports; it stops looking further once it has found that many. */
export const MAX_REPORTED_PROBLEMS = 50;

/** One store of the fleet, confirmed unchanged by the digest cache (`kept`) or rendered (`pass`). */
export type StoreOutcome =
  KeptStore | { readonly kept?: undefined; readonly pass: StorePass; readonly digest: string | undefined; readonly written?: FileRecord[] };

interface ForEachStoreOptions {
  readonly digest?: string;
  readonly cache?: DigestCache;
  readonly update?: TreeUpdate;
  readonly onProgress?: (done: number, total: number) => void;
  readonly parallel?: ParallelOptions;
}

/** How to render on several threads. */
export interface ParallelOptions {
  readonly fleetModule: string;
  readonly threads: number;
  readonly outdir: string;
  readonly existingStores: string[];
  readonly recordOutput: boolean;
}

/** What going through the stores found besides their outcomes. */
export interface StoresFound {
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
export function forEachStore(fleet: IEdgeFleet, options: ForEachStoreOptions, visit: (outcome: StoreOutcome) => void): StoresFound {
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
      problems.push(
        `${where ? `${where}: ` : ''}store "${id}" is defined twice${seen.get(id) ? ` (also at ${seen.get(id)})` : ''} (each store needs its own id)`,
      );
      return;
    }
    seen.set(id, where ?? '');
    if (outcome.kept) built(outcome.kept.summary);
    if (problems.length === 0) visit(outcome);
    options.onProgress?.(++done, total);
  };

  for (const store of fleet.node.children.filter((c): c is IEdgeStore => isEdgeStore(c))) {
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
  const workers =
    options.parallel && options.digest !== undefined && toRender.length >= 2 * MIN_STORES_PER_WORKER
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
        if (fromWorker.digest !== digests[index]) {
          throw new Error(`a synth worker thread rendered store #${index} from other inputs than the main thread's`);
        }
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

/** Starts worker threads for all but the first share of `toRender`, which the main thread renders. */
function startWorkers(fleet: IEdgeFleet, toRender: number[], digest: string, parallel: ParallelOptions): StoreWorkers | undefined {
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
function fleetWideProblems(fleet: IEdgeFleet): string[] {
  const problems = fleet.node.validate();
  for (const child of fleet.node.children) {
    if (!isEdgeStore(child)) problems.push(...validateFleet(child));
  }
  return problems;
}
