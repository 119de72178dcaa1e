import {
  CDI_COMPONENTS,
  ControlPlaneComponent,
  DEFAULT_RESERVATION,
  FixedReservationItem,
  KUBEVIRT_COMPONENTS,
  SourcedReservation,
  VM_CPU_MILLIS_PER_VCPU,
  vmOverheadBytes,
} from './reservation-model';
import { LocalStorageDemand, ReservationItem, Resources, StorePlan, WorkloadDemand } from './store-plan';
import { ReservedResources, ResolvedNodeProfile } from '../model/node-profile';
import { KEEP_PREVIOUS_BOOT_DISK_ANNOTATION, isBootDiskTemplate } from '../model/vm-boot-disk';
import { hasDataVolumes } from '../platform/check-platform';
import { CDI_VERSION, KUBEVIRT_VERSION } from '../platform/platform-versions';
import { quantityValue } from '../prop-checks/quantity';

/** What the planner needs to know of a store besides its objects. */
export interface PlannedStore {
  /** The store id. */
  readonly id: string;
  /** The store's labels. */
  readonly labels: Record<string, string>;
  /** The store's node profile. */
  readonly profile: ResolvedNodeProfile;
  /** The agent that syncs the store. */
  readonly agent: 'flux' | 'fleet';
}

const ZERO: Resources = { cpuMillis: 0, memoryBytes: 0 };

function resources(cpu: string | undefined, memory: string | undefined): Resources {
  return { cpuMillis: cpu ? quantityValue(cpu) * 1000 : 0, memoryBytes: memory ? quantityValue(memory) : 0 };
}

function sum(items: Resources[]): Resources {
  return items.reduce((a, b) => ({ cpuMillis: a.cpuMillis + b.cpuMillis, memoryBytes: a.memoryBytes + b.memoryBytes }), ZERO);
}

/** What the containers of a pod spec request. */
function podRequests(pod: any): Resources {
  return sum((pod?.containers ?? []).map((c: any) => resources(c.resources?.requests?.cpu, c.resources?.requests?.memory)));
}

function reservation(item: string, r: SourcedReservation): ReservationItem {
  return { item, source: r.source, ...resources(r.cpu, r.memory) };
}

const OVERRIDE_SOURCE = 'node profile override';

/** The fixed items of a profile's reservation model: the defaults, with the profile's overrides. */
function model(profile: ResolvedNodeProfile): { [K in FixedReservationItem]: SourcedReservation } {
  const { kubevirt, cdi, ...fixed } = profile.reservation ?? {};
  const overrides = Object.fromEntries(Object.entries(fixed).map(([k, v]) => [k, { ...v, source: OVERRIDE_SOURCE }]));
  return { ...DEFAULT_RESERVATION, ...overrides };
}

/** The value at a dotted path of an object, e.g. `spec.infra.replicas`. */
function at(o: any, dotted: string): unknown {
  return dotted.split('.').reduce((v, k) => v?.[k], o);
}

/** How many replicas of a component run: as the custom resource sets them, else the default. */
function replicasOf(component: ControlPlaneComponent, customResource: any): number {
  const set = component.scaledBy ? at(customResource, component.scaledBy) : undefined;
  return typeof set === 'number' && Number.isInteger(set) && set >= 1 ? set : component.defaultReplicas;
}

function footprint(components: ControlPlaneComponent[], replicas: (c: ControlPlaneComponent) => number): Resources {
  return sum(
    components.map((c) => {
      const one = resources(c.cpu, c.memory);
      return { cpuMillis: one.cpuMillis * replicas(c), memoryBytes: one.memoryBytes * replicas(c) };
    }),
  );
}

/** What an operator's control plane needs in this store, and what that saves against its default install. */
interface ControlPlane {
  /** Shown as the reservation item, e.g. `KubeVirt components`. */
  readonly item: string;
  /** The project and release, with the folder of its component generators, for the source. */
  readonly origin: string;
  /** Its components, with their requests and default replicas. */
  readonly components: ControlPlaneComponent[];
  /** The store's custom resource of the operator, if any. */
  readonly customResource: any;
  /** The profile's override of the whole item. */
  readonly override?: ReservedResources;
}

/**
 * The reservation of an operator's control plane: the profile's override, or its components' requests
 * at the replicas of the store's custom resource, with each figure's source and the saving against
 * the operator's default replicas.
 */
