/**
 * A generated fleet shaped like a retail chain's, built with the library's public API only (it does
 * not use the example fleet in stores/): 4% canary, 20% early, the rest general; every tenth store on
 * Rancher Fleet; the POS VM, the edge monitor, telemetry, and a Wasm app in every third store. The
 * stores are declared with `addStores`, one plain item each.
 *
 * As a fleet module (`edgefleet synth --fleet build/bench/generated-fleet.js`), its size and variant
 * come from the environment: `EDGEFLEET_BENCH_STORES` (default 1000), `EDGEFLEET_BENCH_CHANGED_STORE`
 * (the number of one store whose edge monitor runs another version: a one-store change) and
 * `EDGEFLEET_BENCH_BROKEN_STORE` (one store with a mistake in its definition).
 */
import { EdgeFleet, EdgeMonitor, EdgePosVm, EdgeStore, EdgeWasmApp, Release, SyncSource, VmDisk } from '../lib';

const REGISTRY = 'registry.example.com/retail';
const REGIONS = ['eu-west', 'eu-central', 'us-east', 'ap-south'];
const RINGS = ['canary', 'early', 'general'];

/** Variants of the generated fleet, as a change under review would make them. */
export interface GeneratedFleetOptions {
  /** The last ring that runs the POS OS candidate 4.2.0. @default 'canary' */
  readonly posOsThroughRing?: string;
  /** Number (from 1) of a store, or stores, whose edge monitor runs 1.4.3 instead of 1.4.2. @default - none */
  readonly changedStore?: number | number[];
  /** Number (from 1) of a store with a mistake in its definition (its edge monitor's memory "2 GB"). @default - none */
  readonly brokenStore?: number;
  /** Where the Flux stores fetch from. @default 'main' */
  readonly source?: SyncSource;
  /** The stores' OCI repositories, `oci://<registry>/<prefix>`, on a plain-HTTP registry. @default - none */
  readonly ociUrl?: string;
}

/** The id of the `n`th store (from 1) of a generated fleet of `count`. */
export function generatedStoreId(n: number, count: number): string {
  return `store-${String(n).padStart(Math.max(3, String(count).length), '0')}`;
}

/** One generated store: the plain data its definition is built from. */
interface GeneratedStore {
  readonly n: number;
  readonly id: string;
  readonly monitorVersion: string;
  readonly monitorMemory?: string;
}

/** A generated fleet of `count` stores. */
export function generatedFleet(count: number, options: GeneratedFleetOptions = {}): EdgeFleet {
  const fleet = new EdgeFleet({
    repository: { url: 'https://git.example.com/retail/edge-fleet.git', branch: 'main' },
    sync: { interval: '5m', source: options.source },
    ociArtifacts: options.ociUrl ? { url: options.ociUrl, insecure: true } : undefined,
    nodeProfile: { runtimeClasses: ['wasmedge'] },
    rings: RINGS,
    telemetry: { logsUrl: 'https://logs.example.com/insert/opentelemetry/v1/logs', metricsUrl: 'https://metrics.example.com/api/v1/write' },
  });
  const posOs = new Release(fleet, 'pos-os', { stable: '4.1.0', candidate: { version: '4.2.0', throughRing: options.posOsThroughRing ?? 'canary' } });
  const stores = Array.from({ length: count }, (_, i): GeneratedStore => ({
    n: i + 1,
    id: generatedStoreId(i + 1, count),
    monitorVersion: [options.changedStore].flat().includes(i + 1) ? '1.4.3' : '1.4.2',
    monitorMemory: i + 1 === options.brokenStore ? '2 GB' : undefined,
  }));
  fleet.addStores(stores, (f, { n, id, monitorVersion, monitorMemory }) => {
    const ring = n % 25 === 1 ? 'canary' : n % 5 === 0 ? 'early' : 'general';
    const store = new EdgeStore(f, id, {
      labels: { region: REGIONS[n % REGIONS.length], city: `city-${n % 50}`, ring },
      sync: n % 10 === 7 ? { agent: 'fleet' } : undefined,
    });
    new EdgePosVm(store, 'pos', {
      memory: '2Gi',
      cpu: 1,
      bootDisk: VmDisk.containerDisk(`${REGISTRY}/pos-os:${posOs.versionFor(store)}`),
      dataDisks: { data: VmDisk.localVolume({ size: '10Gi' }) },
    });
    new EdgeMonitor(store, 'edge-monitor', { image: `${REGISTRY}/edge-monitor:${monitorVersion}`, env: { STORE_ID: id }, memory: monitorMemory });
    if (n % 3 === 0) new EdgeWasmApp(store, 'edge-app', { image: `${REGISTRY}/edge-app:2.0.1`, cpu: '50m', memory: '64Mi' });
    return store;
  });
  return fleet;
}

/** The fleet module contract: the generated fleet the environment asks for. */
export function buildFleet(): EdgeFleet {
  const number = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
  return generatedFleet(number('EDGEFLEET_BENCH_STORES') ?? 1000, {
    changedStore: number('EDGEFLEET_BENCH_CHANGED_STORE'),
    brokenStore: number('EDGEFLEET_BENCH_BROKEN_STORE'),
  });
}
