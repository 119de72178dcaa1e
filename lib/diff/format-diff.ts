import { ChangeGroup, GroupLine, groupChanges } from './change-groups';
import { DistDiff, StoreDiff } from './dist-diff';
import { DownloadGroup, ImageDownloads, ImageSizes, formatBytes, imageDownloads } from './image-downloads';
import { compareStrings } from '../util/compare-strings';
import { firstAndMore, plural } from '../util/plural';

/** Labels the summary counts stores by. */
const SUMMARY_LABELS = ['ring', 'region'];

/** Most groups the Markdown comment details, and most stores it names per group, so that it stays readable at fleet scale. */
const MARKDOWN_DETAILED_GROUPS = 50;
const MARKDOWN_NAMED_STORES = 100;

/** Most stores the text's image summary names per group (the changes above list them all). */
const TEXT_NAMED_DOWNLOADERS = 5;

/** Width the text output wraps lists of store ids at. */
const TEXT_WIDTH = 100;

/** Options of {@link formatDiffText} and {@link formatDiffMarkdown}. */
export interface FormatDiffOptions {
  /** Download size of each image, for the summary of new images. @default - sizes unknown */
  readonly imageSizes?: ImageSizes;
}

/** ` [ring early, region eu-west]`: the summary labels among `labels`. */
function labelsText(labels: Record<string, string>): string {
  const shown = SUMMARY_LABELS.filter((l) => labels[l] !== undefined).map((l) => `${l} ${labels[l]}`);
  return shown.length ? ` [${shown.join(', ')}]` : '';
}

/** The labels every one of `stores` has with the same value. */
function commonLabels(stores: StoreDiff[]): Record<string, string> {
  return Object.fromEntries(Object.entries(stores[0].labels).filter(([k, v]) => stores.every((s) => s.labels[k] === v)));
}

function ids(stores: StoreDiff[], max = Infinity): string {
  return firstAndMore(
    stores.map((s) => s.store!),
    max,
  );
}

/** `store-002 [ring general]`, `store-003 (removed) [...]`, `20 stores [ring early]`, or `fleet-wide files`. */
function groupTitle(stores: StoreDiff[], status: StoreDiff['status']): string {
  if (stores[0].store === undefined) return 'fleet-wide files';
  const what = stores.length === 1 ? stores[0].store : `${stores.length} stores`;
  return `${what}${status === 'changed' ? '' : ` (${status})`}${labelsText(commonLabels(stores))}`;
}

/** `items` joined with ", " after `lead`, wrapped before TEXT_WIDTH, continuation lines indented by `indent`. */
function wrapped(lead: string, items: string[], indent: string): string {
  const lines: string[] = [];
  let line = lead;
  for (const item of items) {
    if (line !== lead && line.length + item.length + 2 > TEXT_WIDTH) {
      lines.push(`${line},`);
      line = indent + item;
    } else {
      line = line === lead ? `${line}${item}` : `${line}, ${item}`;
    }
  }
  return [...lines, line].join('\n');
}

/** Text outside code blocks, so that `<store>` shows rather than being taken for an HTML tag. */
function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** How many of `stores` (their labels) have each value of `label`. */
function countBy(stores: Iterable<Record<string, string>>, label: string): Map<string, number> {
  const counted = new Map<string, number>();
  for (const labels of stores) if (labels[label] !== undefined) counted.set(labels[label], (counted.get(labels[label]) ?? 0) + 1);
  return counted;
}

/** `label value: changed of total` counts, for each summary label. */
function counts(diff: DistDiff): Array<{ label: string; rows: Array<[string, number, number]> }> {
  const changed = diff.stores.filter((s) => s.store !== undefined).map((s) => s.labels);
  return SUMMARY_LABELS.map((label) => {
    const totals = countBy(diff.allStores.values(), label);
    const changedBy = countBy(changed, label);
    const values = [...new Set([...totals.keys(), ...changedBy.keys()])].sort(compareStrings);
    return { label, rows: values.map((v): [string, number, number] => [v, changedBy.get(v) ?? 0, totals.get(v) ?? 0]) };
  }).filter((c) => c.rows.length > 0);
}

function summaryLine(diff: DistDiff): string {
  const changedStores = diff.stores.filter((s) => s.store !== undefined).length;
  const parts = counts(diff).map(({ label, rows }) => `by ${label}: ${rows.map(([v, n, total]) => `${v} ${n}/${total}`).join(', ')}`);
  const status = (st: string) => diff.stores.filter((s) => s.status === st).length;
  return (
    `${changedStores} of ${diff.allStores.size} stores changed (${status('added')} added, ${status('removed')} removed; compared with ` +
    `${diff.base.label})${parts.length ? `; ${parts.join('; ')}` : ''}`
  );
}

function imageText(image: string, sizes: ImageSizes): string {
  const size = sizes.get(image);
  return `${image} (${size === undefined ? 'size unknown' : formatBytes(size)})`;
}

/** `20 stores, 1 image, 24.0 GiB in total; size unknown for 1 image (...)`. */
function downloadsHeadline(d: ImageDownloads): string {
  const total = d.unknownSizes.length === d.images.length ? '' : `, ${d.unknownSizes.length ? 'at least ' : ''}${formatBytes(d.totalBytes)} in total`;
  const unknown = d.unknownSizes.length ? `; size unknown for ${plural(d.unknownSizes.length, 'image')} (give sizes with --image-sizes <file>)` : '';
  return `${plural(d.stores, 'store')}, ${plural(d.images.length, 'image')}${total}${unknown}`;
}

