import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { validateTree } from '../../lib';
import { tempDir } from '../util';

/** Writes `files` (relative path → content) into a fresh folder and returns it. */
function tree(files: Record<string, string>): string {
  const root = tempDir();
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
  return root;
}

function findingsOf(files: Record<string, string>, options = {}) {
  return validateTree(tree(files), { realKustomizeBuild: false, ...options }).findings;
}

const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: edge}\n';
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: edge-monitor, namespace: edge}
spec:
  selector: {matchLabels: {app: edge-monitor}}
  template:
    metadata: {labels: {app: edge-monitor}}
    spec:
      containers: [{name: edge-monitor, image: "registry.example.com/edge-monitor:1.4.2"}]
`;
const VM = (disks: string, volumes: string, extra = '') => `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: pos, namespace: edge${extra}}
spec:
  runStrategy: Always
  template:
    spec:
      domain:
        devices:
          disks: ${disks}
      volumes: ${volumes}
`;

/** The bad cases, each with what must be reported; `schema: true` where conform.cjs must agree. */
const BAD_CASES: Array<{ name: string; files: Record<string, string>; expected: { message: string } & Record<string, string>; schema?: boolean }> = [
  {
    name: 'the customer\'s Deployment without a selector',
    files: { 'd.yaml': DEPLOYMENT.replace('  selector: {matchLabels: {app: edge-monitor}}\n', '') },
    expected: { file: 'd.yaml', object: 'Deployment/edge/edge-monitor', path: 'spec.selector', message: 'required field is missing' },
    schema: true,
  },
  {
    name: 'the customer\'s VM disk with a volumeName',
    files: { 'vm.yaml': VM('[{name: boot, volumeName: boot, disk: {bus: virtio}}]', '[{name: boot, containerDisk: {image: "pos:4.1"}}]') },
    expected: { object: 'VirtualMachine/edge/pos', path: 'spec.template.spec.domain.devices.disks[0].volumeName', message: 'unknown field (not in the schema of this kind)' },
    schema: true,
  },
  {
    name: 'a misspelt field',
    files: { 'd.yaml': DEPLOYMENT.replace('spec:\n  selector', 'spec:\n  replica: 3\n  selector') },
    expected: { path: 'spec.replica', message: 'unknown field (not in the schema of this kind)' },
    schema: true,
  },
  {
    name: 'a kind without a schema',
    files: { 'x.yaml': 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: edge}\n' },
    expected: { object: 'Widget/edge/w', message: 'no schema for example.com/v1 Widget (fix the apiVersion or kind, or accept it unchecked with --allow-kind Widget)' },
    schema: true,
  },
  {
    name: 'an unknown field in fleet.yaml',
    files: { 'fleet.yaml': 'defaultNamespace: edge\nkeepResource: true\n' },
    expected: { object: 'fleet.yaml', path: 'keepResource', message: 'unknown field (not in the schema of this kind)' },
    schema: true,
  },
  {
    name: 'a kustomization listing a missing file',
    files: { 'kustomization.yaml': 'resources: [ns.yaml, gone.yaml]\n', 'ns.yaml': NAMESPACE },
    expected: { file: 'kustomization.yaml', path: 'resources[1]', message: '"gone.yaml" does not exist (list only files and folders with a kustomization.yaml)' },
  },
  {
    name: 'a file the kustomization does not list',
    files: { 'kustomization.yaml': 'resources: [ns.yaml]\n', 'ns.yaml': NAMESPACE, 'd.yaml': DEPLOYMENT },
    expected: { file: 'kustomization.yaml', path: 'resources', message: '"d.yaml" is in the folder but not listed, so kustomize build leaves it out (add it to resources)' },
  },
  {
    name: 'an object built twice',
    files: { 'kustomization.yaml': 'resources: [a.yaml, b.yaml, ns.yaml]\n', 'a.yaml': DEPLOYMENT, 'b.yaml': DEPLOYMENT, 'ns.yaml': NAMESPACE },
    expected: { file: 'kustomization.yaml', object: 'Deployment/edge/edge-monitor', message: 'built twice, from a.yaml and b.yaml (an object may appear once)' },
  },
  {
    name: 'an object outside the namespace the folder creates',
    files: { 'kustomization.yaml': 'resources: [d.yaml, ns.yaml]\n', 'd.yaml': DEPLOYMENT.replace('namespace: edge', 'namespace: shop'), 'ns.yaml': NAMESPACE },
    expected: { file: 'd.yaml', path: 'metadata.namespace', message: 'namespace "shop" is not among the namespaces this kustomization creates (edge)' },
  },
  {
    name: 'a Flux dependsOn that names nothing',
    files: { 'clusters/s1/workloads.yaml': 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: workloads, namespace: flux-system}\nspec: {interval: 5m, prune: true, path: ./x, sourceRef: {kind: GitRepository, name: flux-system}, dependsOn: [{name: infra}]}\n' },
    expected: { path: 'spec.dependsOn[0].name', message: 'Kustomization "infra" does not exist in this folder' },
  },
  {
    name: 'a Flux sourceRef that names nothing',
    files: { 'clusters/s1/workloads.yaml': 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: workloads, namespace: flux-system}\nspec: {interval: 5m, prune: true, path: ./x, sourceRef: {kind: GitRepository, name: other}}\n' },
    expected: { path: 'spec.sourceRef', message: 'GitRepository "other" does not exist in this folder (nor is it bootstrap\'s flux-system GitRepository)' },
  },
  {
    name: 'a VM disk without its volume',
    files: { 'vm.yaml': VM('[{name: boot, disk: {bus: virtio}}, {name: data, disk: {bus: virtio}}]', '[{name: boot, containerDisk: {image: "pos:4.1"}}]') },
    expected: { path: 'spec.template.spec.domain.devices.disks[1].name', message: 'disk "data" has no volume of the same name' },
  },
  {
    name: 'a VM claim that is not in the store',
    files: { 'stores/s1/vm.yaml': VM('[{name: data, disk: {bus: virtio}}]', '[{name: data, persistentVolumeClaim: {claimName: pos-data}}]') },
    expected: { path: 'spec.template.spec.volumes[0].persistentVolumeClaim.claimName', message: 'PersistentVolumeClaim "pos-data" is not in this store\'s folder (add it, or list it in the annotation edgefleet.io/external-volumes)' },
  },
  {
    name: 'a runtimeClassName the node does not provide',
    files: { 'stores/s1/ns.yaml': NAMESPACE, 'stores/s1/d.yaml': DEPLOYMENT.replace('      containers', '      runtimeClassName: wasmedge\n      containers') },
    expected: { path: 'spec.template.spec.runtimeClassName', message: 'RuntimeClass "wasmedge" is not provided by the store\'s node (its node profile lists none)' },
  },
  {
    name: 'a Fleet GitRepo path that does not exist',
    files: { 'dist/fleet/repo.yaml': 'apiVersion: fleet.cattle.io/v1alpha1\nkind: GitRepo\nmetadata: {name: r, namespace: fleet-default}\nspec: {repo: "https://git.example.com/f.git", paths: [dist/stores/s9]}\n' },
    expected: { path: 'spec.paths[0]', message: '"dist/stores/s9" does not exist in the repository' },
  },
  {
    name: 'a file that is not YAML',
    files: { 'broken.yaml': 'kind: [unclosed\n' },
    expected: { file: 'broken.yaml', object: '-', message: 'not valid YAML' },
  },
];

describe('edgefleet validate', () => {
  test.each(BAD_CASES.map((c) => [c.name, c] as const))('GIVEN %s WHEN validated THEN it is caught with its path', (_, { files, expected }) => {
    // GIVEN / WHEN
    const findings = findingsOf(files);

    // THEN
    expect(findings).toContainEqual(expect.objectContaining({ ...expected, message: expect.stringContaining(expected.message) }));
  });

  test('GIVEN the fixes WHEN validated THEN the same trees pass', () => {
    expect(findingsOf({ 'kustomization.yaml': 'resources: [d.yaml, ns.yaml]\n', 'd.yaml': DEPLOYMENT, 'ns.yaml': NAMESPACE })).toEqual([]);
    expect(findingsOf({ 'x.yaml': 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: edge}\n' }, { allowKinds: ['Widget'] })).toEqual([]);
    expect(findingsOf({ 'stores/s1/vm.yaml': VM('[{name: data, disk: {bus: virtio}}]', '[{name: data, persistentVolumeClaim: {claimName: pos-data}}]', ', annotations: {edgefleet.io/external-volumes: pos-data}') })).toEqual([]);
  });

  const conform = path.join(__dirname, '..', '..', '..', 'shared', 'tools', 'conform.cjs');
  const haveConform = fs.existsSync(conform);
  if (!haveConform) console.warn('../shared/tools/conform.cjs not found: agreement with the upstream conform check is not tested here');
  (haveConform ? test : test.skip)('GIVEN the schema bad cases and the example fleet WHEN checked by conform.cjs too THEN both agree', () => {
    for (const c of BAD_CASES.filter((b) => b.schema)) {
      const result = spawnSync(process.execPath, [conform, tree(c.files)], { encoding: 'utf8' });
      expect([c.name, result.status]).toEqual([c.name, 1]);
    }
    const dist = path.join(__dirname, '..', '..', 'dist');
    expect(spawnSync(process.execPath, [conform, dist], { encoding: 'utf8' }).status).toBe(0);
  });
});
