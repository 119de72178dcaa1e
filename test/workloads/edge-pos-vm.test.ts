import { JsonPatch } from 'cdk8s';
import { EdgePosVm, EdgePosVmProps, VmDisk } from '../../lib';
import { documents, objectOf, testStore, withLateChecks } from '../util';

const POS_FILE = 'stores/store-001/workloads/pos.yaml';
const BOOT = VmDisk.containerDisk('registry.example.com/retail/pos-os:4.1.0');

describe('EdgePosVm', () => {
  test('GIVEN the customer POS VM WHEN synthesized THEN it is a kubevirt.io/v1 VM with runStrategy and no running', () => {
    // GIVEN
    const store = testStore();

    // WHEN
    new EdgePosVm(store, 'pos', { memory: '2Gi', cpu: 1, bootDisk: BOOT });
    const vm = objectOf(store, POS_FILE, 'VirtualMachine');

    // THEN
    expect(vm.apiVersion).toBe('kubevirt.io/v1');
    expect(vm.spec.runStrategy).toBe('Always');
    expect(vm.spec).not.toHaveProperty('running');
    expect(vm.spec.template.spec.domain.memory).toEqual({ guest: '2Gi' });
  });

  test('GIVEN an arm64 store WHEN synthesized THEN the VM uses only what KubeVirt accepts on arm64', () => {
    // GIVEN
    const store = testStore();

    // WHEN
    new EdgePosVm(store, 'pos', { bootDisk: BOOT, cpu: 2 });
    const spec = objectOf(store, POS_FILE, 'VirtualMachine').spec.template.spec;

    // THEN
    expect(spec.domain.machine).toEqual({ type: 'virt' });
    expect(spec.domain.firmware).toMatchObject({ bootloader: { efi: { secureBoot: false } } });
    expect(spec.domain.cpu).toEqual({ cores: 2, sockets: 1, threads: 1, model: 'host-passthrough' });
    expect(spec.domain.devices.disks.map((d: any) => d.disk.bus)).toEqual(['virtio']);
    expect(spec.nodeSelector).toEqual({ 'kubernetes.io/arch': 'arm64' });
    expect(spec.tolerations).toEqual([{ key: 'edge-node', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(spec.evictionStrategy).toBe('None');
  });

  test('GIVEN an amd64 store WHEN synthesized THEN no arm64-only machine or firmware is set', () => {
    const store = testStore({ nodeProfile: { arch: 'amd64' } });
    new EdgePosVm(store, 'pos', { bootDisk: BOOT });
    const spec = objectOf(store, POS_FILE, 'VirtualMachine').spec.template.spec;
    expect(spec.domain).not.toHaveProperty('machine');
    expect(spec.nodeSelector).toEqual({ 'kubernetes.io/arch': 'amd64' });
  });

  test('GIVEN every kind of disk and cloud-init WHEN synthesized THEN each disk has a volume of the same name, on local storage', () => {
    // GIVEN
    const store = testStore({ nodeProfile: { localStorageClass: 'store-ssd' } });

    // WHEN
    new EdgePosVm(store, 'pos', {
      bootDisk: VmDisk.dataVolume({ size: '20Gi', registryImage: 'registry.example.com/retail/pos-disk:4.1.0' }),
      dataDisks: { journal: VmDisk.localVolume({ size: '5Gi' }), scratch: BOOT },
      cloudInit: { userData: '#cloud-config\n' },
    });
    const [claim, vm] = documents(store, POS_FILE);

    // THEN
    const spec = vm.spec.template.spec;
    expect(spec.domain.devices.disks.map((d: any) => d.name)).toEqual(['boot', 'journal', 'scratch', 'cloudinit']);
    expect(spec.volumes.map((v: any) => v.name)).toEqual(['boot', 'journal', 'scratch', 'cloudinit']);
    expect(spec.domain.devices.disks.some((d: any) => 'volumeName' in d)).toBe(false);
    expect(spec.volumes[0]).toEqual({ name: 'boot', dataVolume: { name: vm.spec.dataVolumeTemplates[0].metadata.name } });
    expect(vm.spec.dataVolumeTemplates[0].metadata.name).toMatch(/^pos-boot-[0-9a-f]{8}$/);
    expect(vm.spec.dataVolumeTemplates[0].spec).toEqual({
      source: { registry: { url: 'docker://registry.example.com/retail/pos-disk:4.1.0', pullMethod: 'node' } },
      storage: { storageClassName: 'store-ssd', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } },
    });
    expect(claim).toMatchObject({
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'pos-journal', namespace: 'edge' },
      spec: { storageClassName: 'store-ssd' },
    });
    expect(spec.volumes[2].containerDisk.imagePullPolicy).toBe('IfNotPresent');
    expect(spec.volumes[3]).toEqual({ name: 'cloudinit', cloudInitNoCloud: { userData: '#cloud-config\n' } });
  });

  describe('a DataVolume boot disk', () => {
    const bootDataVolume = (disk: VmDisk, props: Partial<EdgePosVmProps> = {}) => {
      const store = testStore({ vmRestart: { mode: 'immediately' } });
      new EdgePosVm(store, 'pos', {
        bootDisk: disk,
        dataDisks: { data: VmDisk.dataVolume({ size: '5Gi', httpUrl: 'https://images.example.com/seed.raw' }) },
        ...props,
      });
      return objectOf(store, POS_FILE, 'VirtualMachine');
    };
    const osDisk = (version: string, size = '20Gi') => VmDisk.dataVolume({ size, registryImage: `registry.example.com/retail/pos-disk:${version}` });

    test('GIVEN a new POS OS version WHEN synthesized THEN the boot DataVolume gets a new name, the data DataVolume keeps its own', () => {
      // GIVEN / WHEN
      const [v41, v41again, v42, v41bigger] = [osDisk('4.1.0'), osDisk('4.1.0'), osDisk('4.2.0'), osDisk('4.1.0', '30Gi')].map((d) =>
        bootDataVolume(d),
      );
      const names = (vm: any) => vm.spec.dataVolumeTemplates.map((t: any) => t.metadata.name);

      // THEN the same image and size give the same name; another image or size another one
      expect(names(v41)).toEqual(names(v41again));
      expect(names(v42)[0]).not.toBe(names(v41)[0]);
      expect(names(v41bigger)[0]).not.toBe(names(v41)[0]);
      // AND the data disk is the same DataVolume whatever the boot disk: its data is never re-imported
      expect(new Set([v41, v42, v41bigger].map((vm) => names(vm)[1]))).toEqual(new Set(['pos-data']));
      expect(v42.spec.template.spec.volumes[0]).toEqual({ name: 'boot', dataVolume: { name: names(v42)[0] } });
    });

    test("GIVEN a boot DataVolume WHEN synthesized THEN it is labelled as the VM's boot disk and imported at once, the data one is not", () => {
      // GIVEN / WHEN
      const [boot, data] = bootDataVolume(osDisk('4.1.0')).spec.dataVolumeTemplates;

      // THEN
      expect(boot.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'pos', 'edgefleet.io/boot-disk-of': 'pos' });
      expect(boot.metadata.annotations).toEqual({ 'cdi.kubevirt.io/storage.bind.immediate.requested': 'true' });
      expect(data.metadata).toEqual({ name: 'pos-data', labels: { 'app.kubernetes.io/name': 'pos' } });
    });

    test('GIVEN keepPreviousBootDisk WHEN synthesized THEN the VM says whether the restarter keeps the disk it ran before', () => {
      // GIVEN / WHEN
      const byDefault = bootDataVolume(osDisk('4.1.0'));
      const notKept = bootDataVolume(osDisk('4.1.0'), { keepPreviousBootDisk: false });

      // THEN
      expect(byDefault.metadata.annotations['edgefleet.io/keep-previous-boot-disk']).toBe('true');
      expect(notKept.metadata.annotations['edgefleet.io/keep-previous-boot-disk']).toBe('false');
    });

    test('GIVEN keepPreviousBootDisk on a VM booting from a containerDisk WHEN synthesized THEN an error says it fits DataVolumes only', () => {
      // GIVEN / WHEN / THEN
      expect(() => bootDataVolume(BOOT, { keepPreviousBootDisk: false })).toThrow(
        'store "store-001": EdgePosVm "pos": keepPreviousBootDisk false applies only to a boot disk made with VmDisk.dataVolume() (drop it; ' +
          "this VM's boot disk is not one)",
      );
    });
  });

  test('GIVEN memory "2 GB" WHEN creating the VM THEN the error names store, VM, field and fix', () => {
    expect(withLateChecks(() => new EdgePosVm(testStore({}, {}), 'pos', { memory: '2 GB', bootDisk: BOOT }))).toThrow(
      'store "store-001": EdgePosVm "pos": memory "2 GB" is not a Kubernetes quantity (use "2Gi")',
    );
  });

  test.each([
    [{ cpu: 0 }, 'cpu 0 must be a whole number of at least 1'],
    [{ runStrategy: 'Sometimes' as any }, 'runStrategy "Sometimes" is not supported'],
    [{ dataDisks: { boot: BOOT } }, 'dataDisks name "boot" is reserved'],
    [{ cloudInit: {} }, 'cloudInit needs exactly one of userData and userDataSecretName'],
    [
      { cloudInit: { userData: 'users:\n  - name: pos\n' } },
      'cloudInit.userData starts with "users:", which cloud-init does not recognise, so it would ignore the user data (start it with ' +
        '"#cloud-config", or "#!" for a script)',
    ],
    [{ bootDisk: VmDisk.dataVolume({ size: '20Gi' }) }, 'disk "boot" needs exactly one source'],
    [{ bootDisk: VmDisk.localVolume({ size: '20 GB' }) }, 'disk "boot" size "20 GB" is not a Kubernetes quantity (use "20Gi")'],
    [{ dataDisks: { data: VmDisk.localVolume({ size: '10' }) } }, 'disk "data" size "10" is only 10 bytes: its unit is missing or wrong (use "20Gi"'],
    [{ memory: '0' }, 'memory "0" must be more than 0 (use "2Gi")'],
    [{ bootDisk: VmDisk.containerDisk('Registry/POS OS') }, 'disk "boot" image "Registry/POS OS" is not a container image reference'],
  ])('GIVEN bad props %j WHEN creating the VM THEN it fails with a clear message', (props, message) => {
    expect(withLateChecks(() => new EdgePosVm(testStore(), 'pos', { bootDisk: BOOT, ...props }))).toThrow(
      `store "store-001": EdgePosVm "pos": ${message}`,
    );
  });

  test('GIVEN a JSON patch that brings back spec.running WHEN validating THEN the late check rejects it', () => {
    // GIVEN
    const store = testStore();
    const vm = new EdgePosVm(store, 'pos', { bootDisk: BOOT });

    // WHEN
    vm.resource.addJsonPatch(JsonPatch.add('/spec/running', true));
    vm.resource.addJsonPatch(JsonPatch.add('/spec/template/spec/domain/devices/disks/-', { name: 'orphan', disk: { bus: 'virtio' } }));

    // THEN
    expect(vm.node.validate()).toEqual([
      'store "store-001": EdgePosVm "pos": spec.running is deprecated since KubeVirt v1.4 and rejected next to runStrategy (set runStrategy instead)',
      'store "store-001": EdgePosVm "pos": disk "orphan" has no volume of the same name (add one to spec.template.spec.volumes)',
    ]);
  });
});
