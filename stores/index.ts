import * as path from 'path';
import {
  EdgeFleet, EdgefleetError, EdgeMonitor, EdgePosVm, EdgeStore, EdgeWasmApp, InventoryRow, SyncPolicy, VmDisk, packageRoot, readStoreInventory,
} from '../lib';

/** The customer's fleet: 100 stores read from stores/inventory.csv. */
export const INVENTORY = path.join(packageRoot(__dirname), 'stores', 'inventory.csv');

/** Images every store runs, pinned. */
const IMAGES = {
  posOs: 'registry.example.com/retail/pos-os:4.1.0',
  edgeMonitor: 'registry.example.com/retail/edge-monitor:1.4.2',
  edgeApp: 'registry.example.com/retail/edge-app:2.0.1',
};

/** Regions whose WAN links are expensive poll Git less often. */
const REGION_SYNC: Record<string, SyncPolicy> = {
  'ap-south': { interval: '15m' },
};

/** Builds the fleet; `rows` replaces the inventory file (the benchmark passes generated fleets). */
export function buildFleet(rows: InventoryRow[] = readStoreInventory(INVENTORY, { requiredColumns: ['id', 'region', 'city', 'ring'] })): EdgeFleet {
  const fleet = new EdgeFleet({
    repository: { url: 'https://git.example.com/retail/edge-fleet.git', branch: 'main' },
    sync: { autoSync: true, interval: '5m' },
    nodeProfile: { runtimeClasses: ['wasmedge'] },
  });
  for (const row of rows) {
    try {
      defineStore(fleet, row.values);
    } catch (e) {
      if (EdgefleetError.isEdgefleetError(e)) throw new EdgefleetError(`${INVENTORY} line ${row.line}: ${e.message}`);
      throw e;
    }
  }
  return fleet;
}

/** One store of the inventory, with the workloads every store runs. */
export function defineStore(fleet: EdgeFleet, row: Record<string, string>): EdgeStore {
  const { id, region, city, ring } = row;
  const store = new EdgeStore(fleet, id, {
    labels: { region, city, ring },
    nodeProfile: row.node_memory ? { memory: row.node_memory } : undefined,
    sync: { ...REGION_SYNC[region], agent: row.sync_agent === 'fleet' ? 'fleet' : undefined },
    fleetRegistration: row.api_endpoint ? { apiEndpoint: row.api_endpoint, kubeconfigSecretName: row.kubeconfig_secret } : undefined,
  });

  new EdgePosVm(store, 'pos', {
    memory: '2Gi',
    cpu: 1,
    bootDisk: VmDisk.containerDisk(IMAGES.posOs),
    dataDisks: { data: VmDisk.localVolume({ size: '10Gi' }) },
    cloudInit: { userData: `#cloud-config\nhostname: pos-${id}\n` },
  });

  new EdgeMonitor(store, 'edge-monitor', {
    image: IMAGES.edgeMonitor,
    env: { STORE_ID: id, REGION: region },
  });

  if (row.edge_app === 'yes') {
    new EdgeWasmApp(store, 'edge-app', { image: IMAGES.edgeApp, replicas: 3, cpu: '50m', memory: '64Mi' });
  }
  return store;
}
