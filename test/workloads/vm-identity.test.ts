import { EdgePosVm, EdgeStore, VmDisk } from '../../lib';
import { objectOf, testFleet } from '../util';

const BOOT = VmDisk.containerDisk('registry.example.com/retail/pos-os:4.1.0');

/** The identity fields of the VM `pos` in a fresh fleet, as synthesized. */
function identityOf(storeId: string, fleetProps = {}, vmProps = {}) {
  const store = new EdgeStore(testFleet(fleetProps), storeId);
  new EdgePosVm(store, 'pos', { bootDisk: BOOT, ...vmProps });
  const domain = objectOf(store, `stores/${storeId}/workloads/pos.yaml`, 'VirtualMachine').spec.template.spec.domain;
  return { uuid: domain.firmware.uuid, serial: domain.firmware.serial, mac: domain.devices.interfaces[0].macAddress };
}

const NAMESPACE = '6f1c2b9e-3d4a-4e8f-9b7c-1a2d3e4f5a6b';

describe('VM identity', () => {
  test('GIVEN the same fleet and store WHEN synthesized twice THEN the firmware UUID, serial and MAC are the same', () => {
    // GIVEN / WHEN
    const first = identityOf('store-001', { vmIdentityNamespace: NAMESPACE });
    const second = identityOf('store-001', { vmIdentityNamespace: NAMESPACE });

    // THEN
    expect(second).toEqual(first);
    expect(first.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first.serial).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first.serial).not.toBe(first.uuid);
  });

  test('GIVEN two stores WHEN synthesized THEN every identity field differs between them', () => {
    const a = identityOf('store-001', { vmIdentityNamespace: NAMESPACE });
    const b = identityOf('store-002', { vmIdentityNamespace: NAMESPACE });
    expect(b.uuid).not.toBe(a.uuid);
    expect(b.serial).not.toBe(a.serial);
    expect(b.mac).not.toBe(a.mac);
  });

  test('GIVEN another fleet namespace WHEN synthesized THEN the same store and VM get another identity', () => {
    expect(identityOf('store-001', { vmIdentityNamespace: NAMESPACE }).uuid).not.toBe(
      identityOf('store-001', { vmIdentityNamespace: '0b6f5c1e-8d7a-4f3b-9c2e-5a1d4e7f9b20' }).uuid,
    );
  });

  test('GIVEN no fleet namespace WHEN synthesized THEN the identity derives from the repository URL, stably', () => {
    expect(identityOf('store-001')).toEqual(identityOf('store-001'));
    expect(identityOf('store-001').uuid).not.toBe(identityOf('store-001', { repository: { url: 'https://git.example.com/other/fleet.git' } }).uuid);
  });

  test('GIVEN a derived MAC WHEN read THEN it is a locally administered unicast address, not the one KubeVirt reserves', () => {
    for (const id of ['store-001', 'store-002', 'store-003', 'store-004']) {
      const { mac } = identityOf(id, { vmIdentityNamespace: NAMESPACE });
      expect(mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
      // eslint-disable-next-line no-bitwise -- the first byte's two low bits: locally administered, unicast
      expect(parseInt(mac.slice(0, 2), 16) & 0b11).toBe(0b10);
      expect(mac).not.toBe('02:00:00:00:00:00');
    }
  });

  test('GIVEN a VM migrated from hardware WHEN its identity is overridden THEN the given values are pinned', () => {
    const identity = { firmwareUuid: '4C4C4544-0035-5910-8034-B4C04F4D3732', firmwareSerial: 'CN0XJ7 4M3732', macAddress: '52-54-00-AB-CD-EF' };
    expect(identityOf('store-001', { vmIdentityNamespace: NAMESPACE }, { identity })).toEqual({
      uuid: '4c4c4544-0035-5910-8034-b4c04f4d3732',
      serial: 'CN0XJ7 4M3732',
      mac: '52:54:00:ab:cd:ef',
    });
  });

  test('GIVEN only the serial overridden WHEN synthesized THEN the UUID and MAC stay derived', () => {
    const derived = identityOf('store-001', { vmIdentityNamespace: NAMESPACE });
    const partly = identityOf('store-001', { vmIdentityNamespace: NAMESPACE }, { identity: { firmwareSerial: 'POS-0001' } });
    expect(partly).toEqual({ ...derived, serial: 'POS-0001' });
  });

  test.each([
    [{ firmwareUuid: 'not-a-uuid' }, 'identity.firmwareUuid "not-a-uuid" is not a UUID'],
    [{ firmwareSerial: ' padded ' }, 'identity.firmwareSerial " padded " is not a serial number'],
    [{ macAddress: '52:54:00:ab:cd' }, 'identity.macAddress "52:54:00:ab:cd" is not a MAC address'],
    [{ macAddress: '01:00:5e:00:00:01' }, 'identity.macAddress "01:00:5e:00:00:01" is a multicast address'],
    [{ macAddress: '02:00:00:00:00:00' }, 'identity.macAddress "02:00:00:00:00:00" is reserved by KubeVirt'],
  ])('GIVEN identity %j WHEN creating the VM THEN the error names store, VM, field and fix', (identity, message) => {
    expect(() => identityOf('store-001', {}, { identity })).toThrow(`store "store-001": EdgePosVm "pos": ${message}`);
  });

  test('GIVEN a fleet namespace that is not a UUID WHEN creating the fleet THEN it fails with the fix', () => {
    expect(() => testFleet({ vmIdentityNamespace: 'retail' })).toThrow('vmIdentityNamespace "retail" is not a UUID (generate one with `uuidgen`');
  });
});
