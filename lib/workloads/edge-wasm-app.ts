import { EdgeApp, EdgeAppProps } from './edge-app';
import { fail } from '../errors/edgefleet-error';
import { IEdgeStore } from '../model/contract';

/** Properties of an {@link EdgeWasmApp}. */
export interface EdgeWasmAppProps extends EdgeAppProps {
  /**
   * RuntimeClass that runs the Wasm module. K3s creates it when the node has the matching containerd
   * shim (for `wasmedge`: `containerd-shim-wasmedge-v1`); the store's node profile must list it.
   * @default 'wasmedge'
   */
  readonly runtimeClass?: string;
}

/**
 * A WebAssembly app: a Deployment on the `wasmedge` RuntimeClass. The image holds the `.wasm`
 * module as its entrypoint (an absolute path such as `/app.wasm`).
 */
export class EdgeWasmApp extends EdgeApp {
  constructor(store: IEdgeStore, id: string, props: EdgeWasmAppProps) {
    const runtimeClassName = props.runtimeClass ?? 'wasmedge';
    super(store, id, props, { runtimeClassName });
    if (!store.nodeProfile.runtimeClasses.includes(runtimeClassName)) {
      const known = store.nodeProfile.runtimeClasses.map((rc) => `"${rc}"`).join(', ') || 'none';
      fail(
        this,
        `runtimeClass "${runtimeClassName}" is not provided by the store's node (its nodeProfile.runtimeClasses: ${known}); add ` +
          `"${runtimeClassName}" to nodeProfile.runtimeClasses where the store image carries the WasmEdge containerd shim`,
      );
    }
  }
}
