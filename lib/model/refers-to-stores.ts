import { IConstruct } from 'constructs';

/** A store as the fleet-wide checks after the stores see it. */
export interface StoreReference {
  /** The store id. */
  readonly id: string;
  /** The store's labels (region, city, ring, ...). */
  readonly storeLabels: Readonly<Record<string, string>>;
}

/**
 * A fleet-wide construct that names stores or label values (such as a {@link Release}'s pins). Once
 * every store is built, synth asks it which of its references no store matches: a misspelt store id
 * or region would otherwise leave the stores it meant quietly out.
 */
export interface IRefersToStores extends IConstruct {
  /** One problem per reference that none of `stores` (every store of the fleet) matches. */
  referenceProblems(stores: readonly StoreReference[]): string[];
}

/** Whether `c` names stores that synth should check exist. */
export function refersToStores(c: IConstruct): c is IRefersToStores {
  return typeof (c as Partial<IRefersToStores>).referenceProblems === 'function';
}
