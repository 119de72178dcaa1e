import * as path from 'path';
import { JsonPatch } from 'cdk8s';
import { EdgeApp, EdgeMonitor, EdgePosVm, EdgeStore, VmDisk, Waiver, renderFleet, synthesize } from '../../lib';
import { checkOfflineRules } from '../../lib/policies/check-offline-rules';
import { WAIVERS_ANNOTATION } from '../../lib/policies/waiver';
import { renderStoreWithObjects } from '../../lib/synth/render-store';
import { validateTree } from '../../lib/validate/validate-tree';
import { objectOf, tempDir, testFleet } from '../util';

const POS = VmDisk.containerDisk('registry.example.com/pos-os:4.1.0');

function storeWith(waivers: Waiver[] = []): EdgeStore {
  return new EdgeStore(testFleet(), 'store-017', { waivers, nodeProfile: { runtimeClasses: ['wasmedge'] } });
}

function rulesOf(store: EdgeStore) {
  return checkOfflineRules(renderStoreWithObjects(store).objects, store.nodeProfile, store.waivers);
}

/** A raw Deployment with the given container and pod settings. */
function rawDeployment(store: EdgeStore, container: object, pod: object = {}) {
  store.addManifests('legacy', [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'legacy', namespace: 'edge' },
      spec: {
        selector: { matchLabels: { app: 'legacy' } },
        template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'legacy', ...container }], ...pod } },
      },
    },
  ]);
}

const SAFE = {
  image: 'registry.example.com/legacy:2.0.0',
  imagePullPolicy: 'IfNotPresent',
  resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '32Mi' } },
};

