/**
 * Where a live object differs from what was rendered: every field the rendered object sets must be
 * in the live object with the same value (the API server may add defaults and status, but must not
 * drop or change what we wrote: a field missing here is a field a structural schema pruned).
 */
export function differences(rendered: unknown, live: unknown, path = ''): string[] {
  if (Array.isArray(rendered)) {
    if (!Array.isArray(live)) return [`${path}: rendered a list, live has ${JSON.stringify(live)}`];
    return rendered.flatMap((item, i) => differences(item, live[i], `${path}[${i}]`));
  }
  if (rendered !== null && typeof rendered === 'object') {
    if (live === null || typeof live !== 'object') return [`${path}: rendered an object, live has ${JSON.stringify(live)}`];
    return Object.entries(rendered).flatMap(([k, v]) => differences(v, (live as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return rendered === live || String(rendered) === String(live)
    ? []
    : [`${path}: rendered ${JSON.stringify(rendered)}, live ${JSON.stringify(live)}`];
}

/** `Kind/namespace/name` of an object. */
export function objectKey(o: any): string {
  return `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
}
