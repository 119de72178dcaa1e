import { FleetValidationError, validateFleet } from './validate-fleet';
import { OutputWriteError } from '../errors/edgefleet-error';
import type { EdgeFleet } from '../fleet/edge-fleet';
import { renderStore } from '../output/render-store';
import { WriteTreeResult, writeTree } from '../output/tree-writer';
import { FLUX_BOOTSTRAP_FILES } from '../sync/flux-store-sync';
import { renderRancherFleet } from '../sync/rancher-fleet-manager';

/** Top-level folders of dist/ that synth owns. */
export const OWNED_FOLDERS = ['stores', 'clusters', 'fleet'];

/** Options of {@link synthesize}. */
export interface SynthesizeOptions {
  /** Output folder. @default - the fleet's `outdir` (`dist`, or `$CDK8S_OUTDIR`) */
  readonly outdir?: string;
  /** Called after each store is rendered, e.g. to show progress on a long run. @default - nothing */
  readonly onProgress?: (rendered: number, total: number) => void;
}

/** What {@link synthesize} did. */
export interface SynthesizeResult extends WriteTreeResult {
  /** Number of stores synthesized. */
  readonly stores: number;
  /** Number of files generated (written or already up to date). */
  readonly files: number;
}

/**
 * Validates the fleet, renders every store in memory, then brings dist/ up to date. Nothing is
 * written unless the whole fleet validated and rendered, so a failed synth leaves dist/ as it was.
 */
export function synthesize(fleet: EdgeFleet, options: SynthesizeOptions = {}): SynthesizeResult {
  const files = renderFleet(fleet, options.onProgress);
  const outdir = options.outdir ?? fleet.outdir;
  let result: WriteTreeResult;
  try {
    result = writeTree(files, { outdir, ownedFolders: OWNED_FOLDERS, isPlaceholder: isBootstrapFile });
  } catch (e: any) {
    if (typeof e?.code !== 'string') throw e;
    throw new OutputWriteError(`cannot write ${e.path ?? outdir} (${e.code}); ${outdir}/ may be partly updated: fix the cause and run synth again`);
  }
  return { ...result, stores: fleet.stores.length, files: files.size };
}

/** Validates the fleet and renders all its files in memory, as paths relative to dist/. */
export function renderFleet(fleet: EdgeFleet, onProgress?: (rendered: number, total: number) => void): Map<string, string> {
  const problems = validateFleet(fleet);
  if (problems.length > 0) throw new FleetValidationError(problems);
  const stores = fleet.stores;
  const files = new Map<string, string>();
  stores.forEach((store, i) => {
    for (const [file, content] of renderStore(store)) files.set(file, content);
    onProgress?.(i + 1, stores.length);
  });
  for (const [file, content] of renderRancherFleet(fleet, stores)) files.set(file, content);
  return files;
}

/** Whether a file of dist/ is one that `flux bootstrap` fills in, which synth only creates empty. */
export function isBootstrapFile(relativePath: string): boolean {
  const [tree, , ...rest] = relativePath.split('/');
  return tree === 'clusters' && FLUX_BOOTSTRAP_FILES.includes(rest.join('/'));
}
