/*
 * Tests of the example fleet in stores/: the one place where tests may depend on its stores, rows and
 * numbers. Library tests (the rest of test/) build their own small fleets and never import stores/,
 * so that a fleet of one's own never needs the example's code (test/layering.test.ts checks it).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import * as YAML from 'yaml';
import { outdatedFiles, renderFleet } from '../../lib';
import { validateTree } from '../../lib/validate/validate-tree';
import { buildFleet } from '../../stores';

const DIST = path.join(__dirname, '..', '..', 'dist');
const rendered = renderFleet(buildFleet());

function objectsIn(file: string): any[] {
  return YAML.parseAllDocuments(rendered.get(file)!).map((d) => d.toJS());
}

describe('the example fleet', () => {
  test('GIVEN stores/ WHEN synthesized now THEN the committed dist/ is identical (run "npm run synth" and commit when this fails)', () => {
    expect(outdatedFiles(rendered, DIST)).toEqual({ writes: [], deletes: [] });
  });

  test('GIVEN 100 stores in the inventory WHEN synthesized THEN every store has its folder, and a Flux folder or a Fleet cluster', () => {
    const folders = new Set([...rendered.keys()].map((f) => f.split('/').slice(0, 2).join('/')));
    for (let n = 1; n <= 100; n++) {
      const id = `store-${String(n).padStart(3, '0')}`;
      expect(folders).toContain(`stores/${id}`);
      expect(rendered.has(`clusters/${id}/workloads.yaml`) !== rendered.has(`fleet/clusters/${id}.yaml`)).toBe(true);
    }
  });

  test('GIVEN store-001 WHEN synthesized THEN it runs the POS VM and the edge monitor, listed in its kustomization', () => {
    const workloads = YAML.parse(rendered.get('stores/store-001/workloads/kustomization.yaml')!);
    expect(workloads.resources).toEqual(['edge-monitor.yaml', 'log-agent.yaml', 'metrics-agent.yaml', 'pos.yaml', 'vm-restarter.yaml']);
    expect(objectsIn('stores/store-001/workloads/pos.yaml').map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'PersistentVolumeClaim/pos-data',
      'VirtualMachine/pos',
    ]);
    const vm = objectsIn('stores/store-001/workloads/pos.yaml')[1];
    expect(vm.spec.template.spec.domain).toMatchObject({ memory: { guest: '2Gi' }, cpu: { cores: 1 } });
    expect(YAML.parse(rendered.get('stores/store-001/kustomization.yaml')!).resources).toEqual(['infrastructure', 'workloads']);
  });

  test('GIVEN stores with edge_app=yes WHEN synthesized THEN they run the edge app as a 3-replica Wasm Deployment', () => {
    const [app] = objectsIn('stores/store-003/workloads/edge-app.yaml');
    expect(app.spec.replicas).toBe(3);
    expect(app.spec.template.spec.runtimeClassName).toBe('wasmedge');
    expect(rendered.has('stores/store-001/workloads/edge-app.yaml')).toBe(false);
  });

  test('GIVEN a region with its own sync policy WHEN synthesized THEN its stores poll their OCI artifact at that interval', () => {
    expect(rendered.get('clusters/store-076/flux-system/oci-sync.yaml')).toMatch(/kind: OCIRepository[\s\S]*interval: 15m/);
    expect(rendered.get('clusters/store-001/flux-system/kustomization.yaml')).toContain('value: 5m');
  });

  test('GIVEN the committed dist/ WHEN validated like its real consumers would THEN nothing is found', async () => {
    const report = await validateTree(DIST);
    console.log(report.notes.join('\n'));
    expect(report.findings).toEqual([]);
    expect(report.files).toBeGreaterThan(1000);
  }, 120_000);

  test('GIVEN the example fleet WHEN synthesized THEN nothing is on a moving tag, pulled Always, or without requests and a memory limit', () => {
    const all = [...rendered]
      .filter(([f]) => f.endsWith('.yaml'))
      .map(([, c]) => c)
      .join('\n');
    expect(all).not.toContain('imagePullPolicy: Always');
    expect(all).not.toMatch(/:latest\b/);
    for (const [file, content] of [...rendered].filter(([f]) => f.startsWith('stores/') && f.endsWith('.yaml'))) {
      for (const doc of YAML.parseAllDocuments(content).map((d) => d.toJS())) {
        const pod = doc?.spec?.template?.spec;
        for (const c of pod?.containers ?? []) {
          expect([file, c.resources?.requests?.cpu, c.resources?.requests?.memory, c.resources?.limits?.memory].some((v) => v === undefined)).toBe(
            false,
          );
        }
      }
    }
    expect(rendered.get('stores/store-001/images.txt')).toContain('registry.example.com/retail/pos-os:4.2.0\n');
    expect(rendered.get('REPORT.md')).toContain('| store-042 | prune-protection | PersistentVolumeClaim/kiosk-cache |');
  });

  test('GIVEN store-001 WHEN synthesized THEN its whole output matches the reviewed golden files', () => {
    const store001 = Object.fromEntries([...rendered].filter(([file]) => file.split('/')[1] === 'store-001'));
    expect(store001).toMatchSnapshot();
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
  if (!kubectl) console.warn('kubectl not found: the real `kubectl kustomize` build of store folders is not checked here');
  (kubectl ? test : test.skip)('GIVEN store folders WHEN built by the real kustomize (kubectl kustomize) THEN every object comes out once', () => {
    for (const id of ['store-001', 'store-003', 'store-100']) {
      const built = execFileSync('kubectl', ['kustomize', path.join(DIST, 'stores', id)], { encoding: 'utf8' });
      const kinds = YAML.parseAllDocuments(built)
        .map((d) => d.toJS().kind)
        .sort();
      // The agents in their namespace; only the metrics agent reads the API.
      const agents = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'ConfigMap', 'DaemonSet', 'DaemonSet', 'ServiceAccount'];
      // Every pod-making workload comes with the NetworkPolicy that admits only its declared ports.
      const agentPolicies = ['NetworkPolicy', 'NetworkPolicy'];
      // What the workloads layer's ServiceAccount may write, in the workload namespace and the agents'.
      const applier = ['Role', 'Role', 'RoleBinding', 'RoleBinding'];
      const apps = id === 'store-003' ? ['Deployment', 'NetworkPolicy', 'Deployment', 'NetworkPolicy'] : ['Deployment', 'NetworkPolicy'];
      // The POS VM, and the restarter that restarts it in the store's window, with its narrow Role.
      const pos = ['VirtualMachine', 'PersistentVolumeClaim', 'CronJob', 'NetworkPolicy', 'Role', 'RoleBinding', 'ServiceAccount'];
      expect(kinds).toEqual([...agents, ...agentPolicies, ...applier, ...apps, ...pos, 'KubeVirt', 'Namespace', 'Secret'].sort());
    }
  });
});
