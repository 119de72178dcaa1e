import { DistDiff, ObjectChange, StoreDiff } from './dist-diff';
import { showFieldChange } from './object-diff';

/** Stands for each store's own id in the changes of a group of stores. */
export const STORE_PLACEHOLDER = '<store>';

/** Stores whose changes are identical (up to each store's own id), shown once. */
export interface ChangeGroup {
  /** The stores, in id order; one entry with `store` undefined for the fleet-wide files. */
  readonly stores: StoreDiff[];
  /** Whether the stores are new, gone or changed. */
  readonly status: StoreDiff['status'];
  /** The change lines; in a group of several stores, each store's id reads {@link STORE_PLACEHOLDER}. */
  readonly lines: string[];
  /** The warnings among the changes (with the placeholder likewise). */
  readonly warnings: string[];
}

/** Where an object that leaves Git stays: on the store, or on the Fleet manager (dist/fleet/). */
function keptWhere(c: ObjectChange): string {
  return c.file.startsWith('fleet/') ? 'the Fleet manager' : 'the store';
}

/** The lines of one object change: `Kind/ns/name: added (file)`, `...: removed (file); kept on ...`, or one line per field. */
export function changeLines(c: ObjectChange): string[] {
  const where = c.object === c.file ? '' : ` (${c.file})`;
  const lines = c.change === 'changed' ? c.fields.map((f) => `${c.object} ${showFieldChange(f)}`)
    : c.change === 'added' ? [`${c.object}: added${where}${c.replaces ? `, replacing ${c.replaces} (a change of namespace or kind is a delete and a create)` : ''}`]
      : [`${c.object}: removed${where}${c.kept ? `; kept on ${keptWhere(c)} (${c.kept})` : ''}`];
  return c.warning ? [...lines, `!! ${c.warning}`] : lines;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` with `id` standing alone (not inside a longer name of letters and digits) replaced by the placeholder. */
export function withPlaceholder(text: string, id: string): string {
  return text.replace(new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(id)}(?![A-Za-z0-9])`, 'g'), STORE_PLACEHOLDER);
}

/**
 * Groups the stores whose changes read the same once each store's id is replaced by a placeholder:
 * a release promoted to 2,000 stores is one group, listed once. Groups are in the order of their
 * first store; the fleet-wide files come last, on their own.
 */
export function groupChanges(diff: DistDiff): ChangeGroup[] {
  const groups = new Map<string, { stores: StoreDiff[]; status: StoreDiff['status']; lines: string[]; template: string[] }>();
  for (const s of diff.stores) {
    const lines = s.changes.flatMap(changeLines);
    const template = s.store === undefined ? lines : lines.map((l) => withPlaceholder(l, s.store!));
    const key = s.store === undefined ? '\0fleet' : `${s.status}\n${template.join('\n')}`;
    const group = groups.get(key);
    if (group) group.stores.push(s);
    else groups.set(key, { stores: [s], status: s.status, lines, template });
  }
  return [...groups.values()].map((g) => {
    const lines = g.stores.length > 1 ? g.template : g.lines;
    return { stores: g.stores, status: g.status, lines, warnings: lines.filter((l) => l.startsWith('!! ')).map((l) => l.slice(3)) };
  });
}
