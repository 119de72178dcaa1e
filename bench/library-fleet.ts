import { EdgeFleet, EdgeMonitor, EdgePosVm, EdgeStore, EdgeWasmApp, SyncSource, VmDisk } from '../lib';

/** The rollout rings of the generated fleet: one store in 25 is canary, one in 5 early. */
export const BENCH_RINGS = ['canary', 'early', 'general'] as const;

/** What the generated fleet's stores run: versions by ring, and one store's own pin. */
export interface LibraryFleetOptions {
  /** Number of stores. */
  readonly stores: number;
  /** Where every store fetches from. */
  readonly source: SyncSource;
  /** The POS OS version of each ring. @default 4.1.0 everywhere */
  readonly posOs?: Partial<Record<typeof BENCH_RINGS[number], string>>;
  /** The edge monitor version of every store. @default '1.4.2' */
  readonly monitor?: string;
  /** Edge monitor versions of single stores, by store index (0-based). @default {} */
  readonly monitorPins?: Record<number, string>;
}

/** The id of the store at `index` in a fleet of `count`. */
export function benchStoreId(index: number, count: number): string {
  return `store-${String(index + 1).padStart(String(count).length, '0')}`;
}

/** The ring of the store at `index`. */
export function benchRing(index: number): typeof BENCH_RINGS[number] {
  const n = index + 1;
  return n % 25 === 1 ? 'canary' : n % 5 === 0 ? 'early' : 'general';
}

const REGISTRY = 'registry.example.com/retail';

/**
 * A fleet of the example's shape written with the public library alone (benchmarks never use the
 * example's stores/): per store a POS VM with a data disk, the edge monitor, a Wasm app in one store
 * of three, telemetry agents, labels for region and ring.
 */
export function libraryFleet(options: LibraryFleetOptions): EdgeFleet {
  const fleet = new EdgeFleet({
    repository: { url: 'https://git.example.com/retail/edge-fleet.git' },
    vmIdentityNamespace: '0b6f5c1e-8d7a-4f3b-9c2e-5a1d4e7f9b20',
    sync: { source: options.source },
    nodeProfile: { runtimeClasses: ['wasmedge'] },
    rings: [...BENCH_RINGS],
    telemetry: {
      logsUrl: 'https://logs.example.com/loki/api/v1/push',
      metricsUrl: 'https://metrics.example.com/api/v1/write',
      retention: '24h',
    },
  });
  const regions = ['eu-west', 'eu-central', 'us-east', 'ap-south'];
  for (let i = 0; i < options.stores; i++) {
    const ring = benchRing(i);
    const store = new EdgeStore(fleet, benchStoreId(i, options.stores), { labels: { region: regions[i % regions.length], ring } });
    new EdgePosVm(store, 'pos', {
      memory: '2Gi',
      cpu: 1,
      bootDisk: VmDisk.containerDisk(`${REGISTRY}/pos-os:${options.posOs?.[ring] ?? '4.1.0'}`),
      dataDisks: { data: VmDisk.localVolume({ size: '10Gi' }) },
    });
    new EdgeMonitor(store, 'edge-monitor', { image: `${REGISTRY}/edge-monitor:${options.monitorPins?.[i] ?? options.monitor ?? '1.4.2'}` });
    if (i % 3 === 0) new EdgeWasmApp(store, 'edge-app', { image: `${REGISTRY}/edge-app:2.0.1`, replicas: 2 });
  }
  return fleet;
}
