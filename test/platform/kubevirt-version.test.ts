import * as fs from 'fs';
import * as path from 'path';
import { EdgePosVm, EdgeStore, KUBEVIRT_VERSION, NodeProfile, VmDisk, synthesize } from '../../lib';
import { SERIAL_DROPPED_ON_ARM64 } from '../../lib/platform/check-platform';
import { kubevirtPassesSerialOnArm64 } from '../../lib/platform/platform-versions';
import { checkStore } from '../../lib/synth/check-store';
import { renderStoreWithObjects } from '../../lib/synth/render-store';
import { validateTree } from '../../lib/validate/validate-tree';
import { objectOf, tempDir, testFleet, testStore } from '../util';

const BOOT = VmDisk.containerDisk('registry.example.com/retail/pos-os:4.1.0');

function storeWithPos(nodeProfile: NodeProfile): EdgeStore {
  const store = testStore({ nodeProfile });
  new EdgePosVm(store, 'pos', { bootDisk: BOOT });
  return store;
}

function serialWarningsOf(store: EdgeStore) {
  return checkStore(store, renderStoreWithObjects(store).objects).warnings.filter((w) => w.kind === SERIAL_DROPPED_ON_ARM64);
}

describe('the KubeVirt release a store runs', () => {
  test('GIVEN the targeted release THEN it is one that passes firmware.serial to arm64 guests', () => {
    expect(KUBEVIRT_VERSION).toBe('v1.6.5');
    expect(kubevirtPassesSerialOnArm64(KUBEVIRT_VERSION)).toBe(true);
  });

  test.each([
    ['v1.5.3', false],
    ['v1.6.2', false],
    ['v1.6.4', false],
    ['v1.6.5', true],
    ['v1.6.6', true],
    ['v1.7.2', false],
    ['v1.7.3', true],
    ['v1.8.1', false],
    ['v1.8.2', true],
    ['v1.9.0', true],
    ['v2.0.0', true],
  ])('GIVEN KubeVirt %s THEN whether an arm64 guest sees its serial is %s (IsSMBiosNeeded in each tag)', (version, passes) => {
    expect(kubevirtPassesSerialOnArm64(version)).toBe(passes);
  });

  test('GIVEN a store with a VM WHEN synthesized THEN its KubeVirt custom resource names the release it runs, the targeted one by default', () => {
    const kubevirt = (profile: NodeProfile) => objectOf(storeWithPos(profile), 'stores/store-001/infrastructure/kubevirt.yaml', 'KubeVirt');
    expect(kubevirt({}).metadata.annotations['edgefleet.io/kubevirt-version']).toBe('v1.6.5');
    expect(kubevirt({ kubevirtVersion: 'v1.7.3' }).metadata.annotations['edgefleet.io/kubevirt-version']).toBe('v1.7.3');
  });

  test('GIVEN an arm64 store on KubeVirt v1.6.2 WHEN checked THEN the report warns that the pinned serial never reaches the guest', () => {
    // GIVEN
    const store = storeWithPos({ arch: 'arm64', kubevirtVersion: 'v1.6.2' });

    // WHEN
    const warnings = serialWarningsOf(store);

    // THEN
    expect(warnings).toEqual([expect.objectContaining({ store: 'store-001', object: 'VirtualMachine/pos' })]);
    expect(warnings[0].message).toMatch(/^spec\.template\.spec\.domain\.firmware\.serial "[0-9a-f-]{36}" never reaches the guest of this arm64 VM/);
    expect(warnings[0].message).toContain('under KubeVirt v1.6.2, whose arm64 converter passes no SMBIOS system information before v1.6.5');
    expect(warnings[0].message).toMatch(
      /kubevirt\/kubevirt#16783.*upgrade the store's KubeVirt to v1\.6\.5 and set nodeProfile\.kubevirtVersion to match$/,
    );
  });

  test.each<[string, NodeProfile]>([
    ['an arm64 store on the targeted release', { arch: 'arm64' }],
    ['an arm64 store on v1.7.3', { arch: 'arm64', kubevirtVersion: 'v1.7.3' }],
    ['an amd64 store on v1.6.2 (its converter always passes SMBIOS)', { arch: 'amd64', kubevirtVersion: 'v1.6.2' }],
  ])('GIVEN %s WHEN checked THEN nothing is said about the serial', (_, nodeProfile) => {
    expect(serialWarningsOf(storeWithPos(nodeProfile))).toEqual([]);
  });

  test('GIVEN a KubeVirt version that is not a release tag WHEN the VM is added THEN synth says which prop and what to write', () => {
    expect(() => storeWithPos({ kubevirtVersion: '1.6' })).toThrow(
      'store "store-001": nodeProfile.kubevirtVersion "1.6" is not a KubeVirt release tag (use the operator\'s tag, such as "v1.6.5")',
    );
  });

  test('GIVEN the tree of an arm64 store on v1.6.4 WHEN validated THEN the same warning names the file and field', async () => {
    // GIVEN
    const fleet = testFleet();
    new EdgePosVm(new EdgeStore(fleet, 'store-001', { nodeProfile: { kubevirtVersion: 'v1.6.4' } }), 'pos', { bootDisk: BOOT });
    new EdgePosVm(new EdgeStore(fleet, 'store-002'), 'pos', { bootDisk: BOOT });
    const outdir = tempDir();
    synthesize(fleet, { outdir });

    // WHEN
    const report = await validateTree(outdir, { realKustomizeBuild: false });

    // THEN
    expect(report.findings).toEqual([]);
    expect(report.warnings.filter((w) => w.kind === SERIAL_DROPPED_ON_ARM64).map((w) => [w.file, w.object, w.path])).toEqual([
      ['stores/store-001/workloads/pos.yaml', 'VirtualMachine/edge/pos', 'spec.template.spec.domain.firmware.serial'],
    ]);
    expect(fs.readFileSync(path.join(outdir, 'REPORT.md'), 'utf8')).toContain(SERIAL_DROPPED_ON_ARM64);
  });
});