function controlPlaneReservation(plane: ControlPlane): ReservationItem {
  if (plane.override) return reservation(plane.item, { ...plane.override, source: OVERRIDE_SOURCE });
  const replicas = (c: ControlPlaneComponent) => replicasOf(c, plane.customResource);
  const planned = footprint(plane.components, replicas);
  const byDefault = footprint(plane.components, (c) => c.defaultReplicas);
  const tuned = plane.components.filter((c) => c.scaledBy && replicas(c) !== c.defaultReplicas).map((c) => `${c.scaledBy} ${replicas(c)}`);
  const source = `${plane.origin}: ${plane.components.map((c) => `${c.name} ${replicas(c)} × (${c.cpu}, ${c.memory}) ${c.source}`).join('; ')}`;
  const saved = { cpuMillis: byDefault.cpuMillis - planned.cpuMillis, memoryBytes: byDefault.memoryBytes - planned.memoryBytes };
  return {
    item: tuned.length > 0 ? `${plane.item} (${[...new Set(tuned)].join(', ')})` : plane.item,
    source,
    ...planned,
    ...(saved.cpuMillis !== 0 || saved.memoryBytes !== 0 ? { savedAgainstDefault: saved } : {}),
  };
}

/**
 * The resource plan of one store: node capacity minus the system reservation (K3s, KubeVirt where
 * VMs run, CDI where DataVolumes are, the sync agent, node agents such as telemetry, and each VM's
 * launcher overhead) gives what is allocatable; the workloads' requests must fit in it.
 */
export function planStore(store: PlannedStore, objects: any[]): StorePlan {
  const m = model(store.profile);
  const vms = objects.filter((o) => o.kind === 'VirtualMachine');
  const reservations: ReservationItem[] = [reservation('K3s server', m.k3sServer)];
  if (vms.length > 0) {
    reservations.push(
      controlPlaneReservation({
        item: 'KubeVirt components',
        origin: `kubevirt ${KUBEVIRT_VERSION} pkg/virt-operator/resource/generate`,
        components: KUBEVIRT_COMPONENTS,
        customResource: objects.find((o) => o.kind === 'KubeVirt'),
        override: store.profile.reservation?.kubevirt,
      }),
    );
  }
  if (hasDataVolumes(objects)) {
    reservations.push(
      controlPlaneReservation({
        item: 'CDI components',
        origin: `containerized-data-importer ${CDI_VERSION} pkg/operator/resources`,
        components: CDI_COMPONENTS,
        customResource: objects.find((o) => o.kind === 'CDI'),
        override: store.profile.reservation?.cdi,
      }),
    );
  }
  reservations.push(store.agent === 'flux' ? reservation('Flux controllers', m.flux) : reservation('Fleet agent', m.fleetAgent));
  for (const ds of objects.filter((o) => o.kind === 'DaemonSet')) {
    reservations.push({
      item: `node agent ${ds.metadata?.name}`,
      source: 'its requests (DaemonSet in the store folder)',
      ...podRequests(ds.spec?.template?.spec),
    });
  }
  const workloads: WorkloadDemand[] = [];
  for (const vm of vms) {
    const domain = vm.spec?.template?.spec?.domain ?? {};
    const guest = quantityValue(String(domain.memory?.guest ?? domain.resources?.requests?.memory ?? '0'));
    const vcpus = (domain.cpu?.cores ?? 1) * (domain.cpu?.sockets ?? 1) * (domain.cpu?.threads ?? 1);
    reservations.push({
      item: `VM ${vm.metadata?.name} launcher overhead`,
      source:
        'KubeVirt formula: 240Mi + guest/512 + 8Mi per vCPU + 8Mi IOThread + 32Mi video + 128Mi on arm64 (pkg/hypervisor/kvm/hypervisorbackend.go)',
      cpuMillis: 0,
      memoryBytes: vmOverheadBytes(guest, vcpus, store.profile.arch),
    });
    reservations.push(reservation(`VM ${vm.metadata?.name} console log`, m.vmConsoleLog));
    workloads.push({ name: vm.metadata?.name, kind: 'VirtualMachine', cpuMillis: vcpus * VM_CPU_MILLIS_PER_VCPU, memoryBytes: guest });
  }
  for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet')) {
    const per = podRequests(o.spec?.template?.spec);
    const replicas = o.spec?.replicas ?? 1;
    workloads.push({ name: o.metadata?.name, kind: o.kind, replicas, cpuMillis: per.cpuMillis * replicas, memoryBytes: per.memoryBytes * replicas });
  }
  // A CronJob's pod needs its requests free whenever it runs, or it waits (a restart in a window would not happen).
  for (const o of objects.filter((x) => x.kind === 'CronJob')) {
    workloads.push({ name: o.metadata?.name, kind: o.kind, ...podRequests(o.spec?.jobTemplate?.spec?.template?.spec) });
  }
  const capacity = resources(String(store.profile.cpu), store.profile.memory);
  const reserved = sum(reservations);
  return {
    store: store.id,
    labels: store.labels,
    capacity,
    reservations,
    allocatable: { cpuMillis: capacity.cpuMillis - reserved.cpuMillis, memoryBytes: capacity.memoryBytes - reserved.memoryBytes },
    workloads: workloads.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    requested: sum(workloads),
    vms: vms.length,
    localStorage: localStorageOf(objects, vms, store.profile),
  };
}

