import * as path from 'path';
import {
  CpuArchitecture,
  EdgeApp,
  EdgeFleet,
  EdgeMonitor,
  EdgePosVm,
  EdgeStore,
  EdgeStoreProps,
  EdgeWasmApp,
  EncryptedSecret,
  SyncSource,
  VmDisk,
  StatefulNamespaceMove,
  VmRestartPolicy,
} from '../../lib';

/** The stores of the suite's fleet, one per kind of workload it must prove. */
export const E2E_STORES = {
  /** POS from a containerDisk with a local data claim, the edge monitor and a stateless kiosk app. */
  containerDisk: 'store-pos',
  /** POS booting from a disk imported by CDI into a DataVolume, with a data disk imported likewise. */
  dataVolume: 'store-cdi',
  /** A Wasm app on the node's `wasmedge` RuntimeClass. */
  wasm: 'store-wasm',
  /** The telemetry agents: DaemonSets, ConfigMaps, RBAC. */
  telemetry: 'store-telemetry',
} as const;

/**
 * The store that runs on the suite's real node (defined only when a scenario asks for it): the POS VM,
 * the edge monitor and a Wasm app serving on a port, both told the store's id in STORE_ID, and the
 * telemetry agents sending to the suite's receivers, on a node of the machine's own architecture.
 */
export const E2E_NODE_STORE = 'store-node';

/** The registry of the fleet's own images (the suite's real node loads stand-ins under these names). */
export const E2E_IMAGE_REGISTRY = 'registry.example.com/retail';

/**
 * The central receivers of the real node's store, by the in-cluster name the suite gives them (a
 * Service without selector whose endpoint is the host): VictoriaLogs and VictoriaMetrics at their
 * default ports.
 */
export const E2E_RECEIVERS = {
  service: { name: 'telemetry-receivers', namespace: 'default' },
  ports: { logs: 9428, metrics: 8428 },
} as const;

const receiversHost = `${E2E_RECEIVERS.service.name}.${E2E_RECEIVERS.service.namespace}.svc.cluster.local`;

/** The machine's CPU architecture, as a node profile names it. */
function machineArchitecture(): CpuArchitecture {
  return process.arch === 'arm64' ? 'arm64' : 'amd64';
}

/** What a scenario changes in the fleet between commits. */
export interface E2eFleetOptions {
  /** The clone URL of the fleet repository. */
  readonly url: string;
  /** The stores to define (E2E_NODE_STORE among them if asked). @default - all of E2E_STORES */
  readonly stores?: string[];
  /** Workload namespace. @default 'edge' */
  readonly namespace?: string;
  /** A deliberate move of the stateful workloads to another namespace. @default - none */
  readonly statefulNamespaceMove?: StatefulNamespaceMove;
  /** Version of the edge monitor image. @default '1.4.2' */
  readonly monitorVersion?: string;
  /** Telemetry retention, which sizes the agents' buffers in their ConfigMaps. @default '24h' */
  readonly telemetryRetention?: string;
  /** Workloads of the containerDisk store to leave out (e.g. 'kiosk', 'pos'). @default [] */
  readonly without?: string[];
  /** How often the stores poll Git and re-apply. @default '15s' */
  readonly interval?: string;
  /** Where the stores fetch from. @default 'main' */
  readonly source?: SyncSource;
  /** The stores' OCI repositories, `oci://<registry>/<prefix>`, on the suite's plain-HTTP registry. @default - none */
  readonly ociUrl?: string;
  /** The working clone of the fleet repository, whose `secrets/` holds the stores' encrypted Secrets. @default - none */
  readonly work?: string;
  /** The fleet's age keys, and the stores whose telemetry-credentials come encrypted from Git. @default - no secrets */
  readonly secrets?: E2eSecrets;
  /** How each store restarts its POS VM, by store id. @default - by hand */
  readonly vmRestart?: Partial<Record<string, VmRestartPolicy>>;
  /** Version of the POS OS disk image that the DataVolume store's VM boots from. @default '4.1.0' */
  readonly posDiskVersion?: string;
}

/** The age keys of the suite's fleet (made by the scenario with age-keygen) and what is encrypted for them. */
export interface E2eSecrets {
  readonly operators: string[];
  /** Age public key of each store that has one. */
  readonly storeKeys: Record<string, string>;
  /** Stores that reference `secrets/<id>/telemetry-credentials.yaml`. */
  readonly telemetryCredentials: string[];
}

