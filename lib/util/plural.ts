/** `1 store`, `20 stores`: a count with its noun (regular plurals only). */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The first `max` names, then how many more: `store-001, store-002 and 18 more`. */
export function firstAndMore(names: string[], max: number): string {
  const named = names.slice(0, max).join(', ');
  return names.length > max ? `${named} and ${names.length - max} more` : named;
}
