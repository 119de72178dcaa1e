import { FieldChange } from '../../lib/diff/object-diff';
import { vmChangeEffect } from '../../lib/diff/vm-change-effect';
import { RESTART_BY_HAND } from '../../lib/model/vm-restart-policy';

const WINDOW = 'in the window Sun 02:00–04:00 Europe/Paris';

const change = (path: string, list?: FieldChange['list']): FieldChange => ({ path, before: 'a', after: 'b', ...(list ? { list } : {}) });

describe('when a VM change reaches the VM on the store', () => {
  test('GIVEN a new containerDisk image WHEN classified THEN it waits for the next restart, naming the field', () => {
    expect(vmChangeEffect([change('spec.template.spec.volumes[name=boot].containerDisk.image')], WINDOW)).toBe(
      "at the VM's next restart, in the window Sun 02:00–04:00 Europe/Paris (KubeVirt v1.6.5 sets RestartRequired and keeps the running VM " +
        'on its old template): ' +
        'spec.template.spec.volumes[name=boot].containerDisk.image',
    );
  });

  test.each([
    ['tolerations', 'spec.template.spec.tolerations[key=edge-node].effect'],
    ['the node selector', 'spec.template.spec.nodeSelector.kubernetes.io/arch'],
    ['the affinity', 'spec.template.spec.affinity.nodeAffinity'],
  ])('GIVEN a change of %s WHEN classified THEN it is applied live (LiveUpdate, the default rollout)', (_, path) => {
    expect(vmChangeEffect([change(path)], WINDOW)).toBe('live (KubeVirt applies these fields to the running VM)');
  });

  test('GIVEN a live field, the guest memory and the CPU sockets WHEN classified THEN a store VM (not migratable) needs a restart for both', () => {
    expect(
      vmChangeEffect(
        [
          change('spec.template.spec.domain.memory.guest'),
          change('spec.template.spec.domain.cpu.sockets'),
          change('spec.template.spec.tolerations[key=edge-node].effect'),
        ],
        WINDOW,
      ),
    ).toMatch(/^at the VM's next restart, in the window .*: spec\.template\.spec\.domain\.memory\.guest and 1 more$/);
  });

  test('GIVEN a DataVolume template whose source changed under its old name WHEN classified THEN it never reaches the disk', () => {
    expect(vmChangeEffect([change('spec.dataVolumeTemplates[metadata.name=pos-boot].spec.source.registry.url')], WINDOW)).toBe(
      'never, for DataVolume "pos-boot" (KubeVirt creates a template\'s DataVolume only when it is missing, and CDI refuses changes to its ' +
        'spec): the store keeps the disk it imported; a new disk needs a new DataVolume name',
    );
  });

  test('GIVEN a DataVolume template replaced by one of a new name WHEN classified THEN the new disk is used at the next restart', () => {
    const effect = vmChangeEffect(
      [
        change('spec.dataVolumeTemplates', 'item-added'),
        change('spec.dataVolumeTemplates', 'item-removed'),
        change('spec.template.spec.volumes[name=boot].dataVolume.name'),
      ],
      RESTART_BY_HAND,
    );
    expect(effect).toMatch(/^at the VM's next restart, by hand \(vmRestart mode "manual": `virtctl restart <vm>`\) /);
    expect(effect).toMatch(/: spec\.template\.spec\.volumes\[name=boot\]\.dataVolume\.name$/);
  });

  describe('a new boot disk', () => {
    const bootTemplate = (name: string, image: string) => ({
      metadata: { name, labels: { 'app.kubernetes.io/name': 'pos', 'edgefleet.io/boot-disk-of': 'pos' } },
      spec: { source: { registry: { url: `docker://${image}` } }, storage: { resources: { requests: { storage: '20Gi' } } } },
    });
    const newOsVersion: FieldChange[] = [
      {
        path: 'spec.dataVolumeTemplates[metadata.name=pos-boot-22222222]',
        before: undefined,
        after: bootTemplate('pos-boot-22222222', 'pos:4.2'),
        list: 'item-added',
      },
      {
        path: 'spec.dataVolumeTemplates[metadata.name=pos-boot-11111111]',
        before: bootTemplate('pos-boot-11111111', 'pos:4.1'),
        after: undefined,
        list: 'item-removed',
      },
      change('spec.template.spec.volumes[name=boot].dataVolume.name'),
    ];
    const vm = (keep: string) => ({ metadata: { annotations: { 'edgefleet.io/keep-previous-boot-disk': keep } } });

    test('GIVEN a new POS OS image on a DataVolume boot disk WHEN classified THEN the import comes first, then the restart in the window', () => {
      // GIVEN / WHEN
      const effect = vmChangeEffect(newOsVersion, WINDOW, vm('true'))!;

      // THEN
      expect(effect.split('; ')).toEqual([
        'a new boot disk of 20Gi, DataVolume "pos-boot-22222222" (docker://pos:4.2), imported while the VM runs unless the store still ' +
          "keeps it from an earlier release, booted at its next restart (the store's restarter then keeps the disk it replaces for a " +
          'rollback without download, and deletes older ones)',
        expect.stringMatching(/^at the VM's next restart, in the window Sun 02:00–04:00 Europe\/Paris .*dataVolume\.name$/),
      ]);
    });

    test.each([
      ['the VM keeps no previous disk', 'false', WINDOW, "the store's restarter then deletes the disk it replaces"],
      ['the store restarts by hand', 'true', RESTART_BY_HAND, 'the disk it replaces then stays until deleted by hand'],
    ])('GIVEN %s WHEN classified THEN it says what becomes of the old disk', (_, keep, restart, fate) => {
      expect(vmChangeEffect(newOsVersion, restart, vm(keep))).toContain(`booted at its next restart (${fate}); at the VM's next restart`);
    });
  });

  test('GIVEN only the run strategy or labels changed WHEN classified THEN nothing is said', () => {
    expect(vmChangeEffect([change('spec.runStrategy'), change('metadata.labels.app')], WINDOW)).toBeUndefined();
  });
});