describe('offline-readiness rules', () => {
  test("GIVEN edgefleet's own workloads WHEN checked THEN they break no rule", () => {
    const store = storeWith();
    new EdgePosVm(store, 'pos', { bootDisk: POS, dataDisks: { data: VmDisk.localVolume({ size: '10Gi' }) } });
    new EdgeMonitor(store, 'edge-monitor', { image: 'registry.example.com/edge-monitor:1.4.2' });
    expect(rulesOf(store).violations).toEqual([]);
  });

  test.each([
    [
      'an image on latest',
      { ...SAFE, image: 'edge-monitor:latest' },
      'pinned-image',
      'spec.template.spec.containers[0].image "edge-monitor:latest" is not pinned (use a version tag such as ":1.4.2", ideally with "@sha256:...")',
    ],
    [
      'an image without a tag',
      { ...SAFE, image: 'registry.example.com/edge-monitor' },
      'pinned-image',
      'spec.template.spec.containers[0].image "registry.example.com/edge-monitor" is not pinned',
    ],
    [
      'pull policy Always',
      { ...SAFE, imagePullPolicy: 'Always' },
      'pull-policy',
      'spec.template.spec.containers[0].imagePullPolicy "Always" must be "IfNotPresent"',
    ],
    [
      'no pull policy',
      { ...SAFE, imagePullPolicy: undefined },
      'pull-policy',
      'spec.template.spec.containers[0].imagePullPolicy "(unset)" must be "IfNotPresent"',
    ],
    [
      'no memory limit',
      { ...SAFE, resources: { requests: { cpu: '10m', memory: '32Mi' } } },
      'resources',
      'spec.template.spec.containers[0].resources lacks limits.memory',
    ],
  ])('GIVEN %s WHEN checked THEN the rule names the field, the value and the fix', (_, container, rule, message) => {
    const store = storeWith();
    rawDeployment(store, container);
    const [violation] = rulesOf(store).violations;
    expect(rulesOf(store).violations).toEqual([
      expect.objectContaining({ rule, object: 'Deployment/legacy', message: expect.stringContaining(message) }),
    ]);
    expect(`${violation.path} ${violation.problem}`).toBe(violation.message);
  });

  test('GIVEN a runtime class the node lacks WHEN checked THEN it is a violation', () => {
    const store = storeWith();
    rawDeployment(store, SAFE, { runtimeClassName: 'spin' });
    expect(rulesOf(store).violations.map((v) => v.rule)).toEqual(['runtime-class']);
  });

  test('GIVEN a VM disk on a non-local storage class and a stateful object without protection WHEN checked THEN both are violations', () => {
    const store = storeWith();
    store.addManifests('nas', [
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'nas', namespace: 'edge' },
        spec: { storageClassName: 'nfs', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
      },
    ]);
    const vm = new EdgePosVm(store, 'pos', { bootDisk: POS });
    vm.resource.addJsonPatch(JsonPatch.add('/spec/template/spec/volumes/-', { name: 'nas', persistentVolumeClaim: { claimName: 'nas' } }));
    vm.resource.addJsonPatch(JsonPatch.add('/spec/template/spec/domain/devices/disks/-', { name: 'nas', disk: { bus: 'virtio' } }));
    const violations = rulesOf(store).violations;
    expect(violations).toContainEqual(
      expect.objectContaining({
        rule: 'local-storage',
        object: 'VirtualMachine/pos',
        path: 'spec.template.spec.volumes[1]',
        message: expect.stringContaining(
          'spec.template.spec.volumes[1] "nas" is not on the store\'s local storage class "local-path" (its claim "nas" has storage class "nfs")',
        ),
      }),
    );
    expect(violations).toContainEqual(
      expect.objectContaining({
        rule: 'prune-protection',
        object: 'PersistentVolumeClaim/nas',
        path: 'metadata.annotations',
        message: expect.stringContaining('metadata.annotations lacks kustomize.toolkit.fluxcd.io/prune: disabled, helm.sh/resource-policy: keep'),
      }),
    );
  });

  test('GIVEN a hand-written Namespace without protection WHEN checked THEN it is a violation, since deleting it deletes what it holds', () => {
    const store = storeWith();
    store.addManifests('kiosk-namespace', [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kiosk' } }], 'infrastructure');
    expect(rulesOf(store).violations).toContainEqual(
      expect.objectContaining({
        rule: 'prune-protection',
        object: 'Namespace/kiosk',
        message: expect.stringContaining('metadata.annotations lacks kustomize.toolkit.fluxcd.io/prune: disabled'),
      }),
    );
  });

  test('GIVEN a waiver with a reason WHEN checked THEN the violation is waived and the waiver reported; an unneeded waiver is a warning', () => {
    // GIVEN
    const store = storeWith([
      { rule: 'pinned-image', object: 'Deployment/legacy', reason: 'vendor ships only latest; mirrored nightly and frozen per store' },
      { rule: 'resources', object: 'Deployment/legacy', reason: 'kept for the review of this test case' },
    ]);
    rawDeployment(store, { ...SAFE, image: 'vendor/kiosk:latest' });

    // WHEN
    const result = rulesOf(store);

    // THEN
    expect(result.violations).toEqual([]);
    expect(result.usedWaivers.map((w) => w.rule)).toEqual(['pinned-image']);
    expect(result.warnings).toContainEqual(
      expect.objectContaining({
        rule: 'resources',
        kind: 'unneeded waiver',
        object: 'Deployment/legacy',
        path: '-',
        message: 'waiver of "resources" is not needed (nothing breaks the rule): remove it',
      }),
    );
  });

  test(
    'GIVEN a waiver whose object is misspelt WHEN checked THEN the object keeps its violation and the waiver says it names no object, listing ' +
      'those of its kind',
    () => {
      // GIVEN
      const store = storeWith([
        { rule: 'pinned-image', object: 'Deployment/legacyy', reason: 'vendor ships only latest; mirrored nightly and frozen per store' },
      ]);
      rawDeployment(store, { ...SAFE, image: 'vendor/kiosk:latest' });

      // WHEN
      const result = rulesOf(store);

      // THEN
      expect(result.violations.map((v) => v.object)).toEqual(['Deployment/legacy']);
      expect(result.warnings).toContainEqual(
        expect.objectContaining({
          kind: 'unneeded waiver',
          object: 'Deployment/legacyy',
          message: 'waiver of "pinned-image" names no object of the store (its Deployment objects: Deployment/legacy): fix its object, or remove it',
        }),
      );
    },
  );

  test('GIVEN a waiver whose object is misspelt WHEN synthesized THEN the violation it meant to waive points at it', () => {
    const store = storeWith([
      { rule: 'pinned-image', object: 'Deployment/legacyy', reason: 'vendor ships only latest; mirrored nightly and frozen per store' },
    ]);
    rawDeployment(store, { ...SAFE, image: 'vendor/kiosk:latest' });
    expect(() => renderFleet(store.fleet)).toThrow(
      '(the store\'s waiver of "pinned-image" for Deployment/legacyy names no object of the store: misspelt?)',
    );
  });

  test('GIVEN a store with a waiver WHEN synthesized THEN its Namespace carries the waiver, and edgefleet validate honours it', async () => {
    // GIVEN
    const store = storeWith([
      { rule: 'pinned-image', object: 'Deployment/legacy', reason: 'vendor ships only latest; mirrored nightly and frozen per store' },
    ]);
    rawDeployment(store, { ...SAFE, image: 'vendor/kiosk:latest' });
    const outdir = tempDir();

    // WHEN
    synthesize(store.fleet, { outdir });
    const report = await validateTree(path.join(outdir, 'stores', 'store-017'), { realKustomizeBuild: false });

    // THEN
    const namespace = objectOf(store, 'stores/store-017/infrastructure/namespace.yaml', 'Namespace');
    expect(JSON.parse(namespace.metadata.annotations[WAIVERS_ANNOTATION])).toEqual(store.waivers);
    expect(report.findings).toEqual([]);
  });

  test('GIVEN an image without digest WHEN checked THEN it is a warning, not a violation', () => {
    const store = storeWith();
    new EdgeApp(store, 'kiosk', { image: 'registry.example.com/kiosk:1.0.0' });
    const result = rulesOf(store);
    expect(result.violations).toEqual([]);
    expect(result.warnings).toContainEqual(
      expect.objectContaining({
        rule: 'pinned-image',
        kind: 'image without digest',
        object: 'Deployment/kiosk',
        message: expect.stringContaining('has a tag but no digest'),
      }),
    );
  });

  test('GIVEN a violation WHEN synthesized THEN synth fails with a message naming store, object, field, value and fix', () => {
    const fleet = testFleet();
    const store = new EdgeStore(fleet, 'store-017');
    rawDeployment(store, { ...SAFE, image: 'edge-monitor:latest' });
    expect(() => renderFleet(fleet)).toThrow(
      'store "store-017": Deployment/legacy: spec.template.spec.containers[0].image "edge-monitor:latest" is not pinned (use a version tag ' +
        'such as ":1.4.2", ideally with "@sha256:..."): a store that restarts offline cannot fetch a moving tag; or waive rule "pinned-image" ' +
        'for Deployment/legacy with a reason',
    );
  });

  test.each([
    [{ rule: 'no-such-rule' as any, object: 'Deployment/x', reason: 'a long enough reason' }, 'waivers[0].rule "no-such-rule" is not a rule'],
    [
      { rule: 'pinned-image' as const, object: 'x', reason: 'a long enough reason' },
      'waivers[0].object "x" does not name an object (use "Kind/name"',
    ],
    [{ rule: 'pinned-image' as const, object: 'Deployment/x', reason: 'because' }, 'waivers[0].reason "because" is too short'],
  ])('GIVEN a bad waiver %j WHEN creating the store THEN it fails', (waiver, message) => {
    expect(() => storeWith([waiver])).toThrow(`store "store-017": ${message}`);
  });
});
