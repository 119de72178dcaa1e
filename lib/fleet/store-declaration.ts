import { EdgefleetError } from '../errors/edgefleet-error';
import { whereItFailed } from '../errors/where-it-failed';
import { AddStoresOptions, IEdgeFleet, IEdgeStore, IStoreDeclaration, isEdgeStore } from '../model/contract';

/**
 * A store declared with `EdgeFleet.addStores`: an item and how to build its store in a fleet of type
 * `F`. Synth builds it when it comes to it, renders it, and releases its construct tree before the next one.
 */
export class StoreDeclaration<T, F extends IEdgeFleet> implements IStoreDeclaration {
  constructor(
    /** The item the store is built from. */
    public readonly item: T,
    private readonly define: (fleet: F, item: T) => IEdgeStore,
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
  public build(fleet: F): IEdgeStore {
    let store: unknown;
    try {
      store = this.define(fleet, this.item);
    } catch (e) {
      if (EdgefleetError.isEdgefleetError(e)) throw e;
      throw new EdgefleetError(`the function given to addStores() failed in the fleet's own code (not in edgefleet): ${whereItFailed(e)}`);
    }
    if (!isEdgeStore(store) || store.fleet !== fleet) {
      throw new EdgefleetError(
        `the function given to addStores() returned ${isEdgeStore(store) ? `store "${store.id}" of another fleet` : String(store)} (return the ` +
          `EdgeStore it creates with new EdgeStore(fleet, id, props), with the fleet it is given)`,
      );
    }
    return store;
  }
}
