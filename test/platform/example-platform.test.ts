import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

const STORES = path.join(__dirname, '..', '..', 'dist', 'stores');

/** The objects of one file of a store folder in the committed dist/, or none if it does not exist. */
function objectsIn(storeId: string, file: string): any[] {
  const full = path.join(STORES, storeId, file);
  return fs.existsSync(full) ? YAML.parseAllDocuments(fs.readFileSync(full, 'utf8')).map((d) => d.toJS()) : [];
}

describe("the example fleet's platform objects (committed dist/)", () => {
  const ids = fs.readdirSync(STORES).sort();
  const vms = ids.map((id) => ({ id, vm: objectsIn(id, 'workloads/pos.yaml').find((o) => o.kind === 'VirtualMachine') }));

  test('GIVEN every store runs the POS VM WHEN read THEN each carries a KubeVirt custom resource with infra.replicas 1', () => {
    expect(vms.every(({ vm }) => vm !== undefined)).toBe(true);
    for (const id of ids) {
      const [kubevirt] = objectsIn(id, 'infrastructure/kubevirt.yaml');
      expect([id, kubevirt?.kind, kubevirt?.spec?.infra?.replicas, kubevirt?.spec?.uninstallStrategy]).toEqual([
        id,
        'KubeVirt',
        1,
        'BlockUninstallIfWorkloadsExist',
      ]);
    }
  });

  test('GIVEN the flagship stores boot from a DataVolume WHEN read THEN exactly those carry a CDI custom resource', () => {
    const dataVolumeStores = vms.filter(({ vm }) => (vm.spec.dataVolumeTemplates ?? []).length > 0).map(({ id }) => id);
    const cdiStores = ids.filter((id) => objectsIn(id, 'infrastructure/cdi.yaml').some((o) => o.kind === 'CDI'));
    expect(dataVolumeStores).toEqual(['store-010', 'store-035', 'store-060', 'store-085']);
    expect(cdiStores).toEqual(dataVolumeStores);
  });

  test('GIVEN 100 VMs named "pos" WHEN read THEN each has a firmware UUID, serial and MAC of its own', () => {
    const identities = vms.map(({ vm }) => {
      const domain = vm.spec.template.spec.domain;
      return [domain.firmware.uuid, domain.firmware.serial, domain.devices.interfaces[0].macAddress];
    });
    for (const field of [0, 1, 2]) {
      const values = identities.map((i) => i[field]);
      expect(values.every((v) => typeof v === 'string' && v.length > 0)).toBe(true);
      expect(new Set(values).size).toBe(ids.length);
    }
  });
});
