import { renderRancherFleet } from './render-rancher-fleet';
import { StoreSummary } from './store-pass';
import { IEdgeFleet } from '../model/contract';
import { REPORT_FILES } from '../model/dist-layout';
import { renderReportHtml } from '../report/render-report-html';
import { renderReportMarkdown } from '../report/render-report-markdown';
import { sumOfSizes, treeSize } from '../report/tree-sizes';

/** The files made from every store's summary: `dist/fleet/` and the report. */
export function renderFleetFiles(fleet: IEdgeFleet, summaries: StoreSummary[]): Map<string, string> {
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
