import { EdgeFleet, EdgeFleetProps, EdgePosVm, EdgeStore, FleetValidationError, VmDisk, synthesize } from '../../lib';
import { snapshotDir, tempDir } from '../util';

function fleetWith(props: Partial<EdgeFleetProps>): EdgeFleet {
  const fleet = new EdgeFleet({ repository: { url: 'https://git.example.com/retail/fleet.git' }, ...props });
  for (const id of ['store-001', 'store-002']) {
    new EdgePosVm(new EdgeStore(fleet, id), 'pos', {
      bootDisk: VmDisk.containerDisk('registry.example.com/pos:4.1.0'),
      dataDisks: { data: VmDisk.localVolume({ size: '10Gi' }) },
    });
  }
  return fleet;
}

describe('a stateful workload moved to another namespace', () => {
  test(
    'GIVEN stores whose VM and claim live in "edge" WHEN the workload namespace is renamed THEN synth refuses, naming each and both ways out, ' +
      'and writes nothing',
    () => {
      // GIVEN
      const outdir = tempDir();
      synthesize(fleetWith({}), { outdir });
      const before = snapshotDir(outdir);

      // WHEN
      const move = () => synthesize(fleetWith({ namespace: 'pos' }), { outdir });

      // THEN
      expect(move).toThrow(FleetValidationError);
      expect(move).toThrow(
        '2 stores, "store-001", "store-002": VirtualMachine "pos" moves from namespace "edge" to "pos": Flux keeps the old one, prune-protected, ' +
          'running on its data, and starts a second VM, with the same firmware identity and MAC address, on empty disks in "pos". Keep the ' +
          'namespace "edge", or stop the old VM, migrate its data, then declare the move with EdgeFleet statefulNamespaceMove: { from: \'edge\', ' +
          "to: 'pos', reason }",
      );
      expect(move).toThrow('2 stores, "store-001", "store-002": PersistentVolumeClaim "pos-data" moves from namespace "edge" to "pos"');
      expect(snapshotDir(outdir)).toEqual(before);
    },
  );

  test('GIVEN the same rename declared as a deliberate move WHEN synthesized THEN it is written', () => {
    // GIVEN
    const outdir = tempDir();
    synthesize(fleetWith({}), { outdir });

    // WHEN
    const declared = { from: 'edge', to: 'pos', reason: 'old VMs stopped and their disks copied by the store runbook' };
    const result = synthesize(fleetWith({ namespace: 'pos', statefulNamespaceMove: declared }), { outdir });

    // THEN
    expect(result.written).toContain('stores/store-001/workloads/pos.yaml');
    expect(snapshotDir(outdir).get('stores/store-001/workloads/pos.yaml')).toContain('namespace: pos');
  });

  test('GIVEN a declared move without a reason WHEN the fleet is built THEN it is refused', () => {
    expect(() => fleetWith({ statefulNamespaceMove: { from: 'edge', to: 'pos', reason: '' } })).toThrow(
      'fleet: statefulNamespaceMove.reason is missing (say why the move is made and how the data was migrated, for the reviewer)',
    );
  });
});
