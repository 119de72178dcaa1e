import { IDescribable, fail } from '../errors/edgefleet-error';
import { requireStore, IEdgeStore } from '../model/contract';
import { ManifestFile } from '../model/manifest-file';
import { StoreLayer } from '../model/store-layer';
import { checkDnsLabel } from '../prop-checks/checks';

/**
 * Base of everything that runs in a store: one file `dist/stores/<store>/<layer>/<id>.yaml`
 * holding the workload's objects, named after the workload id.
 */
export abstract class EdgeWorkload extends ManifestFile implements IDescribable {
  /** The store the workload runs in. */
  public readonly store: IEdgeStore;

  constructor(store: IEdgeStore, id: string, layer: StoreLayer = 'workloads') {
    requireStore(store, new.target.name, id);
    checkDnsLabel(store, 'workload id', id);
    if (store.node.tryFindChild(id)) {
      fail(store, `workload id "${id}" is used twice (give each workload of a store its own id)`);
    }
    super(store, id, { tree: 'stores', path: `${layer}/${id}.yaml` });
    this.store = store;
  }

  /** Name of the workload's main object: its id. */
  public get name(): string {
    return this.node.id;
  }

  /** How the workload is named in messages, e.g. `EdgePosVm "pos"`. */
  public get subject(): string {
    return `${this.constructor.name} "${this.node.id}"`;
  }

  /** Stable labels of the workload's objects and pods; never derived from construct paths. */
  protected get selectorLabels(): Record<string, string> {
    return { 'app.kubernetes.io/name': this.name };
  }
}
