/** How a list changed, for a change that concerns list items rather than one value. */
export type ListChange = 'item-added' | 'item-removed' | 'reordered';

/** One changed value inside an object. */
export interface FieldChange {
  /**
   * Path of the value: `spec.replicas`; list items by key where the list has one
   * (`spec.template.spec.containers[name=edge-monitor].image`); a list compared as a set by its own path.
   */
  readonly path: string;
  /** The old value (the removed item; the old order of the items), undefined when the field is new. */
  readonly before: unknown;
  /** The new value (the added item; the new order of the items), undefined when the field was removed. */
  readonly after: unknown;
  /** Set when the change adds, removes or reorders items of a list rather than changing one value. */
  readonly list?: ListChange;
}

/**
 * What identifies an item of a list of objects, tried in this order: the first one that every item
 * of both lists has, and that no two items of one list share, is the list's key.
 */
const LIST_KEYS: Array<{ label: string; of: (item: any) => unknown }> = [
  { label: 'name', of: (i) => i.name },
  {
    label: 'kind/namespace/name',
    of: (i) => (i.kind !== undefined && i.name !== undefined ? `${i.kind}/${i.namespace ?? ''}/${i.name}` : undefined),
  },
  { label: 'metadata.name', of: (i) => i.metadata?.name },
  { label: 'mountPath', of: (i) => i.mountPath },
  { label: 'devicePath', of: (i) => i.devicePath },
  { label: 'key', of: (i) => i.key },
  { label: 'containerPort', of: (i) => i.containerPort },
  { label: 'port', of: (i) => i.port },
];

function isObject(v: unknown): v is Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isScalar(v: unknown): boolean {
  return v === null || (typeof v !== 'object' && v !== undefined);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** JSON with object keys sorted, so that equal values give equal text whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

/**
 * The differences between two parsed documents, in path order. Lists are never compared by index
 * alone, which would report every later item of a list that lost one: lists of scalars compare as
 * sets (items added and removed, and their order when only that changed), lists of objects by their
 * key (see {@link LIST_KEYS}), and lists of objects without a key by matching equal items first.
 */
export function diffValues(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffValues(before[k], after[k], join(path, k)));
  }
  if (Array.isArray(before) && Array.isArray(after)) return diffLists(before, after, path);
  return canonicalJson(before) === canonicalJson(after) ? [] : [{ path: path || '.', before, after }];
}

function diffLists(before: unknown[], after: unknown[], path: string): FieldChange[] {
  if (before.every(isScalar) && after.every(isScalar)) return diffAsSets(before, after, path || '.');
  const key = before.every(isObject) && after.every(isObject) ? LIST_KEYS.find((k) => isKeyOf(k.of, before) && isKeyOf(k.of, after)) : undefined;
  return key ? diffByKey(before, after, path, key) : diffUnkeyed(before, after, path || '.');
}

/** Whether `of` gives every item a scalar value, no two items the same. */
function isKeyOf(of: (item: any) => unknown, items: unknown[]): boolean {
  const values = items.map(of);
  return values.every((v) => typeof v === 'string' || typeof v === 'number') && new Set(values).size === values.length;
}

/** The items of `items` matched by an equal item of `others` (as a multiset: each match used once), and the rest, in list order. */
function matchItems(items: unknown[], others: unknown[]): { matched: unknown[]; unmatched: unknown[] } {
  const available = new Map<string, number>();
  for (const o of others) {
    const text = canonicalJson(o);
    available.set(text, (available.get(text) ?? 0) + 1);
  }
  const matched: unknown[] = [];
  const rest: unknown[] = [];
  for (const item of items) {
    const text = canonicalJson(item);
    const left = available.get(text) ?? 0;
    available.set(text, left - 1);
    (left > 0 ? matched : rest).push(item);
  }
  return { matched, unmatched: rest };
}

function diffAsSets(before: unknown[], after: unknown[], path: string): FieldChange[] {
  const old = matchItems(before, after);
  const now = matchItems(after, before);
  const changes: FieldChange[] = [
    ...old.unmatched.map((item): FieldChange => ({ path, before: item, after: undefined, list: 'item-removed' })),
    ...now.unmatched.map((item): FieldChange => ({ path, before: undefined, after: item, list: 'item-added' })),
  ];
  if (canonicalJson(old.matched) !== canonicalJson(now.matched)) changes.push({ path, before: old.matched, after: now.matched, list: 'reordered' });
  return changes;
}

function diffByKey(before: any[], after: any[], path: string, key: { label: string; of: (item: any) => unknown }): FieldChange[] {
  const itemPath = (item: any) => `${path}[${key.label}=${key.of(item)}]`;
  const old = new Map(before.map((item) => [key.of(item), item]));
  const now = new Map(after.map((item) => [key.of(item), item]));
  const changes: FieldChange[] = [];
  for (const item of before) {
    if (!now.has(key.of(item))) changes.push({ path: itemPath(item), before: item, after: undefined, list: 'item-removed' });
  }
  for (const item of after) {
    changes.push(
      ...(old.has(key.of(item))
        ? diffValues(old.get(key.of(item)), item, itemPath(item))
        : [{ path: itemPath(item), before: undefined, after: item, list: 'item-added' as const }]),
    );
  }
  const order = (items: any[], others: Map<unknown, unknown>) => items.map(key.of).filter((k) => others.has(k));
  const [oldOrder, newOrder] = [order(before, now), order(after, old)];
  if (canonicalJson(oldOrder) !== canonicalJson(newOrder)) changes.push({ path: path || '.', before: oldOrder, after: newOrder, list: 'reordered' });
  return changes;
}

/**
 * Lists of objects without a key: equal items match whatever their position; the items left over
 * are paired in order and compared field by field (at their new index), the rest added or removed.
 */
function diffUnkeyed(before: unknown[], after: unknown[], path: string): FieldChange[] {
  const removed = matchItems(before, after).unmatched;
  const added = matchItems(after, before).unmatched;
  const paired = Math.min(removed.length, added.length);
  return [
    ...Array.from({ length: paired }, (_, i) => diffValues(removed[i], added[i], `${path}[${after.indexOf(added[i])}]`)).flat(),
    ...removed.slice(paired).map((item): FieldChange => ({ path, before: item, after: undefined, list: 'item-removed' })),
    ...added.slice(paired).map((item): FieldChange => ({ path, before: undefined, after: item, list: 'item-added' })),
  ];
}

/** A value as one short line: strings as they are, the rest as compact JSON, `(none)` when absent. */
export function showValue(v: unknown): string {
  if (v === undefined) return '(none)';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text.replace(/\n/g, '\\n');
}

/** One line per field change, as `path: old -> new`, `path: + item`, `path: - item` or `path: order a, b -> b, a`. */
export function showFieldChange(f: FieldChange): string {
  switch (f.list) {
    case 'item-added':
      return `${f.path}: + ${showValue(f.after)}`;
    case 'item-removed':
      return `${f.path}: - ${showValue(f.before)}`;
    case 'reordered':
      return `${f.path}: order ${(f.before as unknown[]).map(showValue).join(', ')} -> ${(f.after as unknown[]).map(showValue).join(', ')}`;
    default:
      return `${f.path}: ${showValue(f.before)} -> ${showValue(f.after)}`;
  }
}
