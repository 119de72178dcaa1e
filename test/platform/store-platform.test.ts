import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { JsonPatch } from 'cdk8s';
import { EdgeFleet, EdgePosVm, EdgeStore, EdgeWasmApp, NodeProfile, VmDisk, renderFleet, synthesize } from '../../lib';
import { checkPlatform } from '../../lib/platform/check-platform';
import { renderStoreWithObjects } from '../../lib/synth/render-store';
import { validateTree } from '../../lib/validate/validate-tree';
import { documents, objectOf, tempDir, testFleet, testStore } from '../util';

const BOOT = VmDisk.containerDisk('registry.example.com/retail/pos-os:4.1.0');
const DATA_VOLUME = VmDisk.dataVolume({ size: '20Gi', registryImage: 'registry.example.com/retail/pos-os:4.1.0' });
const KUBEVIRT_FILE = 'stores/store-001/infrastructure/kubevirt.yaml';
const CDI_FILE = 'stores/store-001/infrastructure/cdi.yaml';

function filesOf(store: EdgeStore): string[] {
  return [...renderStoreWithObjects(store).files.keys()];
}

describe('the store platform', () => {
  test('GIVEN a store with a VM WHEN synthesized THEN its infrastructure layer holds a KubeVirt custom resource tuned for one node', () => {
    // GIVEN
    const store = testStore();
    new EdgePosVm(store, 'pos', { bootDisk: BOOT });

    // WHEN
    const kubevirt = objectOf(store, KUBEVIRT_FILE, 'KubeVirt');

    // THEN
    const placement = {
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
      tolerations: [{ key: 'edge-node', operator: 'Exists', effect: 'NoSchedule' }],
    };
    expect(kubevirt).toEqual({
      apiVersion: 'kubevirt.io/v1',
      kind: 'KubeVirt',
      metadata: {
        name: 'kubevirt',
        namespace: 'kubevirt',
        labels: { 'app.kubernetes.io/managed-by': 'edgefleet' },
        annotations: {
          'kustomize.toolkit.fluxcd.io/prune': 'disabled',
          'helm.sh/resource-policy': 'keep',
          'edgefleet.io/kubevirt-version': 'v1.6.5',
        },
      },
      spec: {
        imagePullPolicy: 'IfNotPresent',
        infra: { replicas: 1, nodePlacement: placement },
        workloads: { nodePlacement: placement },
        uninstallStrategy: 'BlockUninstallIfWorkloadsExist',
      },
    });
    expect(documents(store, 'stores/store-001/infrastructure/kustomization.yaml')[0].resources).toEqual([
      'kubevirt.yaml',
      'namespace.yaml',
      'workloads-access.yaml',
    ]);
    expect(filesOf(store)).not.toContain(CDI_FILE);
  });

  test('GIVEN a store without VMs WHEN synthesized THEN it has neither KubeVirt nor CDI custom resource', () => {
    const store = testStore();
    expect(filesOf(store).filter((f) => f.includes('/infrastructure/'))).toEqual([
      'stores/store-001/infrastructure/namespace.yaml',
      'stores/store-001/infrastructure/workloads-access.yaml',
      'stores/store-001/infrastructure/kustomization.yaml',
    ]);
  });

  test('GIVEN a VM booting from a DataVolume WHEN synthesized THEN the store gets a cluster-scoped CDI custom resource', () => {
    // GIVEN
    const store = testStore({ nodeProfile: { taints: [{ key: 'pos-only', effect: 'NoExecute' }] } });
    new EdgePosVm(store, 'pos', { bootDisk: DATA_VOLUME });

    // WHEN
    const cdi = objectOf(store, CDI_FILE, 'CDI');

    // THEN
    const placement = {
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
      tolerations: [{ key: 'pos-only', operator: 'Exists', effect: 'NoExecute' }],
    };
    expect(cdi.apiVersion).toBe('cdi.kubevirt.io/v1beta1');
    expect(cdi.metadata).not.toHaveProperty('namespace');
    expect(cdi.metadata.annotations).toEqual({ 'kustomize.toolkit.fluxcd.io/prune': 'disabled', 'helm.sh/resource-policy': 'keep' });
    expect(cdi.spec).toEqual({
      imagePullPolicy: 'IfNotPresent',
      infra: placement,
      workload: placement,
      config: { featureGates: ['HonorWaitForFirstConsumer', 'WebhookPvcRendering'] },
      uninstallStrategy: 'BlockUninstallIfWorkloadsExist',
    });
  });

  test('GIVEN a registry DataVolume WHEN synthesized THEN CDI gets the image through the node (pullMethod: node) and images.txt lists it', () => {
    // GIVEN
    const fleet = testFleet();
    const store = new EdgeStore(fleet, 'store-001');
    new EdgePosVm(store, 'pos', {
      bootDisk: DATA_VOLUME,
      dataDisks: { recovery: VmDisk.dataVolume({ size: '5Gi', registryImage: 'registry.example.com/retail/recovery:1.0.0', pullMethod: 'pod' }) },
    });

    // WHEN
    const files = renderFleet(fleet);
    const vm = objectOf(store, 'stores/store-001/workloads/pos.yaml', 'VirtualMachine');

    // THEN
    expect(vm.spec.dataVolumeTemplates.map((t: any) => t.spec.source.registry)).toEqual([
      { url: 'docker://registry.example.com/retail/pos-os:4.1.0', pullMethod: 'node' },
      { url: 'docker://registry.example.com/retail/recovery:1.0.0', pullMethod: 'pod' },
    ]);
    expect(files.get('stores/store-001/images.txt')).toContain('registry.example.com/retail/pos-os:4.1.0\n');
  });

  test.each([
    [
      { size: '5Gi', httpUrl: 'https://images.example.com/pos.qcow2', pullMethod: 'node' as const },
      'disk "boot" pullMethod "node" applies only to a registryImage',
    ],
    [
      { size: '5Gi', registryImage: 'registry.example.com/pos:1.0.0', pullMethod: 'daemon' as any },
      'disk "boot" pullMethod "daemon" is not supported (use one of "node", "pod")',
    ],
  ])('GIVEN DataVolume options %j WHEN creating the VM THEN it fails with the fix', (options, message) => {
    expect(() => new EdgePosVm(testStore(), 'pos', { bootDisk: VmDisk.dataVolume(options) })).toThrow(
      `store "store-001": EdgePosVm "pos": ${message}`,
    );
  });

  test('GIVEN a raw VM with a hostDisk among store manifests WHEN synthesized THEN the KubeVirt custom resource enables HostDisk', () => {
    // GIVEN
    const store = testStore();
    store.addManifests('legacy-vm', [
      {
        apiVersion: 'kubevirt.io/v1',
        kind: 'VirtualMachine',
        metadata: { name: 'legacy', namespace: 'edge' },
        spec: {
          runStrategy: 'Halted',
          template: {
            spec: {
              domain: { devices: { disks: [{ name: 'd', disk: {} }] } },
              volumes: [{ name: 'd', hostDisk: { path: '/data/legacy.img', type: 'Disk' } }],
            },
          },
        },
      },
    ]);

    // WHEN
    const kubevirt = objectOf(store, KUBEVIRT_FILE, 'KubeVirt');

    // THEN
    expect(kubevirt.spec.configuration).toEqual({ developerConfiguration: { featureGates: ['HostDisk'] } });
  });

  test('GIVEN a JSON patch that gives the POS VM a video device WHEN synthesized THEN synth names the missing feature gate and the fix', () => {
    // GIVEN
    const fleet = testFleet();
    const store = new EdgeStore(fleet, 'store-001');
    const vm = new EdgePosVm(store, 'pos', { bootDisk: BOOT });

    // WHEN
    vm.resource.addJsonPatch(JsonPatch.add('/spec/template/spec/domain/devices/video', { type: 'virtio' }));

    // THEN
    expect(() => renderFleet(fleet)).toThrow(
      'store "store-001": VirtualMachine/pos: spec.template.spec.domain.devices.video needs KubeVirt\'s feature gate "VideoConfig" ' +
        "(KubeVirt v1.6.5 rejects the VM without it); enable it with store.platform.enableKubeVirt().addFeatureGates('VideoConfig')",
    );
    store.platform.enableKubeVirt().addFeatureGates('VideoConfig');
    expect(() => renderFleet(fleet)).not.toThrow();
  });

  test('GIVEN store objects without their platform objects WHEN checked THEN each gap is named', () => {
    const vm = { kind: 'VirtualMachine', metadata: { name: 'pos' }, spec: { dataVolumeTemplates: [{ metadata: { name: 'pos-boot' } }] } };
    expect(checkPlatform([vm])).toEqual([
      'VirtualMachine/pos: the store has no KubeVirt custom resource (add VMs with EdgePosVm or store.addManifests, which generate it, or call ' +
        'store.platform.enableKubeVirt())',
      'the store has DataVolumes but no CDI custom resource, so CDI v1.63.1 never imports them (add them with VmDisk.dataVolume or ' +
        'store.addManifests, which generate it, or call store.platform.enableCdi())',
    ]);
  });

  test('GIVEN a JSON patch that drops the prune protection of the KubeVirt custom resource WHEN synthesized THEN synth refuses it', () => {
    const fleet = testFleet();
    const store = new EdgeStore(fleet, 'store-001');
    new EdgePosVm(store, 'pos', { bootDisk: BOOT });
    store.platform.kubevirt!.resource.addJsonPatch(JsonPatch.remove('/metadata/annotations'));
    expect(() => renderFleet(fleet)).toThrow(
      'store "store-001": KubeVirt/kubevirt: metadata.annotations lacks kustomize.toolkit.fluxcd.io/prune: disabled, helm.sh/resource-policy: keep',
    );
  });

  test('GIVEN a bad feature gate name WHEN added THEN it fails with the fix', () => {
    const store = testStore();
    expect(() => store.platform.enableKubeVirt().addFeatureGates('host disk')).toThrow(
      'store "store-001": KubeVirt feature gate "host disk" is not a feature gate name (use KubeVirt\'s spelling, such as "HostDisk")',
    );
  });

  test('GIVEN a profile with another KubeVirt namespace WHEN synthesized THEN the custom resource goes there', () => {
    const store = testStore({ nodeProfile: { kubevirtNamespace: 'kubevirt-hyperconverged' } });
    new EdgePosVm(store, 'pos', { bootDisk: BOOT });
    expect(objectOf(store, KUBEVIRT_FILE, 'KubeVirt').metadata.namespace).toBe('kubevirt-hyperconverged');
  });

  describe('RuntimeClasses', () => {
    test('GIVEN K3s creates the RuntimeClasses WHEN synthesized THEN the store folder has none', () => {
      const store = testStore({ nodeProfile: { runtimeClasses: ['wasmedge'] } });
      expect(filesOf(store)).not.toContain('stores/store-001/infrastructure/runtime-classes.yaml');
    });

    test('GIVEN edgefleet creates them WHEN synthesized THEN each is a node.k8s.io/v1 RuntimeClass named after its handler', () => {
      const store = testStore({ nodeProfile: { runtimeClasses: ['wasmedge'], runtimeClassSource: 'edgefleet' } });
      expect(documents(store, 'stores/store-001/infrastructure/runtime-classes.yaml')).toEqual([
        {
          apiVersion: 'node.k8s.io/v1',
          kind: 'RuntimeClass',
          handler: 'wasmedge',
          metadata: { name: 'wasmedge', labels: { 'app.kubernetes.io/managed-by': 'edgefleet' } },
        },
      ]);
    });

    test('GIVEN an unknown source WHEN creating the store THEN it fails with the choices', () => {
      expect(() => testStore({ nodeProfile: { runtimeClassSource: 'containerd' as any } })).toThrow(
        'store "store-001": nodeProfile.runtimeClassSource "containerd" is not supported (use one of "k3s", "edgefleet")',
      );
    });
  });
});

