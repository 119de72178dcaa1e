import type { EdgeFleet } from './edge-fleet';

/**
 * The contract between a fleet definition and the `edgefleet` CLI: the module that `--fleet` names
 * (by default `stores/index.ts`, TypeScript or compiled JavaScript) exports a function `buildFleet`
 * that takes no argument and returns the fleet, its stores added. It must not synthesize anything
 * itself: the CLI validates the fleet and writes its tree.
 *
 * ```ts
 * import { EdgeFleet, EdgeStore, FleetModule } from 'edgefleet';
 *
 * export const buildFleet: FleetModule['buildFleet'] = () => {
 *   const fleet = new EdgeFleet({ repository: { url: 'https://git.example.com/retail/edge-fleet.git' } });
 *   new EdgeStore(fleet, 'store-001', { labels: { region: 'eu-west' } });
 *   return fleet;
 * };
 * ```
 */
export interface FleetModule {
  /** Builds the fleet: an {@link EdgeFleet} with its stores and their workloads. */
  buildFleet(): EdgeFleet;
}

/** Where the CLI looks for the fleet module when `--fleet` is not given. */
export const DEFAULT_FLEET_MODULE = 'stores/index.ts';
