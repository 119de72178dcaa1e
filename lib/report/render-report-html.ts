import {
  Cell,
  Level,
  ReportFigures,
  ReportSection,
  ReportTable,
  StoreFigures,
  cellText,
  formatCores,
  formatGiB,
  formatNumber,
  formatPercent,
  levelOf,
  reportFigures,
  reservationSections,
  storeSection,
  summarySections,
} from './report-figures';
import { FleetReport } from './report-model';
import { StorePlan } from '../planner/store-plan';

/** The store id, and `(suspended)` when its sync is. */
function storeName(s: StoreFigures): string {
  return s.plan.sync.autoSync ? s.plan.store : `${s.plan.store} (suspended)`;
}

/** How a store is named beside its bars: suspended stores stand out. */
function storeLabel(s: StoreFigures): string {
  return `<span${s.plan.sync.autoSync ? '' : ' class="a"'}>${escapeHtml(storeName(s))}</span>`;
}

/** Above this many stores, the bars become a dense grid of thin columns, one per store. */
const DENSE_ABOVE = 500;

/** Stores per line of the dense grid; each line is labelled with its first store id. */
const DENSE_LINE = 100;

/** The CSS class of each level. */
const LEVEL_CLASS: Record<Level, string> = { green: 'g', amber: 'a', red: 'r' };

/** A resource that the bars show: its name, a store's utilization of it, and the figures behind it. */
interface BarResource {
  readonly name: string;
  readonly utilization: (s: StoreFigures) => number;
  readonly figures: (p: StorePlan) => string;
}

/** Memory first: it is what a store runs out of first. */
const BAR_RESOURCES: BarResource[] = [
  {
    name: 'memory',
    utilization: (s) => s.memory,
    figures: (p) => `${formatGiB(p.requested.memoryBytes)} / ${formatGiB(p.allocatable.memoryBytes)} GiB`,
  },
  { name: 'CPU', utilization: (s) => s.cpu, figures: (p) => `${formatCores(p.requested.cpuMillis)} / ${formatCores(p.allocatable.cpuMillis)} cores` },
];