describe('edgefleet validate on the platform objects', () => {
  const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

  /** A fleet of a containerDisk store, a DataVolume store and a Wasm store, synthesized into a fresh folder. */
  function synthesizeExample(nodeProfile: NodeProfile): string {
    const fleet = new EdgeFleet({ repository: { url: 'https://git.example.com/retail/fleet.git' }, nodeProfile });
    new EdgePosVm(new EdgeStore(fleet, 'store-001'), 'pos', { bootDisk: BOOT });
    new EdgePosVm(new EdgeStore(fleet, 'store-002'), 'pos', { bootDisk: DATA_VOLUME });
    new EdgeWasmApp(new EdgeStore(fleet, 'store-003'), 'edge-app', { image: 'registry.example.com/retail/edge-app:2.0.1' });
    const outdir = tempDir();
    synthesize(fleet, { outdir });
    return outdir;
  }

  test.each<[string, NodeProfile, boolean]>([
    ['K3s creates the RuntimeClasses', { runtimeClasses: ['wasmedge'] }, false],
    ['edgefleet creates the RuntimeClasses', { runtimeClasses: ['wasmedge'], runtimeClassSource: 'edgefleet' }, true],
  ])('GIVEN %s WHEN the KubeVirt, CDI and Wasm stores are validated THEN nothing is found', async (_, nodeProfile, emitted) => {
    // GIVEN
    const outdir = synthesizeExample(nodeProfile);

    // WHEN
    const report = await validateTree(outdir, { realKustomizeBuild: kubectl });

    // THEN
    expect(report.findings).toEqual([]);
    expect(fs.existsSync(path.join(outdir, 'stores/store-003/infrastructure/runtime-classes.yaml'))).toBe(emitted);
    expect(fs.existsSync(path.join(outdir, 'stores/store-001/infrastructure/kubevirt.yaml'))).toBe(true);
    expect(fs.existsSync(path.join(outdir, 'stores/store-002/infrastructure/cdi.yaml'))).toBe(true);
  });

  test(
    "GIVEN a store folder with the KubeVirt custom resource and another object in the operator's namespace WHEN validated THEN only the other " +
      'object is found',
    async () => {
      // GIVEN
      const outdir = synthesizeExample({ runtimeClasses: ['wasmedge'] });
      fs.writeFileSync(
        path.join(outdir, 'stores/store-001/infrastructure/stray.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stray, namespace: kubevirt}\n',
      );
      fs.appendFileSync(path.join(outdir, 'stores/store-001/infrastructure/kustomization.yaml'), '  - stray.yaml\n');

      // WHEN
      const report = await validateTree(outdir, { realKustomizeBuild: false });

      // THEN
      expect(report.findings.map((f) => [f.object, f.message])).toEqual([
        ['ConfigMap/kubevirt/stray', 'namespace "kubevirt" is not among the namespaces this kustomization creates (edge)'],
      ]);
    },
  );
});
