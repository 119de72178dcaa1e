/** Lays the defined fields of `override` over `base`: how a store's settings refine the fleet's. */
export function overlay<T extends object>(base: Required<T>, override: T = {} as T): Required<T> {
  const defined = Object.entries(override).filter(([, value]) => value !== undefined);
  return { ...base, ...Object.fromEntries(defined) } as Required<T>;
}
