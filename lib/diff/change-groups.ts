import { DistDiff, ObjectChange, StoreDiff } from './dist-diff';
import { showFieldChange } from './object-diff';

/** Stands for each store's own id in the changes of a group of stores. */
export const STORE_PLACEHOLDER = '<store>';

/** One line of a group's changes, and the stores it applies to when not all of them. */
export interface GroupLine {
  /** The change, e.g. `VirtualMachine/edge/pos spec...image: a -> b`, or a warning starting with `!! `. */
  readonly text: string;
  /** The stores of the group this line applies to; undefined when it applies to all of them. */
  readonly stores?: StoreDiff[];
}

/** Stores that changed the same objects in the same way (up to each store's own id), shown once. */
export interface ChangeGroup {
  /** The stores, in id order; one entry with `store` undefined for the fleet-wide files. */
  readonly stores: StoreDiff[];
  /** Whether the stores are new, gone or changed. */
  readonly status: StoreDiff['status'];
  /** The change lines; in a group of several stores, each store's id reads {@link STORE_PLACEHOLDER}. */
  readonly lines: GroupLine[];
  /** The warnings among the lines (their text without the `!! `). */
  readonly warnings: GroupLine[];
}

/** Where an object that leaves Git stays: on the store, or on the Fleet manager (dist/fleet/). */
function keptWhere(c: ObjectChange): string {
  return c.file.startsWith('fleet/') ? 'the Fleet manager' : 'the store';
}

/**
 * The lines of one object change: `Kind/ns/name: added (file)`, `...: removed (file); kept on ...`, or one line per field, then when a
 * changed VM gets it (`-> on the store: ...`) and any warning (`!! ...`).
 */
export function changeLines(c: ObjectChange): string[] {
  const where = c.object === c.file ? '' : ` (${c.file})`;
  const lines =
    c.change === 'changed'
      ? c.fields.map((f) => `${c.object} ${showFieldChange(f)}`)
      : c.change === 'added'
        ? [`${c.object}: added${where}${c.replaces ? `, replacing ${c.replaces} (a change of namespace or kind is a delete and a create)` : ''}`]
        : [`${c.object}: removed${where}${c.kept ? `; kept on ${keptWhere(c)} (${c.kept})` : ''}`];
  const effect = c.takesEffect ? [`${c.object} -> on the store: ${c.takesEffect}`] : [];
  return [...lines, ...effect, ...(c.warning ? [`!! ${c.warning}`] : [])];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces `id` standing alone (not inside a longer name of letters and digits) by the placeholder, in any text. */
function placeholderFor(id: string): (text: string) => string {
  const pattern = new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(id)}(?![A-Za-z0-9])`, 'g');
  return (text) => text.replace(pattern, STORE_PLACEHOLDER);
}

/** What the stores of a group share: the same status, and the same objects added, removed or changed. */
function shape(s: StoreDiff, linesPerChange: string[][], template: (text: string) => string): string {
  const objects = s.changes.map((c, i) => (c.change === 'changed' ? `${c.object} changed` : linesPerChange[i].join('\n')));
  return `${s.status}\n${objects.map(template).join('\n')}`;
}

interface GroupBuilder {
  readonly stores: StoreDiff[];
  /** Each line, with the stores that have it, in the order first seen. */
  readonly lines: Map<string, StoreDiff[]>;
  /** The first store's own lines, shown as they are when the group has one store. */
  readonly ownLines: string[];
}

/**
 * Groups the stores that changed the same objects, once each store's id is replaced by a
 * placeholder: a release promoted to 2,000 stores is one group, listed once. Where the stores of a
 * group changed those objects differently (a POS booting from a containerDisk in some stores and
 * from a DataVolume in others), each line says which of the stores it applies to. Groups are in the
 * order of their first store; the fleet-wide files come last, on their own.
 */
export function groupChanges(diff: DistDiff): ChangeGroup[] {
  const groups = new Map<string, GroupBuilder>();
  for (const s of diff.stores) {
    const template = s.store === undefined ? (text: string) => text : placeholderFor(s.store);
    const linesPerChange = s.changes.map(changeLines);
    const ownLines = linesPerChange.flat();
    const key = s.store === undefined ? '\0fleet' : shape(s, linesPerChange, template);
    const group = groups.get(key) ?? { stores: [], lines: new Map<string, StoreDiff[]>(), ownLines };
    groups.set(key, group);
    group.stores.push(s);
    for (const line of new Set(ownLines.map(template))) {
      const stores = group.lines.get(line);
      if (stores) stores.push(s);
      else group.lines.set(line, [s]);
    }
  }
  return [...groups.values()].map((g): ChangeGroup => {
    const lines: GroupLine[] =
      g.stores.length === 1
        ? g.ownLines.map((text) => ({ text }))
        : [...g.lines].map(([text, stores]) => (stores.length === g.stores.length ? { text } : { text, stores }));
    const warnings = lines.filter((l) => l.text.startsWith('!! ')).map((l) => ({ ...l, text: l.text.slice(3) }));
    return { stores: g.stores, status: g.stores[0].status, lines, warnings };
  });
}
