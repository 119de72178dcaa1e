import * as path from 'path';
import { ApiObjectProps } from 'cdk8s';
import {
  EdgeFleet,
  EdgeMonitor,
  EdgePosVm,
  EdgeStore,
  EdgeWasmApp,
  EncryptedSecret,
  InventoryColumn,
  InventoryRow,
  InventoryValues,
  Release,
  ReleaseProps,
  SYNC_AGENTS,
  SyncPolicy,
  VmDisk,
  WEEKDAYS,
  inventoryRowOptions,
  packageRoot,
  readStoreInventory,
  typedInventoryRows,
} from 'edgefleet';

/** The customer's fleet: 100 stores read from stores/inventory.csv. */
export const INVENTORY = path.join(packageRoot(__dirname), 'stores', 'inventory.csv');

/** Where the store images come from; each store runs the version its release pins for it. */
const REGISTRY = 'registry.example.com/retail';

/** The rollout rings, in the order a release reaches them. */
const RINGS = ['canary', 'early', 'general'] as const;

/**
 * The inventory's columns besides `id`, each with the values it accepts: a value outside them (a
 * `Yes`, a `Fleet`) stops synth naming file, line, column and value, instead of meaning something else.
 */
export const INVENTORY_COLUMNS = {
  region: InventoryColumn.text().required(),
  city: InventoryColumn.text().required(),
  ring: InventoryColumn.oneOf(RINGS).required(),
  /** Runs the edge-app Wasm app. */
  edge_app: InventoryColumn.yesNo().withDefault(false),
  /** Blank: the fleet node profile's memory. */
  node_memory: InventoryColumn.quantity(),
  /** Blank: the fleet's sync agent (Flux). */
  sync_agent: InventoryColumn.oneOf(SYNC_AGENTS),
  /** For a Fleet store registered by the Fleet manager; blank: the store's agent registers. */
  api_endpoint: InventoryColumn.text(),
  kubeconfig_secret: InventoryColumn.dnsLabel(),
  /** The store's age public key; blank: the store has no encrypted Secrets. */
  age_recipient: InventoryColumn.ageRecipient(),
};

/** One store of the inventory, typed. */
export type StoreRow = InventoryValues<typeof INVENTORY_COLUMNS>;

/**
 * The operators' age public key: every store's encrypted Secrets are readable by it as well. A TEST KEY
 * made with age-keygen for this example, its private half thrown away; never use it for real secrets.
 */
const OPERATORS_TEST_KEY = 'age15klxxr63qsmr7grht0gkjdj7rek5shu9su53404jyqxsfnfr8ulsjnnt2z';

/**
 * Regions whose WAN links are expensive poll less often, and pull their own signed OCI artifact: an
 * idle poll is one manifest request, and a release downloads only the store's own folders.
 */
const REGION_SYNC: Record<string, SyncPolicy> = {
  'ap-south': { interval: '15m', source: 'oci' },
};

/** Each region's time zone: a store's maintenance window is in its local time. */
const REGION_TIME_ZONE: Record<string, string> = {
  'eu-west': 'Europe/Paris',
  'eu-central': 'Europe/Berlin',
  'us-east': 'America/New_York',
  'ap-south': 'Asia/Kolkata',
};

/**
 * Builds the fleet (the {@link FleetModule} contract: called without arguments). `rows` replaces the
 * inventory file's rows, typed by the same columns (tests and generated fleets pass their own),
 * `releases` the release pins (tests try promotions with it), and `sync` is laid over the fleet's
 * sync policy (tests try store branches with it).
 */
