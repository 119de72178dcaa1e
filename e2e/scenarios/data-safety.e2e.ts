import { E2E_STORES } from '../fleet/e2e-fleet';
import { sleep } from '../harness/processes';
import { Scenario } from '../harness/scenario';

const STORE = E2E_STORES.containerDisk;

/** Time for the namespace and garbage-collector controllers to act on whatever Flux deleted. */
const SETTLE_MS = 20_000;

/** The POS's stateful objects and their namespace, each present and not being deleted. */
function expectPosDataKept(scenario: Scenario, namespace: string): void {
  const kubectl = scenario.cluster.kubectl;
  for (const [kind, name, ns] of [
    ['namespace', namespace, undefined],
    ['virtualmachines.kubevirt.io', 'pos', namespace],
    ['persistentvolumeclaim', 'pos-data', namespace],
  ]) {
    const live = kubectl.get(kind!, name!, ns);
    expect({ kind, name, present: live !== undefined, deleting: live?.metadata?.deletionTimestamp !== undefined }).toEqual({
      kind,
      name,
      present: true,
      deleting: false,
    });
  }
}

describe("what Git changes do to a store's objects", () => {
  describe('removing workloads', () => {
    let scenario: Scenario;
    beforeAll(async () => {
      scenario = await Scenario.start('remove-workloads', STORE);
    });
    afterAll(() => scenario?.stop());

    test('a removed stateless workload is pruned', async () => {
      // WHEN the kiosk Deployment is removed from the store's definition
      const commit = scenario.commitChange({ without: ['kiosk'] }, 'remove the kiosk');
      await scenario.applied(commit, 'stateless removal applied (s)');
      // THEN Flux deletes it
      expect(scenario.cluster.kubectl.get('deployment', 'kiosk', 'edge')).toBeUndefined();
    });

    test('a removed POS VM and its disk stay on the store', async () => {
      // WHEN the POS VM is removed from the store's definition
      const commit = scenario.commitChange({ without: ['kiosk', 'pos'] }, 'remove the POS');
      await scenario.applied(commit, 'stateful removal applied (s)');
      await sleep(SETTLE_MS);
      // THEN the VM and its data claim are left alone (prune-protected), and so is their namespace
      expectPosDataKept(scenario, 'edge');
    });
  });

  describe('removing the store from the fleet', () => {
    let scenario: Scenario;
    beforeAll(async () => {
      scenario = await Scenario.start('remove-store', STORE);
    });
    afterAll(() => scenario?.stop());

    test('leaves the POS VM, its disk and its namespace on the store', async () => {
      // WHEN the store is dropped from the fleet and synth's result committed (only bootstrap's filled files remain in its cluster folder)
      const others = Object.values(E2E_STORES).filter((s) => s !== STORE);
      const commit = scenario.commitChange({ stores: others }, `remove ${STORE} from the fleet`);
      await scenario.applied(commit, 'store removal applied by flux-system (s)', ['flux-system']);
      await sleep(SETTLE_MS);
      // THEN nothing that holds the POS's data is deleted
      expectPosDataKept(scenario, 'edge');
    });
  });

  describe('renaming the workload namespace', () => {
    let scenario: Scenario;
    beforeAll(async () => {
      scenario = await Scenario.start('rename-namespace', STORE);
    });
    afterAll(() => scenario?.stop());

    test('deletes no disk: the POS and its data stay in the old namespace', async () => {
      // WHEN the fleet's namespace changes from edge to retail, THEN synth refuses: the POS would start again on an empty disk
      expect(() => scenario.synthChange({ namespace: 'retail' })).toThrow('VirtualMachine "pos" moves from namespace "edge" to "retail"');
      // WHEN the move is declared, THEN edgefleet diff still warns that the POS moves to an empty disk
      const declared = { namespace: 'retail', statefulNamespaceMove: { from: 'edge', to: 'retail', reason: 'e2e: the data is migrated by hand' } };
      const diff = scenario.synthChange(declared);
      expect(diff).toContain('!! STATEFUL DATA: VirtualMachine "pos" moves from namespace "edge" to "retail"');
      expect(diff).toContain('!! STATEFUL DATA: PersistentVolumeClaim "pos-data" moves from namespace "edge" to "retail"');
      // AND once committed
      const commit = scenario.commitChange(declared, 'workload namespace edge -> retail');
      await scenario.applied(commit, 'namespace rename applied (s)');
      await sleep(SETTLE_MS);
      // THEN the old namespace, VM and claim are all still there
      expectPosDataKept(scenario, 'edge');
      // AND the new namespace holds the new objects
      expect(scenario.cluster.kubectl.get('virtualmachines.kubevirt.io', 'pos', 'retail')).toBeDefined();
    });
  });
});
