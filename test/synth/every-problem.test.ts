import { EdgeApp, EdgeFleet, EdgePosVm, EdgeStore, FleetValidationError, VmDisk, renderFleet, synthesize } from '../../lib';
import { snapshotDir, tempDir, testFleet, testStore } from '../util';

const PINNED = 'registry.example.com/retail/loyalty:2.3.0';

/** The problems synth reports for the fleet (an error other than a problem of the definition is thrown). */
function problemsOf(fleet: EdgeFleet): string[] {
  try {
    renderFleet(fleet);
  } catch (e) {
    if (e instanceof FleetValidationError) return e.problems;
    throw e;
  }
  throw new Error('the fleet rendered without a problem');
}

describe('every problem of a store in one run', () => {
  test(
    'GIVEN an app with a prop its constructor reports and an image the offline rules refuse WHEN synthesized THEN both are reported, the ' +
      "constructor's first, and dist/ stays as it was",
    () => {
      // GIVEN
      const outdir = tempDir();
      const store = testStore();
      new EdgeApp(store, 'x', { image: 'nginx:latest', replicas: -1 });

      // WHEN
      const run = () => synthesize(store.fleet, { outdir });

      // THEN
      expect(run).toThrow(FleetValidationError);
      expect(problemsOf(store.fleet)).toEqual([
        'store "store-001": EdgeApp "x": replicas -1 must be a whole number of at least 0',
        expect.stringMatching(/^store "store-001": Deployment\/x: spec\.template\.spec\.containers\[0\]\.image "nginx:latest" is not pinned /),
      ]);
      expect(snapshotDir(outdir).size).toBe(0);
    },
  );

  test('GIVEN quantities that are not quantities WHEN synthesized THEN each is reported once, and the planner does not fail on them', () => {
    // GIVEN
    const store = testStore();
    new EdgeApp(store, 'loyalty', { image: PINNED, memory: '2 GB', cpu: 'lots', memoryLimit: '4 GB' });
    new EdgePosVm(store, 'pos', { memory: 'two gigabytes', cpu: -1, bootDisk: VmDisk.containerDisk('registry.example.com/pos:4.1.0') });

    // WHEN
    const problems = problemsOf(store.fleet);

    // THEN
    expect(problems).toEqual([
      'store "store-001": EdgeApp "loyalty": memory "2 GB" is not a Kubernetes quantity (use "128Mi")',
      'store "store-001": EdgeApp "loyalty": memoryLimit "4 GB" is not a Kubernetes quantity (use "256Mi")',
      'store "store-001": EdgeApp "loyalty": cpu "lots" is not a Kubernetes quantity (use "100m")',
      'store "store-001": EdgePosVm "pos": memory "two gigabytes" is not a Kubernetes quantity (use "2Gi")',
      'store "store-001": EdgePosVm "pos": cpu -1 must be a whole number of at least 1',
    ]);
  });

  test(
    'GIVEN a store declared with addStores whose definition fails after a prop it reports WHEN synthesized THEN both are reported, in the ' +
      'order found',
    () => {
      // GIVEN
      const fleet = testFleet();
      fleet.addStores(
        [{ id: 'store-001' }],
        (f, row) => {
          const store = new EdgeStore(f, row.id);
          new EdgeApp(store, 'loyalty', { image: PINNED, replicas: 1.5 });
          new EdgeApp(store, 'api', { image: PINNED, ports: { http: 70000 } });
          return store;
        },
        { inputsOf: (row) => row, where: () => 'inventory.csv line 2' },
      );

      // WHEN
      const problems = problemsOf(fleet);

      // THEN
      expect(problems).toEqual([
        'inventory.csv line 2: store "store-001": EdgeApp "loyalty": replicas 1.5 must be a whole number of at least 0',
        'inventory.csv line 2: store "store-001": EdgeApp "api": ports "http" 70000 is not a port number (use 1 to 65535)',
      ]);
    },
  );

  test('GIVEN a mistake in a setting of the fleet itself WHEN the fleet is defined THEN it is refused there, naming the fleet', () => {
    expect(() => testFleet({ nodeProfile: { memory: '8 GB' } })).toThrow(/^fleet: nodeProfile\.memory "8 GB" is not a Kubernetes quantity/);
  });
});