export function buildFleet(
  rows: InventoryRow[] = readStoreInventory(INVENTORY),
  releases: Record<keyof typeof RELEASES, ReleaseProps> = RELEASES,
  sync: SyncPolicy = {},
): EdgeFleet {
  const stores = typedInventoryRows(rows, INVENTORY_COLUMNS, INVENTORY);
  const fleet = new EdgeFleet({
    repository: { url: 'https://git.example.com/retail/edge-fleet.git', branch: 'main' },
    // Every POS VM's firmware UUID, serial and MAC derive from this, the store id and the VM id: never change it.
    vmIdentityNamespace: '6f1c2b9e-3d4a-4e8f-9b7c-1a2d3e4f5a6b',
    sync: { autoSync: true, interval: '5m', ...sync },
    // The stores on OCI (sync.source 'oci') pull <url>/<store id>, which CI fills with `edgefleet publish --oci`.
    ociArtifacts: { url: 'oci://registry.example.com/retail/edge-stores' },
    // The store node's 128 GB SSD leaves 100Gi to local-path volumes and VM disks after the OS and K3s's images.
    nodeProfile: { runtimeClasses: ['wasmedge'], localStorage: '100Gi' },
    rings: [...RINGS],
    maxStoresChangedOutsideFirstRing: 25,
    // A POS OS release reaches a running VM at its restart: the stores restart in their own window, Sunday night.
    vmRestart: { window: { days: ['sun'], start: '02:00', end: '04:00' } },
    telemetry: {
      logsUrl: 'https://logs.example.com/insert/opentelemetry/v1/logs',
      metricsUrl: 'https://metrics.example.com/api/v1/write',
      credentialsSecretName: 'telemetry-credentials',
      retention: '24h',
      logsPerHour: '20Mi',
      samplesPerSecond: 500,
    },
    // Each store's Secrets in secrets/<id>/, SOPS-encrypted for its key and the operators'.
    secrets: { operators: [OPERATORS_TEST_KEY], folder: path.join(packageRoot(__dirname), 'secrets') },
  });
  const fleetReleases = defineReleases(fleet, releases);
  fleet.addStores(stores, (inFleet, row) => defineStore(inFleet, row.values, fleetReleases), inventoryRowOptions(INVENTORY));
  return fleet;
}

/**
 * The fleet-wide releases: what version each ring runs. Promoting the POS OS to the next ring is
 * changing `throughRing` from 'canary' to 'early'; once 'general' runs it, it becomes `stable`.
 */
export const RELEASES = {
  posOs: { stable: '4.1.0', candidate: { version: '4.2.0', throughRing: 'canary' } },
  edgeMonitor: { stable: '1.4.2', stores: { 'store-042': '1.4.1' } },
  edgeApp: { stable: '2.0.1' },
} satisfies Record<string, ReleaseProps>;

/** The releases of the fleet, as constructs. */
type FleetReleases = Record<keyof typeof RELEASES, Release>;

function defineReleases(fleet: EdgeFleet, releases: Record<keyof typeof RELEASES, ReleaseProps>): FleetReleases {
  return {
    posOs: new Release(fleet, 'pos-os', releases.posOs),
    edgeMonitor: new Release(fleet, 'edge-monitor', releases.edgeMonitor),
    edgeApp: new Release(fleet, 'edge-app', releases.edgeApp),
  };
}

