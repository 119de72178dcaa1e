import * as fs from 'fs';
import * as path from 'path';
import { EdgeFleet, EdgeMonitor, EdgeStore, renderFleet, synthesize } from '../../lib';
import { snapshotDir, tempDir, testFleet } from '../util';

const IMAGE = 'registry.example.com/retail/edge-monitor:1.4.2';

/** A fleet of the given stores, each with an edge monitor whose image tag can vary. */
function fleetOf(ids: string[], tagOf: (id: string) => string = () => '1.4.2'): EdgeFleet {
  const fleet = testFleet();
  for (const id of ids) {
    new EdgeMonitor(new EdgeStore(fleet, id, { labels: { region: 'eu-west' } }), 'edge-monitor', { image: `${IMAGE.split(':')[0]}:${tagOf(id)}` });
  }
  return fleet;
}

describe('synthesize', () => {
  test('GIVEN the same stores declared in another order WHEN rendered THEN the output is byte-identical', () => {
    const forward = renderFleet(fleetOf(['store-001', 'store-002', 'store-010']));
    const backward = renderFleet(fleetOf(['store-010', 'store-002', 'store-001']));
    expect([...backward]).toEqual([...forward]);
  });

  test(
    'GIVEN the sets of a fleet (RuntimeClasses, taints, waivers) declared in another order ' + 'WHEN rendered THEN the output is byte-identical',
    () => {
      const fleetWith = (order: <T>(items: T[]) => T[]) => {
        const fleet = testFleet({
          nodeProfile: {
            runtimeClasses: order(['wasmedge', 'crun']),
            taints: order([
              { key: 'edge-node', effect: 'NoSchedule' as const },
              { key: 'pos-only', effect: 'NoExecute' as const },
            ]),
          },
        });
        const store = new EdgeStore(fleet, 'store-001', {
          waivers: order([
            { rule: 'prune-protection' as const, object: 'PersistentVolumeClaim/cache-a', reason: 'A disposable cache, rebuilt on start (OPS-1).' },
            { rule: 'prune-protection' as const, object: 'PersistentVolumeClaim/cache-b', reason: 'A disposable cache, rebuilt on start (OPS-2).' },
          ]),
        });
        new EdgeMonitor(store, 'edge-monitor', { image: 'registry.example.com/edge-monitor:1.4.2' });
        store.addManifests(
          'caches',
          ['cache-a', 'cache-b'].map((name) => ({
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name, namespace: store.workloadNamespace },
            spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', resources: { requests: { storage: '1Gi' } } },
          })),
        );
        return fleet;
      };
      const declared = renderFleet(fleetWith((items) => items));
      expect([...renderFleet(fleetWith((items) => [...items].reverse()))]).toEqual([...declared]);
      expect(declared.get('stores/store-001/infrastructure/namespace.yaml')).toContain('edgefleet.io/node-runtime-classes: crun,wasmedge');
    },
  );

  test('GIVEN a synthesized tree WHEN synthesized again THEN no file is rewritten', () => {
    // GIVEN
    const outdir = tempDir();
    synthesize(fleetOf(['store-001', 'store-002']), { outdir });
    const mtimes = fs.readdirSync(outdir, { recursive: true }).map((f) => fs.statSync(path.join(outdir, String(f))).mtimeMs);

    // WHEN
    const result = synthesize(fleetOf(['store-001', 'store-002']), { outdir });

    // THEN
    expect(result.written).toEqual([]);
    expect(result.deleted).toEqual([]);
    expect(result.unchanged).toBe(result.files);
    expect(fs.readdirSync(outdir, { recursive: true }).map((f) => fs.statSync(path.join(outdir, String(f))).mtimeMs)).toEqual(mtimes);
  });

  test("GIVEN a change to one store WHEN synthesized THEN only that store's files and the fleet report change", () => {
    // GIVEN
    const outdir = tempDir();
    synthesize(fleetOf(['store-001', 'store-002', 'store-003']), { outdir });

    // WHEN
    const result = synthesize(
      fleetOf(['store-001', 'store-002', 'store-003'], (id) => (id === 'store-002' ? '1.5.0' : '1.4.2')),
      { outdir },
    );

    // THEN
    expect(result.written).toEqual(['REPORT.md', 'report.html', 'stores/store-002/images.txt', 'stores/store-002/workloads/edge-monitor.yaml']);
  });

  test('GIVEN a removed store WHEN synthesized THEN its folders are deleted and bootstrapped files and other files stay', () => {
    // GIVEN
    const outdir = tempDir();
    synthesize(fleetOf(['store-001', 'store-002']), { outdir });
    const bootstrapFile = path.join(outdir, 'clusters/store-002/flux-system/gotk-sync.yaml');
    fs.writeFileSync(bootstrapFile, '# written by flux bootstrap\n');
    fs.writeFileSync(path.join(outdir, 'clusters/store-001/flux-system/gotk-components.yaml'), '# written by flux bootstrap\n');
    fs.writeFileSync(path.join(outdir, 'NOTES.md'), 'not ours\n');
    const before = snapshotDir(outdir);

    // WHEN
    const result = synthesize(fleetOf(['store-001']), { outdir });

    // THEN
    expect(result.deleted).toEqual([
      'clusters/store-002/flux-system/gotk-components.yaml',
      'clusters/store-002/flux-system/kustomization.yaml',
      'clusters/store-002/flux-system/source-controller-data.yaml',
      'clusters/store-002/infrastructure.yaml',
      'clusters/store-002/kustomization.yaml',
      'clusters/store-002/workloads-applier.yaml',
      'clusters/store-002/workloads.yaml',
      'stores/store-002/images.txt',
      'stores/store-002/infrastructure/kustomization.yaml',
      'stores/store-002/infrastructure/namespace.yaml',
      'stores/store-002/infrastructure/workloads-access.yaml',
      'stores/store-002/kustomization.yaml',
      'stores/store-002/workloads/edge-monitor.yaml',
      'stores/store-002/workloads/kustomization.yaml',
    ]);
    expect(fs.existsSync(path.join(outdir, 'stores/store-002'))).toBe(false);
    expect(fs.readFileSync(bootstrapFile, 'utf8')).toBe('# written by flux bootstrap\n');
    const after = snapshotDir(outdir);
    for (const file of ['NOTES.md', 'clusters/store-001/flux-system/gotk-components.yaml']) expect(after.get(file)).toBe(before.get(file));
    expect(after.get('clusters/store-001/flux-system/gotk-components.yaml')).toBe('# written by flux bootstrap\n');
    expect(result.written).toEqual(['REPORT.md', 'report.html']);
  });

  test('GIVEN a fleet that fails validation WHEN synthesized THEN dist/ is left exactly as it was', () => {
    // GIVEN
    const outdir = tempDir();
    synthesize(fleetOf(['store-001', 'store-002']), { outdir });
    const before = snapshotDir(outdir);
    const broken = fleetOf(['store-001', 'store-003']);
    broken.stores[0].node.addValidation({ validate: () => ['store "store-001": something is wrong'] });

    // WHEN
    const run = () => synthesize(broken, { outdir });

    // THEN
    expect(run).toThrow('1 problem in the fleet definition:\n  - store "store-001": something is wrong');
    expect(snapshotDir(outdir)).toEqual(before);
  });

  test('GIVEN a fleet whose rendering crashes WHEN synthesized THEN dist/ is left exactly as it was', () => {
    // GIVEN
    const outdir = tempDir();
    synthesize(fleetOf(['store-001']), { outdir });
    const before = snapshotDir(outdir);
    const broken = fleetOf(['store-001', 'store-002']);
    jest.spyOn(broken.stores[1].node, 'findAll').mockImplementationOnce(() => {
      throw new Error('boom');
    });

    // WHEN / THEN
    expect(() => synthesize(broken, { outdir })).toThrow('boom');
    expect(snapshotDir(outdir)).toEqual(before);
  });

  test('GIVEN a long run WHEN synthesized THEN progress is reported once per store', () => {
    const progress: string[] = [];
    synthesize(fleetOf(['store-001', 'store-002']), { outdir: tempDir(), onProgress: (n, total) => progress.push(`${n}/${total}`) });
    expect(progress).toEqual(['1/2', '2/2']);
  });
});

describe('EdgeFleet.synth', () => {
  test('GIVEN files already in outdir WHEN the fleet synthesizes itself THEN it writes incrementally instead of emptying outdir like cdk8s', () => {
    // GIVEN
    const outdir = tempDir();
    fs.writeFileSync(path.join(outdir, 'README.md'), 'keep me\n');
    const previous = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = outdir;
    try {
      const fleet = fleetOf(['store-001']);

      // WHEN
      fleet.synth();
    } finally {
      if (previous === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = previous;
    }

    // THEN
    expect(fs.readFileSync(path.join(outdir, 'README.md'), 'utf8')).toBe('keep me\n');
    expect(fs.existsSync(path.join(outdir, 'stores/store-001/workloads/edge-monitor.yaml'))).toBe(true);
  });
});