/** The suite's fleet: a library user like any other, defined with the public API only. */
export function buildE2eFleet(options: E2eFleetOptions): EdgeFleet {
  const stores = options.stores ?? Object.values(E2E_STORES);
  const without = new Set(options.without ?? []);
  const fleet = new EdgeFleet({
    repository: { url: options.url, branch: 'main' },
    namespace: options.namespace,
    statefulNamespaceMove: options.statefulNamespaceMove,
    sync: { interval: options.interval ?? '15s', source: options.source },
    ociArtifacts: options.ociUrl ? { url: options.ociUrl, insecure: true } : undefined,
    secrets: options.secrets && { operators: options.secrets.operators, folder: path.join(options.work ?? '.', 'secrets') },
  });
  const secrets = options.secrets;
  const newStore = (id: string, props: EdgeStoreProps = {}) => {
    const store = new EdgeStore(fleet, id, { ...props, ageRecipient: secrets?.storeKeys[id], vmRestart: options.vmRestart?.[id] });
    if (secrets?.telemetryCredentials.includes(id)) new EncryptedSecret(store, 'telemetry-credentials');
    return store;
  };
  const monitor = (store: EdgeStore, env?: Record<string, string>) =>
    new EdgeMonitor(store, 'edge-monitor', { image: `${E2E_IMAGE_REGISTRY}/edge-monitor:${options.monitorVersion ?? '1.4.2'}`, env });
  const define: Record<string, () => void> = {
    [E2E_STORES.containerDisk]: () => {
      const store = newStore(E2E_STORES.containerDisk, { labels: { region: 'eu-west' } });
      if (!without.has('pos')) {
        new EdgePosVm(store, 'pos', {
          bootDisk: VmDisk.containerDisk(`${E2E_IMAGE_REGISTRY}/pos-os:4.1.0`),
          dataDisks: { data: VmDisk.localVolume({ size: '10Gi' }) },
        });
      }
      if (!without.has('kiosk')) new EdgeApp(store, 'kiosk', { image: `${E2E_IMAGE_REGISTRY}/kiosk:3.2.0` });
      monitor(store);
    },
    [E2E_STORES.dataVolume]: () => {
      const store = newStore(E2E_STORES.dataVolume, { labels: { region: 'eu-west' } });
      new EdgePosVm(store, 'pos', {
        bootDisk: VmDisk.dataVolume({ size: '20Gi', registryImage: `${E2E_IMAGE_REGISTRY}/pos-disk:${options.posDiskVersion ?? '4.1.0'}` }),
        dataDisks: { data: VmDisk.dataVolume({ size: '5Gi', httpUrl: 'https://images.example.com/retail/pos-data-seed.raw' }) },
      });
    },
    [E2E_STORES.wasm]: () => {
      const store = newStore(E2E_STORES.wasm, { nodeProfile: { runtimeClasses: ['wasmedge'] } });
      new EdgeWasmApp(store, 'edge-app', { image: `${E2E_IMAGE_REGISTRY}/edge-app:2.0.1`, replicas: 2 });
      monitor(store);
    },
    [E2E_STORES.telemetry]: () => {
      const store = newStore(E2E_STORES.telemetry, {
        telemetry: {
          logsUrl: 'https://logs.example.com/insert/opentelemetry/v1/logs',
          metricsUrl: 'https://metrics.example.com/api/v1/write',
          credentialsSecretName: secrets?.telemetryCredentials.includes(E2E_STORES.telemetry) ? 'telemetry-credentials' : undefined,
          retention: options.telemetryRetention ?? '24h',
        },
      });
      monitor(store);
    },
    [E2E_NODE_STORE]: () => {
      const store = newStore(E2E_NODE_STORE, {
        labels: { region: 'eu-west' },
        nodeProfile: { arch: machineArchitecture(), runtimeClasses: ['wasmedge'] },
        telemetry: {
          logsUrl: `http://${receiversHost}:${E2E_RECEIVERS.ports.logs}/insert/opentelemetry/v1/logs`,
          metricsUrl: `http://${receiversHost}:${E2E_RECEIVERS.ports.metrics}/api/v1/write`,
          retention: options.telemetryRetention ?? '24h',
        },
      });
      new EdgePosVm(store, 'pos', {
        bootDisk: VmDisk.containerDisk(`${E2E_IMAGE_REGISTRY}/pos-os:4.1.0`),
        dataDisks: { data: VmDisk.localVolume({ size: '1Gi' }) },
      });
      const env = { STORE_ID: E2E_NODE_STORE };
      monitor(store, env);
      new EdgeWasmApp(store, 'edge-app', { image: `${E2E_IMAGE_REGISTRY}/edge-app:2.0.1`, ports: { http: 8080 }, env });
    },
  };
  for (const id of stores) define[id]();
  return fleet;
}