/** One store of the inventory, with the workloads every store runs. */
export function defineStore(fleet: EdgeFleet, row: StoreRow, releases: FleetReleases): EdgeStore {
  const { id, region, city, ring } = row;
  const store = new EdgeStore(fleet, id, {
    labels: { region, city, ring },
    nodeProfile: row.node_memory ? { memory: row.node_memory } : undefined,
    sync: { ...REGION_SYNC[region], agent: row.sync_agent },
    fleetRegistration: row.api_endpoint ? { apiEndpoint: row.api_endpoint, kubeconfigSecretName: row.kubeconfig_secret ?? '' } : undefined,
    ageRecipient: row.age_recipient,
    // Canary stores restart every night, so that a release is proven on them before the next ring gets it.
    vmRestart: { window: { timeZone: REGION_TIME_ZONE[region], days: ring === 'canary' ? [...WEEKDAYS] : undefined } },
    waivers:
      id === 'store-042'
        ? [
            {
              rule: 'prune-protection',
              object: 'PersistentVolumeClaim/kiosk-cache',
              reason: 'A disposable image cache of the vendor kiosk: when the kiosk goes, its cache should go too (ticket OPS-1234).',
            },
          ]
        : undefined,
  });

  // The POS OS image holds its disk under /disk, so it serves as a containerDisk and as a CDI registry
  // import alike. The flagship stores (16Gi nodes, which can afford CDI) boot from a persistent
  // DataVolume imported from it, pulled by the node from its pre-loaded images: each version a new
  // DataVolume, imported while the VM runs and booted in the window; the one before is kept for a rollback.
  const posOs = `${REGISTRY}/pos-os:${releases.posOs.versionFor(store)}`;
  new EdgePosVm(store, 'pos', {
    memory: '2Gi',
    cpu: 1,
    bootDisk: row.node_memory ? VmDisk.dataVolume({ size: '20Gi', registryImage: posOs }) : VmDisk.containerDisk(posOs),
    dataDisks: { data: VmDisk.localVolume({ size: '10Gi' }) },
    cloudInit: { userData: `#cloud-config\nhostname: pos-${id}\n` },
  });

  // The telemetry agents' credentials come from Git, encrypted for this store; a store without a key
  // (the Rancher Fleet stores) gets them out of band.
  if (row.age_recipient) new EncryptedSecret(store, 'telemetry-credentials');

  new EdgeMonitor(store, 'edge-monitor', {
    image: `${REGISTRY}/edge-monitor:${releases.edgeMonitor.versionFor(store)}`,
    env: { STORE_ID: id, REGION: region },
  });

  if (id === 'store-042') {
    // A vendor kiosk whose cache volume may be pruned with it: allowed here, with the reason on record for reviewers.
    store.addManifests('vendor-kiosk', vendorKiosk(store));
  }

  if (row.edge_app) {
    new EdgeWasmApp(store, 'edge-app', {
      image: `${REGISTRY}/edge-app:${releases.edgeApp.versionFor(store)}`,
      replicas: 3,
      cpu: '50m',
      memory: '64Mi',
    });
  }
  return store;
}

/** The vendor kiosk of store-042, as the vendor documents it, with our offline-safe settings, and its cache. */
function vendorKiosk(store: EdgeStore): ApiObjectProps[] {
  const cache: ApiObjectProps = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'kiosk-cache', namespace: store.workloadNamespace },
    spec: { storageClassName: store.nodeProfile.localStorageClass, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } },
  };
  return [
    cache,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'vendor-kiosk', namespace: store.workloadNamespace },
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': 'vendor-kiosk' } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'vendor-kiosk' } },
          spec: {
            nodeSelector: { 'kubernetes.io/arch': 'arm64' },
            tolerations: [{ key: 'edge-node', operator: 'Exists', effect: 'NoSchedule' }],
            automountServiceAccountToken: false,
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'kiosk',
                image: 'registry.example.com/vendor/kiosk:3.2.0',
                imagePullPolicy: 'IfNotPresent',
                ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
                readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
                livenessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 10, failureThreshold: 6 },
                resources: {
                  requests: { cpu: '50m', memory: '96Mi', 'ephemeral-storage': '64Mi' },
                  limits: { memory: '128Mi', 'ephemeral-storage': '256Mi' },
                },
                // The vendor's hardening guide: a non-root user, a read-only image, no capabilities.
                securityContext: {
                  runAsUser: 10001,
                  runAsGroup: 10001,
                  runAsNonRoot: true,
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [{ name: 'cache', mountPath: '/cache' }],
              },
            ],
            volumes: [{ name: 'cache', persistentVolumeClaim: { claimName: 'kiosk-cache' } }],
          },
        },
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'vendor-kiosk', namespace: store.workloadNamespace },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'vendor-kiosk' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ports: [{ port: 'http', protocol: 'TCP' }] }],
        egress: [{}],
      },
    },
  ];
}
