import * as path from 'path';
import {
  EdgeFleet, EdgeMonitor, EdgePosVm, EdgeStore, InventoryColumn, InventoryValues, VmDisk, inventoryRowOptions, readStoreInventory,
} from 'edgefleet';

/** The stores, one row each. */
export const INVENTORY = path.join(__dirname, 'inventory.csv');

/** The rollout rings, in the order a release reaches them. */
const RINGS = ['canary', 'general'] as const;

/** The inventory's columns besides `id`, each with the values it accepts: anything else stops synth, naming file, line and column. */
export const INVENTORY_COLUMNS = {
  region: InventoryColumn.text().required(),
  ring: InventoryColumn.oneOf(RINGS).required(),
  /** Blank: the fleet node profile's memory. */
  node_memory: InventoryColumn.quantity(),
};

/** One store of the inventory, typed. */
export type StoreRow = InventoryValues<typeof INVENTORY_COLUMNS>;

/** Where the store images come from. */
const REGISTRY = 'registry.example.com/retail';

/**
 * The fleet, as `edgefleet synth` asks for it (the FleetModule contract: buildFleet(): EdgeFleet).
 * `npm run synth` writes its GitOps tree to dist/; commit stores/ and dist/ together.
 */
export function buildFleet(): EdgeFleet {
  const fleet = new EdgeFleet({
    // The Git repository your stores pull from: this repository, as the stores reach it.
    repository: { url: 'https://git.example.com/retail/edge-fleet.git', branch: 'main' },
    rings: [...RINGS],
  });
  // One store per row, built when synth comes to it; synth skips the stores whose row, fleet and code did not change.
  fleet.addStores(readStoreInventory(INVENTORY, { columns: INVENTORY_COLUMNS }), (fleet, row) => defineStore(fleet, row.values), inventoryRowOptions(INVENTORY));
  return fleet;
}

/** One store: the point-of-sale VM and the edge monitor. */
function defineStore(fleet: EdgeFleet, row: StoreRow): EdgeStore {
  const store = new EdgeStore(fleet, row.id, {
    labels: { region: row.region, ring: row.ring },
    nodeProfile: row.node_memory ? { memory: row.node_memory } : undefined,
  });
  new EdgePosVm(store, 'pos', {
    memory: '2Gi',
    cpu: 1,
    bootDisk: VmDisk.containerDisk(`${REGISTRY}/pos-os:4.1.0`),
    dataDisks: { data: VmDisk.localVolume({ size: '10Gi' }) },
  });
  new EdgeMonitor(store, 'edge-monitor', { image: `${REGISTRY}/edge-monitor:1.4.2`, env: { STORE_ID: row.id } });
  return store;
}
