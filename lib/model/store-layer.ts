/**
 * The layers of a store folder, in the order Flux applies them: `infrastructure` (namespace and
 * other prerequisites) first, then `workloads`, which depends on it.
 */
export const STORE_LAYERS = ['infrastructure', 'workloads'] as const;

/** A layer of a store folder: a subfolder of `dist/stores/<id>/` with a Flux Kustomization of its own. */
export type StoreLayer = (typeof STORE_LAYERS)[number];
