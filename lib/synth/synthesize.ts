import { FleetValidationError, validateFleet } from './validate-fleet';
import * as fs from 'fs';
import * as path from 'path';
import { OutputWriteError } from '../errors/edgefleet-error';
import type { EdgeFleet } from '../fleet/edge-fleet';
import { checkStore } from './check-store';
import { renderStoreWithObjects } from '../output/render-store';
import { ReportWaiver, ReportWarning, StoreReport } from '../report/report-model';
import { renderReportHtml } from '../report/render-report-html';
import { renderReportMarkdown } from '../report/render-report-markdown';
import { TreePlan, WriteTreeResult, applyTreePlan, planTree } from '../output/tree-writer';
import { BlastRadiusError, ChangedStore, checkBlastRadius, storeOfFile } from '../releases/blast-radius';
import { FLUX_BOOTSTRAP_FILES } from '../sync/flux-store-sync';
import { renderRancherFleet } from '../sync/rancher-fleet-manager';
import { writeSopsConfig } from '../secrets/sops-config';

/** The fleet report, at the top of dist/. */
export const REPORT_FILES = { markdown: 'REPORT.md', html: 'report.html' };

/** Top-level folders of dist/ that synth owns. */
export const OWNED_FOLDERS = ['stores', 'clusters', 'fleet'];

/** Options of {@link synthesize}. */
export interface SynthesizeOptions {
  /** Output folder. @default - the fleet's `outdir` (`dist`, or `$CDK8S_OUTDIR`) */
  readonly outdir?: string;
  /** Called after each store is rendered, e.g. to show progress on a long run. @default - nothing */
  readonly onProgress?: (rendered: number, total: number) => void;
  /** Write even when the change touches more stores than the fleet's blast-radius guard allows. @default false */
  readonly allowWideChange?: boolean;
}

/** What {@link synthesize} did. */
export interface SynthesizeResult extends WriteTreeResult {
  /** Number of stores synthesized. */
  readonly stores: number;
  /** Number of files generated (written or already up to date). */
  readonly files: number;
  /** Whether the fleet's `.sops.yaml`, at the root of the repository, was written (see `writeSopsConfig`). */
  readonly sopsConfigWritten: boolean;
}

/**
 * Validates the fleet, renders every store in memory, then brings dist/ up to date. Nothing is
 * written unless the whole fleet validated and rendered, so a failed synth leaves dist/ as it was.
 * Only the repository's `.sops.yaml`, made from the fleet's keys alone, is brought up to date first.
 */
export function synthesize(fleet: EdgeFleet, options: SynthesizeOptions = {}): SynthesizeResult {
  const outdir = options.outdir ?? fleet.outdir;
  // Before rendering: when a changed store key stops synth, `sops updatekeys` must already find the new rules.
  const sopsConfigWritten = writeSopsConfig(fleet, outdir);
  const files = renderFleet(fleet, options.onProgress);
  const treeOptions = { outdir, ownedFolders: OWNED_FOLDERS, isPlaceholder: isBootstrapFile };
  let result: WriteTreeResult;
  try {
    const plan = planTree(files, treeOptions);
    if (!options.allowWideChange) checkBlastRadius(changedStores(fleet, plan, outdir), fleet.rings, fleet.maxStoresChangedOutsideFirstRing);
    result = applyTreePlan(plan, files, treeOptions);
  } catch (e: any) {
    if (e instanceof BlastRadiusError) throw e;
    if (typeof e?.code !== 'string') throw e;
    throw new OutputWriteError(`cannot write ${e.path ?? outdir} (${e.code}); ${outdir}/ may be partly updated: fix the cause and run synth again`);
  }
  return { ...result, stores: fleet.stores.length, files: files.size, sopsConfigWritten };
}

/**
 * The existing stores whose files a plan changes or deletes, with their rings (unknown for stores
 * no longer in the fleet). New stores run nothing yet, so adding them is never a wide change.
 */
function changedStores(fleet: EdgeFleet, plan: TreePlan, outdir: string): ChangedStore[] {
  const rings = new Map(fleet.stores.map((s) => [s.id, s.ring]));
  const ids = new Set([...plan.writes, ...plan.deletes].map(storeOfFile).filter((id): id is string => id !== undefined));
  return [...ids].filter((id) => fs.existsSync(path.join(outdir, 'stores', id))).sort().map((id) => ({ id, ring: rings.get(id) }));
}

/** Validates the fleet and renders all its files in memory, as paths relative to dist/. */
export function renderFleet(fleet: EdgeFleet, onProgress?: (rendered: number, total: number) => void): Map<string, string> {
  const problems = validateFleet(fleet);
  if (problems.length > 0) throw new FleetValidationError(problems);
  const stores = fleet.stores;
  const files = new Map<string, string>();
  const storeProblems: string[] = [];
  const report: { stores: StoreReport[]; waivers: ReportWaiver[]; warnings: ReportWarning[] } = { stores: [], waivers: [], warnings: [] };
  stores.forEach((store, i) => {
    const rendered = renderStoreWithObjects(store);
    for (const [file, content] of rendered.files) files.set(file, content);
    const check = checkStore(store, rendered.objects);
    storeProblems.push(...check.problems);
    report.stores.push(check.plan);
    report.waivers.push(...check.waivers);
    report.warnings.push(...check.warnings);
    if (check.images.length > 0) files.set(`stores/${store.id}/images.txt`, `${check.images.join('\n')}\n`);
    onProgress?.(i + 1, stores.length);
  });
  if (storeProblems.length > 0) throw new FleetValidationError(storeProblems);
  for (const [file, content] of renderRancherFleet(fleet, stores)) files.set(file, content);
  files.set(REPORT_FILES.markdown, renderReportMarkdown(report));
  files.set(REPORT_FILES.html, renderReportHtml(report));
  return files;
}

/** Whether a file of dist/ is one that `flux bootstrap` fills in, which synth only creates empty. */
export function isBootstrapFile(relativePath: string): boolean {
  const [tree, , ...rest] = relativePath.split('/');
  return tree === 'clusters' && FLUX_BOOTSTRAP_FILES.includes(rest.join('/'));
}