/** Bytes a claim or DataVolume template requests. */
function storageBytes(spec: any): number {
  const storage = spec?.resources?.requests?.storage ?? spec?.storage?.resources?.requests?.storage;
  return storage === undefined ? 0 : quantityValue(String(storage));
}

/**
 * What the store's claims and VM disks take on the node's disk: each claim and DataVolume, plus for a VM
 * booting from a DataVolume the boot disk it keeps for a rollback (steady), and a new one while a release
 * is imported (peak): its restarter deletes the oldest only once the VM runs the new one.
 */
function localStorageOf(objects: any[], vms: any[], profile: ResolvedNodeProfile): LocalStorageDemand {
  const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim').reduce((total, c) => total + storageBytes(c.spec), 0);
  let steadyBytes = claims;
  let newBootDisks = 0;
  for (const vm of vms) {
    for (const template of vm.spec?.dataVolumeTemplates ?? []) {
      const bytes = storageBytes(template.spec);
      steadyBytes += bytes;
      if (!isBootDiskTemplate(template)) continue;
      newBootDisks += bytes;
      if (vm.metadata?.annotations?.[KEEP_PREVIOUS_BOOT_DISK_ANNOTATION] !== 'false') steadyBytes += bytes;
    }
  }
  const capacity = profile.localStorage === undefined ? undefined : quantityValue(profile.localStorage);
  return { steadyBytes, peakBytes: steadyBytes + newBootDisks, ...(capacity === undefined ? {} : { capacityBytes: capacity }) };
}

function mi(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;
}

/** Why a store's workloads do not fit, naming the biggest consumers and the overshoot; empty when they fit. */
export function overBudget(plan: StorePlan): string[] {
  const problems: string[] = [];
  const reservedTotal = sum(plan.reservations);
  const check = (what: 'memory' | 'CPU', key: keyof Resources, show: (n: number) => string) => {
    const over = plan.requested[key] - plan.allocatable[key];
    // Not a number when a quantity is not one, which its construct reported already.
    if (!(over > 0)) return;
    const biggest = [...plan.workloads]
      .sort((a, b) => b[key] - a[key])
      .slice(0, 3)
      .map((w) => `${w.kind} ${w.name} ${show(w[key])}`)
      .join(', ');
    problems.push(
      `planned ${what} ${show(plan.requested[key])} exceeds allocatable ${show(plan.allocatable[key])} by ${show(over)} (node ` +
        `${show(plan.capacity[key])} minus system reservation ${show(reservedTotal[key])}); biggest consumers: ${biggest}. Lower requests, move ` +
        `a workload, or give the store a larger node profile`,
    );
  };
  check('memory', 'memoryBytes', mi);
  check('CPU', 'cpuMillis', (n) => `${Math.round(n)}m`);
  const { steadyBytes, peakBytes, capacityBytes } = plan.localStorage;
  if (capacityBytes !== undefined && peakBytes > capacityBytes) {
    problems.push(
      `planned local storage ${mi(peakBytes)} exceeds the node profile's localStorage ${mi(capacityBytes)} by ${mi(peakBytes - capacityBytes)} ` +
        `(${mi(steadyBytes)} of claims, VM disks and boot disks kept for a rollback, ${mi(peakBytes - steadyBytes)} more while a new POS OS ` +
        `is imported). Make disks smaller, set keepPreviousBootDisk: false, or give the store a node profile with more localStorage`,
    );
  }
  return problems;
}
