import { DistDiff, ObjectChange, StoreDiff } from './dist-diff';
import { showValue } from './object-diff';
import { compareStrings } from '../output/manifest-file';

/** Labels the summary counts stores by. */
const SUMMARY_LABELS = ['ring', 'region'];

/** Most stores the Markdown comment details, so that it stays readable at fleet scale. */
const MARKDOWN_DETAILED_STORES = 50;

function changeLines(prefix: string, c: ObjectChange): string[] {
  if (c.change !== 'changed') return [`${prefix}${c.object}: ${c.change} (${c.file})`];
  return c.fields.map((f) => `${prefix}${c.object} ${f.path}: ${showValue(f.before)} -> ${showValue(f.after)}`);
}

function storeTitle(s: StoreDiff): string {
  const labels = SUMMARY_LABELS.filter((l) => s.labels[l]).map((l) => `${l} ${s.labels[l]}`).join(', ');
  return `${s.store ?? 'fleet-wide files'}${s.status === 'changed' ? '' : ` (${s.status})`}${labels ? ` [${labels}]` : ''}`;
}

/** `label value: changed of total` counts, for each summary label. */
function counts(diff: DistDiff): Array<{ label: string; rows: Array<[string, number, number]> }> {
  const changed = new Map(diff.stores.filter((s) => s.store !== undefined).map((s) => [s.store!, s.labels]));
  return SUMMARY_LABELS.map((label) => {
    const values = new Set([...diff.allStores.values(), ...changed.values()].map((l) => l[label]).filter((v): v is string => v !== undefined));
    const rows = [...values].sort(compareStrings).map((value): [string, number, number] => [
      value,
      [...changed.values()].filter((l) => l[label] === value).length,
      [...diff.allStores.values()].filter((l) => l[label] === value).length,
    ]);
    return { label, rows };
  }).filter((c) => c.rows.length > 0);
}

/** One line per change, prefixed by the store id, then the summary. */
export function formatDiffText(diff: DistDiff): string {
  const lines: string[] = [];
  for (const s of diff.stores) {
    lines.push(`${storeTitle(s)}:`);
    for (const c of s.changes) lines.push(...changeLines(`  ${s.store ?? 'fleet'} `, c));
  }
  lines.push(summaryLine(diff));
  return `${lines.join('\n')}\n`;
}

function summaryLine(diff: DistDiff): string {
  const changedStores = diff.stores.filter((s) => s.store !== undefined).length;
  const parts = counts(diff).map(({ label, rows }) => `by ${label}: ${rows.map(([v, n, total]) => `${v} ${n}/${total}`).join(', ')}`);
  const status = (st: string) => diff.stores.filter((s) => s.status === st).length;
  return `${changedStores} of ${diff.allStores.size} stores changed (${status('added')} added, ${status('removed')} removed; compared with ${diff.base})${parts.length ? `; ${parts.join('; ')}` : ''}`;
}

/** A pull-request comment: the summary as tables, then the changes of each store, folded. */
export function formatDiffMarkdown(diff: DistDiff): string {
  const changedStores = diff.stores.filter((s) => s.store !== undefined).length;
  const out = [`### edgefleet diff: ${changedStores} of ${diff.allStores.size} stores changed`, '', `Compared with \`${diff.base}\`.`, ''];
  for (const { label, rows } of counts(diff)) {
    out.push(`| ${label} | changed | stores |`, '|---|---:|---:|', ...rows.map(([v, n, total]) => `| ${v} | ${n} | ${total} |`), '');
  }
  const detailed = diff.stores.slice(0, MARKDOWN_DETAILED_STORES);
  for (const s of detailed) {
    const lines = s.changes.flatMap((c) => changeLines('', c));
    out.push(`<details><summary>${storeTitle(s)}: ${lines.length} change${lines.length === 1 ? '' : 's'}</summary>`, '', '```', ...lines, '```', '', '</details>', '');
  }
  if (diff.stores.length > detailed.length) out.push(`... and ${diff.stores.length - detailed.length} more stores; run \`npx edgefleet diff\` for all of them.`, '');
  return `${out.join('\n')}`;
}
