import type { EdgeFleet } from './edge-fleet';
import { EdgeStore } from './edge-store';
import { EdgefleetError } from '../errors/edgefleet-error';
import { whereItFailed } from '../errors/where-it-failed';

/** How {@link EdgeFleet.addStores} builds the store of one item. */
export type DefineStore<T> = (fleet: EdgeFleet, item: T) => EdgeStore;

/** Options of {@link EdgeFleet.addStores}. */
export interface AddStoresOptions<T> {
  /**
   * What of an item its store's definition reads, as plain data (JSON: objects, arrays, strings,
   * numbers, booleans, null). With the fleet's settings and the code, it makes the store's digest:
   * a synth skips a store whose digest is the one it had at the last synth. Leave out what does not
   * change the store's output (such as the inventory line an item came from), so that it does not
   * make synth render the store again; include everything the definition reads besides the item,
   * the fleet and the code (e.g. the slice of a table loaded at run time that applies to the item).
   * @default - the whole item
   */
  readonly inputsOf?: (item: T) => unknown;
  /**
   * Where an item comes from, for messages: a problem in its store's definition is reported as
   * `<where>: <problem>`, e.g. `stores/inventory.csv line 7: store "store-006": ...`.
   * @default - the problem alone (it names the store once the store exists)
   */
  readonly where?: (item: T) => string;
}

/**
 * A store declared with {@link EdgeFleet.addStores}: an item and how to build its store. Synth builds
 * it when it comes to it, renders it, and releases its construct tree before the next one.
 */
export class StoreDeclaration<T = unknown> {
  constructor(
    /** The item the store is built from. */
    public readonly item: T,
    private readonly define: DefineStore<T>,
    private readonly options: AddStoresOptions<T>,
  ) {}

  /** What of the item the store depends on, for its digest. */
  public get inputs(): unknown {
    return this.options.inputsOf ? this.options.inputsOf(this.item) : this.item;
  }

  /** Where the item comes from, for messages; undefined when not given. */
  public get where(): string | undefined {
    return this.options.where?.(this.item);
  }

  /** Builds the store in `fleet`. */
  public build(fleet: EdgeFleet): EdgeStore {
    let store: unknown;
    try {
      store = this.define(fleet, this.item);
    } catch (e) {
      if (EdgefleetError.isEdgefleetError(e)) throw e;
      throw new EdgefleetError(`the function given to addStores() failed in the fleet's own code (not in edgefleet): ${whereItFailed(e)}`);
    }
    if (!EdgeStore.isEdgeStore(store) || store.fleet !== fleet) {
      throw new EdgefleetError(`the function given to addStores() returned ${EdgeStore.isEdgeStore(store) ? `store "${store.id}" of another fleet` : String(store)} (return the EdgeStore it creates with new EdgeStore(fleet, id, props), with the fleet it is given)`);
    }
    return store;
  }
}
