import { JsonPatch } from 'cdk8s';
import { DEFAULT_NODE_PROFILE, EdgeApp, EdgeMonitor, EdgePosVm, EdgeStore, VmDisk, checkOfflineRules, overBudget, planStore, renderFleet, renderStoreWithObjects, vmOverheadBytes } from '../../lib';
import { testFleet } from '../util';

const Mi = 2 ** 20;
const POS = VmDisk.containerDisk('registry.example.com/pos-os:4.1.0');

function planOf(store: EdgeStore) {
  return planStore({ id: store.id, labels: store.storeLabels, profile: store.nodeProfile, agent: store.sync.agent }, renderStoreWithObjects(store).objects);
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
      ['K3s server', 1600], ['KubeVirt components', 2575], ['Flux controllers', 256], ['VM pos launcher overhead', 428], ['VM pos console log', 35],
    ]);
    expect(plan.capacity).toEqual({ cpuMillis: 4000, memoryBytes: 8192 * Mi });
    expect(plan.allocatable.memoryBytes / Mi).toBe(8192 - 1600 - 2575 - 256 - 428 - 35);
    expect(plan.allocatable.cpuMillis).toBe(4000 - 500 - 100 - 400 - 5);
    expect(plan.workloads).toEqual([
      { name: 'edge-monitor', kind: 'Deployment', replicas: 1, cpuMillis: 100, memoryBytes: 128 * Mi },
      { name: 'pos', kind: 'VirtualMachine', cpuMillis: 200, memoryBytes: 2048 * Mi },
    ]);
    expect(overBudget(plan)).toEqual([]);
  });

  test('GIVEN a node profile that overrides the reservation WHEN planned THEN its figures are used and named as overrides', () => {
    const store = new EdgeStore(testFleet(), 'store-001', { nodeProfile: { reservation: { k3sServer: { cpu: '300m', memory: '900Mi' } } } });
    const k3s = planOf(store).reservations[0];
    expect(k3s).toEqual({ item: 'K3s server', source: 'node profile override', cpuMillis: 300, memoryBytes: 900 * Mi });
  });

  test('GIVEN a store whose workloads do not fit WHEN synthesized THEN synth fails naming the overshoot and the biggest consumers', () => {
    const fleet = testFleet();
    const store = new EdgeStore(fleet, 'store-017');
    new EdgePosVm(store, 'pos', { memory: '6Gi', cpu: 2, bootDisk: POS });
    expect(() => renderFleet(fleet)).toThrow(/store "store-017": planned memory 6\.00 GiB exceeds allocatable 3\.\d\d GiB by 2\.\d\d GiB \(node 8\.00 GiB minus system reservation 4\.\d\d GiB\); biggest consumers: VirtualMachine pos 6\.00 GiB\. Lower requests, move a workload, or give the store a larger node profile/);
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
