import { ReportSection, ReportTable, cellText, reportFigures, reservationSections, storeSection, summarySections } from './report-figures';
import { FleetReport } from './report-model';

/** Text safe in Markdown, also inside a table cell: one line, no raw HTML, no column break. */
function escapeMarkdown(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/[\\|]/g, '\\$&').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function markdownTable(table: ReportTable): string[] {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(table.columns.map((c) => escapeMarkdown(c.title))),
    `|${table.columns.map((c) => (c.numeric ? '---:' : '---')).join('|')}|`,
    ...table.rows.map((row) => line(row.map((cell) => escapeMarkdown(cellText(cell))))),
    '',
  ];
}

function markdownSection(section: ReportSection): string[] {
  const table = section.table ? markdownTable(section.table) : [];
  return [
    `${'#'.repeat(section.depth)} ${escapeMarkdown(section.title)}`,
    '',
    ...section.paragraphs.flatMap((p) => [escapeMarkdown(p), '']),
    ...(section.folded ? [`<details><summary>${escapeMarkdown(section.folded)}</summary>`, '', ...table, '</details>', ''] : table),
  ];
}

/**
 * The fleet report as Markdown (dist/REPORT.md), for review in a pull request: fleet totals, how the
 * stores sync (suspended stores named) and what the Flux stores download, the most loaded stores, waivers, warnings by kind, each
 * distinct reservation breakdown once, then one table row per store, folded. The same report gives the same bytes, whatever the order of its stores.
 */
export function renderReportMarkdown(report: FleetReport): string {
  const figures = reportFigures(report);
  const sections = [...summarySections(figures), ...reservationSections(figures), storeSection(figures)];
  return ['# edgefleet fleet report', '', ...sections.flatMap(markdownSection)].join('\n');
}
