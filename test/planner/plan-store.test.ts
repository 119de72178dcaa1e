import { JsonPatch } from 'cdk8s';
import { EdgeApp, EdgeMonitor, EdgePosVm, EdgeStore, VmDisk, renderFleet } from '../../lib';
import { DEFAULT_NODE_PROFILE } from '../../lib/model/node-profile';
import { overBudget, planStore } from '../../lib/planner/plan-store';
import { CDI_COMPONENTS, KUBEVIRT_COMPONENTS, vmOverheadBytes } from '../../lib/planner/reservation-model';
import { checkOfflineRules } from '../../lib/policies/check-offline-rules';
import { renderStoreWithObjects } from '../../lib/synth/render-store';
import { testFleet, pattern } from '../util';

const Mi = 2 ** 20;
const POS = VmDisk.containerDisk('registry.example.com/pos-os:4.1.0');

function planOf(store: EdgeStore) {
  return planStore(
    { id: store.id, labels: store.storeLabels, profile: store.nodeProfile, agent: store.sync.agent },
    renderStoreWithObjects(store).objects,
  );
}

describe('resource planner', () => {
  test('GIVEN a 2 GiB, 2-vCPU VM on arm64 WHEN costed THEN KubeVirt adds 428 Mi of overhead', () => {
    expect(vmOverheadBytes(2 * 1024 * Mi, 2, 'arm64') / Mi).toBe(428);
    expect(vmOverheadBytes(2 * 1024 * Mi, 2, 'amd64') / Mi).toBe(300);
  });

  test('GIVEN the customer store WHEN planned THEN the reservation is itemised and allocatable is what remains', () => {
    // GIVEN
    const store = new EdgeStore(testFleet(), 'store-001');
    new EdgePosVm(store, 'pos', { memory: '2Gi', cpu: 2, bootDisk: POS });
    new EdgeMonitor(store, 'edge-monitor', { image: 'registry.example.com/edge-monitor:1.4.2' });

    // WHEN
    const plan = planOf(store);

    // THEN
    expect(plan.reservations.map((r) => [r.item, r.memoryBytes / Mi])).toEqual([
      ['K3s server', 1600],
      ['KubeVirt components (spec.infra.replicas 1)', 2000],
      ['Flux controllers', 352],
      ['VM pos launcher overhead', 428],
      ['VM pos console log', 35],
    ]);
    expect(plan.capacity).toEqual({ cpuMillis: 4000, memoryBytes: 8192 * Mi });
    expect(plan.allocatable.memoryBytes / Mi).toBe(8192 - 1600 - 2000 - 352 - 428 - 35);
    expect(plan.allocatable.cpuMillis).toBe(4000 - 500 - 45 - 400 - 5);
    expect(plan.workloads).toEqual([
      { name: 'edge-monitor', kind: 'Deployment', replicas: 1, cpuMillis: 100, memoryBytes: 128 * Mi },
      { name: 'pos', kind: 'VirtualMachine', cpuMillis: 200, memoryBytes: 2048 * Mi },
    ]);
    expect(overBudget(plan)).toEqual([]);
  });

  describe('GIVEN a containerDisk store, a DataVolume store and a store without VMs', () => {
    const fleet = testFleet();
    const containerDisk = new EdgeStore(fleet, 'store-001');
    new EdgePosVm(containerDisk, 'pos', { bootDisk: POS });
    const dataVolume = new EdgeStore(fleet, 'store-002');
    new EdgePosVm(dataVolume, 'pos', { bootDisk: VmDisk.dataVolume({ size: '20Gi', registryImage: 'registry.example.com/pos-os:4.1.0' }) });
    const noVms = new EdgeStore(fleet, 'store-003');
    new EdgeMonitor(noVms, 'edge-monitor', { image: 'registry.example.com/edge-monitor:1.4.2' });
    const platformOf = (store: EdgeStore) => planOf(store).reservations.filter((r) => /KubeVirt|CDI/.test(r.item));

    test('WHEN planned THEN KubeVirt is counted at one infra replica where VMs run, and CDI only where DataVolumes are', () => {
      expect(platformOf(containerDisk).map((r) => [r.item, r.cpuMillis, r.memoryBytes / Mi])).toEqual([
        ['KubeVirt components (spec.infra.replicas 1)', 45, 2000],
      ]);
      expect(platformOf(dataVolume).map((r) => [r.item, r.cpuMillis, r.memoryBytes / Mi])).toEqual([
        ['KubeVirt components (spec.infra.replicas 1)', 45, 2000],
        ['CDI components', 400, 600],
      ]);
      expect(platformOf(noVms)).toEqual([]);
      expect(planOf(noVms).reservations.map((r) => r.item)).toEqual(['K3s server', 'Flux controllers']);
    });

    test('WHEN planned THEN each constant names its source and the saving against the default install is recorded', () => {
      const [kubevirt, cdi] = platformOf(dataVolume);
      expect(kubevirt.source).toBe(
        'kubevirt v1.6.5 pkg/virt-operator/resource/generate: ' +
          'virt-operator 2 × (10m, 450Mi) components/deployments.go NewOperatorDeployment; virt-api 1 × (5m, 500Mi) components/deployments.go ' +
          'NewApiServerDeployment; ' +
          'virt-controller 1 × (10m, 275Mi) components/deployments.go NewControllerDeployment; virt-handler 1 × (10m, 325Mi) ' +
          'components/daemonsets.go NewHandlerDaemonSet',
      );
      expect(kubevirt.savedAgainstDefault).toEqual({ cpuMillis: 10, memoryBytes: 275 * Mi });
      expect(cdi.source).toBe(
        'containerized-data-importer v1.63.1 pkg/operator/resources: cdi-operator 1 × (100m, 150Mi) operator/operator.go; ' +
          'cdi-deployment 1 × (100m, 150Mi) namespaced/controller.go; cdi-apiserver 1 × (100m, 150Mi) namespaced/apiserver.go; cdi-uploadproxy ' +
          '1 × (100m, 150Mi) namespaced/uploadproxy.go',
      );
      expect(cdi).not.toHaveProperty('savedAgainstDefault');
      expect([...KUBEVIRT_COMPONENTS, ...CDI_COMPONENTS].every((c) => c.source.length > 0)).toBe(true);
    });
  });

  test('GIVEN stores with VMs WHEN the report is rendered THEN it shows what infra.replicas 1 saves against the default install', () => {
    const fleet = testFleet();
    for (const id of ['store-001', 'store-002']) new EdgePosVm(new EdgeStore(fleet, id), 'pos', { bootDisk: POS });
    expect(renderFleet(fleet).get('REPORT.md')).toContain(
      'KubeVirt components (spec.infra.replicas 1) reserve 275 MiB of memory and 10m of CPU less per store ' +
        'than the default install: 0.54 GiB and 0.02 cores across 2 stores.',
    );
  });

  test(
    'GIVEN a KubeVirt custom resource patched back to the default replicas WHEN planned THEN the default footprint is counted, with no ' + 'saving',
    () => {
      const store = new EdgeStore(testFleet(), 'store-001');
      new EdgePosVm(store, 'pos', { bootDisk: POS });
      store.platform.kubevirt!.resource.addJsonPatch(JsonPatch.remove('/spec/infra/replicas'));
      const [kubevirt] = planOf(store).reservations.filter((r) => r.item.startsWith('KubeVirt'));
      expect(kubevirt).toMatchObject({ item: 'KubeVirt components', cpuMillis: 55, memoryBytes: 2275 * Mi });
      expect(kubevirt).not.toHaveProperty('savedAgainstDefault');
    },
  );

  test('GIVEN a node profile that overrides the reservation WHEN planned THEN its figures are used and named as overrides', () => {
    const store = new EdgeStore(testFleet(), 'store-001', { nodeProfile: { reservation: { k3sServer: { cpu: '300m', memory: '900Mi' } } } });
    const k3s = planOf(store).reservations[0];
    expect(k3s).toEqual({ item: 'K3s server', source: 'node profile override', cpuMillis: 300, memoryBytes: 900 * Mi });
  });

  test('GIVEN a node profile that overrides KubeVirt and CDI WHEN planned THEN its measurements replace the component sums', () => {
    const store = new EdgeStore(testFleet(), 'store-001', {
      nodeProfile: { reservation: { kubevirt: { cpu: '80m', memory: '1800Mi' }, cdi: { cpu: '200m', memory: '400Mi' } } },
    });
    new EdgePosVm(store, 'pos', { bootDisk: VmDisk.dataVolume({ size: '20Gi', registryImage: 'registry.example.com/pos-os:4.1.0' }) });
    expect(planOf(store).reservations.filter((r) => /KubeVirt|CDI/.test(r.item))).toEqual([
      { item: 'KubeVirt components', source: 'node profile override', cpuMillis: 80, memoryBytes: 1800 * Mi },
      { item: 'CDI components', source: 'node profile override', cpuMillis: 200, memoryBytes: 400 * Mi },
    ]);
  });

  test('GIVEN a store whose workloads do not fit WHEN synthesized THEN synth fails naming the overshoot and the biggest consumers', () => {
    const fleet = testFleet();
    const store = new EdgeStore(fleet, 'store-017');
    new EdgePosVm(store, 'pos', { memory: '6Gi', cpu: 2, bootDisk: POS });
    expect(() => renderFleet(fleet)).toThrow(
      pattern([
        /store "store-017": planned memory 6\.00 GiB exceeds allocatable 3\.\d\d GiB by 2\.\d\d GiB \(node 8\.00 GiB minus system reservation /,
        /4\.\d\d GiB\); biggest consumers: VirtualMachine pos 6\.00 GiB\. Lower requests, move a workload, or give the store a larger node /,
        /profile/,
      ]),
    );
  });

  describe('local storage', () => {
    const Gi = 2 ** 30;
    const storeWithDisks = (keepPreviousBootDisk?: boolean, localStorage?: string) => {
      const store = new EdgeStore(testFleet(), 'store-017', { nodeProfile: localStorage ? { localStorage } : {} });
      new EdgePosVm(store, 'pos', {
        bootDisk: VmDisk.dataVolume({ size: '20Gi', registryImage: 'registry.example.com/pos-disk:4.1.0' }),
        dataDisks: {
          data: VmDisk.localVolume({ size: '10Gi' }),
          seed: VmDisk.dataVolume({ size: '5Gi', httpUrl: 'https://images.example.com/seed.raw' }),
        },
        keepPreviousBootDisk,
      });
      return store;
    };

    test('GIVEN a VM booting from a DataVolume WHEN planned THEN its disks, the boot disk kept for a rollback and a new one count', () => {
      // GIVEN / WHEN
      const kept = planOf(storeWithDisks()).localStorage;
      const notKept = planOf(storeWithDisks(false)).localStorage;

      // THEN 10Gi claim + 5Gi data DataVolume + 20Gi boot disk (+ 20Gi kept), and 20Gi more while a release is imported
      expect(kept).toEqual({ steadyBytes: 55 * Gi, peakBytes: 75 * Gi });
      expect(notKept).toEqual({ steadyBytes: 35 * Gi, peakBytes: 55 * Gi });
    });

    test('GIVEN a node profile whose disk is too small for a release WHEN synthesized THEN synth fails with the figures and the fixes', () => {
      // GIVEN
      const store = storeWithDisks(true, '64Gi');

      // WHEN / THEN
      expect(overBudget(planOf(store))).toEqual([
        "planned local storage 75.00 GiB exceeds the node profile's localStorage 64.00 GiB by 11.00 GiB (55.00 GiB of claims, VM disks and " +
          'boot disks kept for a rollback, 20.00 GiB more while a new POS OS is imported). Make disks smaller, set keepPreviousBootDisk: false, ' +
          'or give the store a node profile with more localStorage',
      ]);
      expect(overBudget(planOf(storeWithDisks(true, '80Gi')))).toEqual([]);
    });
  });

  test('GIVEN an app scaled to zero WHEN planned and checked THEN it requests nothing, yet its pod template still follows the offline rules', () => {
    // GIVEN: an app too big for the node, scaled to zero, and pulled Always by a JSON patch
    const fleet = testFleet();
    const store = new EdgeStore(fleet, 'store-001');
    const app = new EdgeApp(store, 'seasonal', { image: 'registry.example.com/seasonal:1.0.0', memory: '16Gi', replicas: 0 });

    // WHEN
    const plan = planOf(store);

    // THEN
    expect(plan.workloads).toEqual([{ name: 'seasonal', kind: 'Deployment', replicas: 0, cpuMillis: 0, memoryBytes: 0 }]);
    expect(overBudget(plan)).toEqual([]);
    expect(renderFleet(fleet).get('REPORT.md')).toContain('1 store, 1 workload (1 scaled to zero), 0 VMs.');
    app.resource.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/imagePullPolicy', 'Always'));
    expect(checkOfflineRules(renderStoreWithObjects(store).objects, store.nodeProfile, []).violations.map((v) => v.rule)).toEqual(['pull-policy']);
  });

  test('GIVEN the default profile WHEN read THEN it is the customer node', () => {
    expect(DEFAULT_NODE_PROFILE).toMatchObject({ cpu: 4, memory: '8Gi', arch: 'arm64' });
  });
});