function perStore(g: DownloadGroup, sizes: ImageSizes): string {
  const known = g.images.filter((i) => sizes.has(i));
  if (known.length === 0) return 'size unknown';
  return `${known.length < g.images.length ? 'at least ' : ''}${formatBytes(g.bytesPerStore)}${g.stores.length > 1 ? ' each' : ''}`;
}

function imagesSectionText(d: ImageDownloads, sizes: ImageSizes): string[] {
  if (d.stores === 0) return ['New images to download: none.'];
  const lines = [`New images to download: ${downloadsHeadline(d)}`];
  for (const g of d.groups) {
    lines.push(
      `  ${groupTitle(g.stores, 'changed')}${g.stores.length > 1 ? ` (${ids(g.stores, TEXT_NAMED_DOWNLOADERS)})` : ''}: ${perStore(g, sizes)}`,
    );
    lines.push(...g.images.map((i) => `    ${imageText(i, sizes)}`));
  }
  return lines;
}

function warningCount(groups: ChangeGroup[]): { warnings: number; stores: number } {
  const warned = groups.flatMap((g) => g.warnings.map((w) => w.stores ?? g.stores));
  return { warnings: warned.reduce((n, stores) => n + stores.length, 0), stores: new Set(warned.flat()).size };
}

/** A group's lines as text: each line, and under a line that only some of the stores have, which ones. */
function groupLinesText(lines: GroupLine[], indent: string): string[] {
  return lines.flatMap((l) => [
    `${indent}${l.text}`,
    ...(l.stores
      ? [
          wrapped(
            `${indent}    in ${l.stores.length} of the stores: `,
            l.stores.map((s) => s.store!),
            `${indent}      `,
          ),
        ]
      : []),
  ]);
}

/**
 * The diff for a terminal: each group of stores with identical changes once (the stores listed, each
 * store's id in the changes as `<store>`), then the warnings, the images to download and the summary.
 */
export function formatDiffText(diff: DistDiff, options: FormatDiffOptions = {}): string {
  const sizes = options.imageSizes ?? new Map();
  const groups = groupChanges(diff);
  const lines: string[] = [];
  for (const g of groups) {
    const title = groupTitle(g.stores, g.status);
    lines.push(
      g.stores.length > 1
        ? `${wrapped(
            `${title}: `,
            g.stores.map((s) => s.store!),
            '    ',
          )}:`
        : `${title}:`,
    );
    lines.push(...groupLinesText(g.lines, '  '));
  }
  const risk = warningCount(groups);
  if (risk.warnings > 0) {
    lines.push(`!! ${plural(risk.warnings, 'warning')} about stores' data, in ${plural(risk.stores, 'store')}: read the lines marked "!!" above`);
  }
  lines.push(...imagesSectionText(imageDownloads(diff, sizes), sizes));
  lines.push(summaryLine(diff));
  return `${lines.join('\n')}\n`;
}

/**
 * A pull-request comment: warnings first, the summary as tables, the images to download, then each
 * group of identical changes, folded.
 */
export function formatDiffMarkdown(diff: DistDiff, options: FormatDiffOptions = {}): string {
  const sizes = options.imageSizes ?? new Map();
  const groups = groupChanges(diff);
  const changedStores = diff.stores.filter((s) => s.store !== undefined).length;
  const out = [`### edgefleet diff: ${changedStores} of ${diff.allStores.size} stores changed`, '', `Compared with \`${diff.base.label}\`.`, ''];

  const risky = groups.filter((g) => g.warnings.length > 0);
  if (risky.length > 0) {
    out.push('> [!CAUTION]', "> **Stores' data at risk.**");
    for (const g of risky) {
      for (const w of g.warnings) {
        const stores = w.stores ?? g.stores;
        out.push(`> - ${groupTitle(stores, g.status)}${stores.length > 1 ? ` (${ids(stores, MARKDOWN_NAMED_STORES)})` : ''}: ${escapeHtml(w.text)}`);
      }
    }
    out.push('');
  }
  for (const { label, rows } of counts(diff)) {
    out.push(`| ${label} | changed | stores |`, '|---|---:|---:|', ...rows.map(([v, n, total]) => `| ${v} | ${n} | ${total} |`), '');
  }

  const downloads = imageDownloads(diff, sizes);
  if (downloads.stores > 0) {
    out.push(`**New images to download**: ${downloadsHeadline(downloads)}.`, '', '| stores | images | per store |', '|---|---|---:|');
    for (const g of downloads.groups) {
      out.push(
        `| ${g.stores.length > 1 ? `${g.stores.length}: ${ids(g.stores, MARKDOWN_NAMED_STORES)}` : g.stores[0].store} | ` +
          `${g.images.map((i) => `\`${imageText(i, sizes)}\``).join('<br>')} | ${perStore(g, sizes)} |`,
      );
    }
    out.push('');
  }

  for (const g of groups.slice(0, MARKDOWN_DETAILED_GROUPS)) {
    const changes = g.lines.filter((l) => !l.text.startsWith('!! ')).length;
    out.push(`<details><summary>${groupTitle(g.stores, g.status)}: ${plural(changes, 'change')}</summary>`, '');
    if (g.stores.length > 1) out.push(`${ids(g.stores, MARKDOWN_NAMED_STORES)}`, '');
    out.push('```', ...groupLinesText(g.lines, ''), '```', '', '</details>', '');
  }
  if (groups.length > MARKDOWN_DETAILED_GROUPS) {
    out.push(`... and ${groups.length - MARKDOWN_DETAILED_GROUPS} more groups of changes; run \`npx edgefleet diff\` for all of them.`, '');
  }
  return out.join('\n');
}
