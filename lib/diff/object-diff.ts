/** One changed value inside an object. */
export interface FieldChange {
  /** JSON path, e.g. `spec.template.spec.containers[0].image`. */
  readonly path: string;
  /** The old value, undefined when the field is new. */
  readonly before: unknown;
  /** The new value, undefined when the field was removed. */
  readonly after: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/** The leaf-level differences between two parsed documents, in path order. */
export function diffValues(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffValues(before[k], after[k], join(path, k)));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    return Array.from({ length: Math.max(before.length, after.length) }, (_, i) => diffValues(before[i], after[i], join(path, i))).flat();
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: path || '.', before, after }];
}

/** A value as one short line: strings as they are, the rest as compact JSON, `(none)` when absent. */
export function showValue(v: unknown): string {
  if (v === undefined) return '(none)';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text.replace(/\n/g, '\\n');
}
