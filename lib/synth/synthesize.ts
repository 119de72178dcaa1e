import { checkAcrossStores, throwProblems } from './checks-across-stores';
import { renderFleetFiles } from './fleet-files';
import { forEachStore } from './for-each-store';
import { StoreSummary } from './store-pass';
import { SynthRun } from './synth-run';
import type { SynthesizeOptions } from './synthesize-options';
import { WriteTreeResult } from './tree-update';
import { OutputWriteError } from '../errors/edgefleet-error';
import { IEdgeFleet } from '../model/contract';
import { BlastRadiusError } from '../releases/blast-radius';
import { compareStrings } from '../util/compare-strings';

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
 * Every problem found (up to 50) is reported together, each naming its
 * store; nothing is written unless the whole fleet is valid and the blast-radius guard allows the
 * change, so a failed synth leaves `outdir` as it was.
 */
export function synthesize(fleet: IEdgeFleet, options: SynthesizeOptions = {}): SynthesizeResult {
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

/**
 * Validates the fleet and renders all its files in memory, as paths relative to dist/ in sorted
 * order: for tests and tools that want the whole tree at once (synth itself never holds it).
 */
export function renderFleet(fleet: IEdgeFleet, onProgress?: (rendered: number, total: number) => void): Map<string, string> {
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

function writeError(e: any, outdir: string): Error {
  if (e instanceof BlastRadiusError || typeof e?.code !== 'string') return e;
  return new OutputWriteError(`cannot write ${e.path ?? outdir} (${e.code}); ${outdir}/ may be partly updated: fix the cause and run synth again`);
}