/** Fill height of each tenth of utilization in the dense grid (h10: 100% and more). */
const HEIGHT_CSS = Array.from({ length: 11 }, (_, k) => `.h${k}{--h:${Math.min(100, k * 10 + 5)}%}`).join('');

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#212529}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0}\
th,td{padding:2px 8px;border-bottom:1px solid #dee2e6;text-align:left;vertical-align:top}td:first-child{white-space:nowrap}
.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.g{--c:#2f9e44;--t:#ebfbee}.a{--c:#f59f00;--t:#fff3d6}.r{--c:#e03131;--t:#ffe3e3}
td.g,td.a,td.r{background:var(--t)}
.legend i{display:inline-block;width:12px;height:12px;background:var(--c);margin:0 4px 0 12px;vertical-align:-1px}
.bars{display:grid;grid-template-columns:max-content repeat(2,minmax(60px,1fr) max-content);gap:2px 8px;max-width:1200px;align-items:center}
.bars b{font-weight:600}.bars span.a{background:var(--t)}.bar{position:relative;background:#e9ecef;height:14px}
.bar i{position:absolute;left:0;top:0;bottom:0;background:var(--c)}
.bars small{font-size:12px;white-space:nowrap;font-variant-numeric:tabular-nums;color:#495057}
.grids{display:flex;flex-wrap:wrap;gap:8px 32px}.grid div{display:flex;height:12px;margin-bottom:1px}
.grid b{font:10px/12px ui-monospace,monospace;font-weight:400;width:9em;color:#495057}
.grid i{width:4px;margin-right:1px;background:linear-gradient(to top,var(--c) var(--h),#e9ecef 0)}
${HEIGHT_CSS}`;

/** Text safe in HTML content and in quoted attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function classAttribute(classes: string[]): string {
  return classes.length ? ` class="${classes.join(' ')}"` : '';
}

function htmlTable(table: ReportTable): string {
  const numeric = table.columns.map((c) => (c.numeric ? ['n'] : []));
  const cell = (c: Cell, i: number) =>
    `<td${classAttribute([...numeric[i], ...(typeof c === 'string' ? [] : [LEVEL_CLASS[c.level]])])}>${escapeHtml(cellText(c))}`;
  return `<table><thead><tr>${table.columns.map((c, i) => `<th${classAttribute(numeric[i])}>${escapeHtml(c.title)}</th>`).join('')}</tr></thead>
<tbody>
${table.rows.map((row) => `<tr>${row.map(cell).join('')}\n`).join('')}</tbody></table>\n`;
}

function htmlSection(section: ReportSection): string {
  const table = section.table ? htmlTable(section.table) : '';
  const heading = `<h${section.depth}>${escapeHtml(section.title)}</h${section.depth}>\n`;
  const paragraphs = section.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>\n`).join('');
  return `${heading}${paragraphs}${section.folded ? `<details><summary>${escapeHtml(section.folded)}</summary>\n${table}</details>\n` : table}`;
}

/**
 * Per store, a bar for each resource, its width the utilization, and its figures in a column of
 * their own beside it: a label never runs over a bar, whatever the width of the page.
 */
function detailedBars(stores: StoreFigures[]): string {
  const bar = (s: StoreFigures, r: BarResource) => {
    const u = r.utilization(s);
    const width = formatNumber(Math.min(1, u) * 100, 1);
    const figures = escapeHtml(`${r.figures(s.plan)} · ${formatPercent(u)}`);
    return `<div class="bar ${LEVEL_CLASS[levelOf(u)]}"><i style="width:${width}%"></i></div><small>${figures}</small>`;
  };
  return `<div class="bars"><b>store</b>${BAR_RESOURCES.map((r) => `<b>${r.name}</b><b></b>`).join('')}\n${stores
    .map((s) => `${storeLabel(s)}${BAR_RESOURCES.map((r) => bar(s, r)).join('')}\n`)
    .join('')}</div>\n`;
}

/** Per resource, a grid of thin columns, one per store, its fill height and color the utilization. */
function denseBars(stores: StoreFigures[]): string {
  const column = (s: StoreFigures, r: BarResource) => {
    const u = r.utilization(s);
    const tenth = Number.isFinite(u) ? Math.min(10, Math.floor(u * 10)) : 10;
    const title = escapeHtml(`${storeName(s)}: ${r.name} ${r.figures(s.plan)}, ${formatPercent(u)}`);
    return `<i class="${LEVEL_CLASS[levelOf(u)]} h${tenth}" title="${title}"></i>`;
  };
  const lines = Array.from({ length: Math.ceil(stores.length / DENSE_LINE) }, (_, i) => stores.slice(i * DENSE_LINE, (i + 1) * DENSE_LINE));
  const grid = (r: BarResource) =>
    `<div class="grid"><h3>${r.name}</h3>\n${lines
      .map((line) => `<div><b>${escapeHtml(line[0].plan.store)}</b>${line.map((s) => column(s, r)).join('')}</div>\n`)
      .join('')}</div>\n`;
  return `<p>One column per store, ${DENSE_LINE} per line, by store id; its height and color show the utilization. \
Hover a column for its store and figures.</p>
<div class="grids">\n${BAR_RESOURCES.map(grid).join('')}</div>\n`;
}

function barsSection(f: ReportFigures): string {
  return `<h2>Utilization by store</h2>
<p class="legend">Requested / allocatable:<i class="g"></i>below 70%<i class="a"></i>70% to 90%<i class="r"></i>90% or more</p>
${f.stores.length > DENSE_ABOVE ? denseBars(f.stores) : detailedBars(f.stores)}`;
}

/**
 * The fleet report as one static HTML page (dist/report.html), without scripts or external assets:
 * the summary of the Markdown report, a bar per store for memory and CPU utilization with its figures
 * beside it and suspended stores marked (a dense grid beyond 500 stores), the reservation models, and the store table, folded. The same report gives
 * the same bytes, whatever the order of its stores.
 */
export function renderReportHtml(report: FleetReport): string {
  const figures = reportFigures(report);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edgefleet fleet report</title>
<style>
${CSS}
</style>
</head>
<body>
<h1>edgefleet fleet report</h1>
${summarySections(figures).map(htmlSection).join('')}${barsSection(figures)}${reservationSections(figures)
    .map(htmlSection)
    .join('')}${htmlSection(storeSection(figures))}</body>
</html>
`;
}
