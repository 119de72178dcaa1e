import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ValidateTreeOptions, formatReport, validateTree } from '../../lib/validate/validate-tree';
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

async function findingsOf(files: Record<string, string>, options: ValidateTreeOptions = {}) {
  return (await validateTree(tree(files), { realKustomizeBuild: false, ...options })).findings;
}

const KEPT = 'kustomize.toolkit.fluxcd.io/prune: disabled, helm.sh/resource-policy: keep';
const NAMESPACE = `apiVersion: v1\nkind: Namespace\nmetadata: {name: edge, annotations: {${KEPT}}}\n`;
/** A Deployment of the edge monitor with the given containers (a YAML flow sequence). */
const deployment = (containers: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: edge-monitor, namespace: edge}
spec:
  selector: {matchLabels: {app: edge-monitor}}
  template:
    metadata: {labels: {app: edge-monitor}}
    spec:
      containers: ${containers}
`;
const DIGEST = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const DEPLOYMENT = deployment(
  `[{name: edge-monitor, image: "registry.example.com/edge-monitor:1.4.2@${DIGEST}", imagePullPolicy: IfNotPresent, resources: {requests: ` +
    `{cpu: 50m, memory: 64Mi}, limits: {memory: 64Mi}}}]`,
);
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
    name: "the customer's Deployment without a selector",
    files: { 'd.yaml': DEPLOYMENT.replace('  selector: {matchLabels: {app: edge-monitor}}\n', '') },
    expected: { file: 'd.yaml', object: 'Deployment/edge/edge-monitor', path: 'spec.selector', message: 'required field is missing' },
    schema: true,
  },
  {
    name: "the customer's VM disk with a volumeName",
    files: { 'vm.yaml': VM('[{name: boot, volumeName: boot, disk: {bus: virtio}}]', '[{name: boot, containerDisk: {image: "pos:4.1"}}]') },
    expected: {
      object: 'VirtualMachine/edge/pos',
      path: 'spec.template.spec.domain.devices.disks[0].volumeName',
      message: 'unknown field (not in the schema of this kind)',
    },
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
    expected: {
      object: 'Widget/edge/w',
      message: 'no schema for example.com/v1 Widget (fix the apiVersion or kind, or accept it unchecked with --allow-kind Widget)',
    },
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
    expected: {
      file: 'kustomization.yaml',
      path: 'resources[1]',
      message: '"gone.yaml" does not exist (list only files and folders with a kustomization.yaml)',
    },
  },
  {
    name: 'a file the kustomization does not list',
    files: { 'kustomization.yaml': 'resources: [ns.yaml]\n', 'ns.yaml': NAMESPACE, 'd.yaml': DEPLOYMENT },
    expected: {
      file: 'kustomization.yaml',
      path: 'resources',
      message: '"d.yaml" is in the folder but not listed, so kustomize build leaves it out (add it to resources)',
    },
  },
  {
    name: 'an object built twice',
    files: { 'kustomization.yaml': 'resources: [a.yaml, b.yaml, ns.yaml]\n', 'a.yaml': DEPLOYMENT, 'b.yaml': DEPLOYMENT, 'ns.yaml': NAMESPACE },
    expected: {
      file: 'kustomization.yaml',
      object: 'Deployment/edge/edge-monitor',
      message: 'built twice, from a.yaml and b.yaml (an object may appear once)',
    },
  },
  {
    name: 'an object outside the namespace the folder creates',
    files: {
      'kustomization.yaml': 'resources: [d.yaml, ns.yaml]\n',
      'd.yaml': DEPLOYMENT.replace('namespace: edge', 'namespace: shop'),
      'ns.yaml': NAMESPACE,
    },
    expected: {
      file: 'd.yaml',
      path: 'metadata.namespace',
      message: 'namespace "shop" is not among the namespaces this kustomization creates (edge)',
    },
  },
  {
    name: 'a Flux dependsOn that names nothing',
    files: {
      'clusters/s1/workloads.yaml':
        'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: workloads, namespace: flux-system}\nspec: ' +
        '{interval: 5m, prune: true, path: ./x, sourceRef: {kind: GitRepository, name: flux-system}, dependsOn: [{name: infra}]}\n',
    },
    expected: { path: 'spec.dependsOn[0].name', message: 'Kustomization "infra" does not exist in this folder' },
  },
  {
    name: 'a Flux sourceRef that names nothing',
    files: {
      'clusters/s1/workloads.yaml':
        'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: workloads, namespace: flux-system}\nspec: ' +
        '{interval: 5m, prune: true, path: ./x, sourceRef: {kind: GitRepository, name: other}}\n',
    },
    expected: {
      path: 'spec.sourceRef',
      message: 'GitRepository "other" does not exist in this folder (nor is it bootstrap\'s flux-system GitRepository)',
    },
  },
  {
    name: 'a VM disk without its volume',
    files: {
      'vm.yaml': VM('[{name: boot, disk: {bus: virtio}}, {name: data, disk: {bus: virtio}}]', '[{name: boot, containerDisk: {image: "pos:4.1"}}]'),
    },
    expected: { path: 'spec.template.spec.domain.devices.disks[1].name', message: 'disk "data" has no volume of the same name' },
  },
  {
    name: 'a VM claim that is not in the store',
    files: { 'stores/s1/vm.yaml': VM('[{name: data, disk: {bus: virtio}}]', '[{name: data, persistentVolumeClaim: {claimName: pos-data}}]') },
    expected: {
      path: 'spec.template.spec.volumes[0].persistentVolumeClaim.claimName',
      message: 'PersistentVolumeClaim "pos-data" is not in this store\'s folder (add it, or list it in the annotation edgefleet.io/external-volumes)',
    },
  },
  {
    name: 'a runtimeClassName the node does not provide',
    files: {
      'stores/s1/ns.yaml': NAMESPACE,
      'stores/s1/d.yaml': DEPLOYMENT.replace('      containers', '      runtimeClassName: wasmedge\n      containers'),
    },
    expected: {
      path: 'spec.template.spec.runtimeClassName',
      message: 'RuntimeClass "wasmedge" is not provided by the store\'s node (its node profile lists none)',
    },
  },
  {
    name: 'a Fleet GitRepo path that does not exist',
    files: {
      'dist/fleet/repo.yaml':
        'apiVersion: fleet.cattle.io/v1alpha1\nkind: GitRepo\nmetadata: {name: r, namespace: fleet-default}\nspec: {repo: ' +
        '"https://git.example.com/f.git", paths: [dist/stores/s9]}\n',
    },
    expected: { path: 'spec.paths[0]', message: '"dist/stores/s9" does not exist in the repository' },
  },
  {
    name: 'a file that is not YAML',
    files: { 'broken.yaml': 'kind: [unclosed\n' },
    expected: { file: 'broken.yaml', object: '-', message: 'not valid YAML' },
  },
];

describe('edgefleet validate', () => {
  test.each(BAD_CASES.map((c) => [c.name, c] as const))('GIVEN %s WHEN validated THEN it is caught with its path', async (_, { files, expected }) => {
    // GIVEN / WHEN
    const findings = await findingsOf(files);

    // THEN
    expect(findings).toContainEqual(expect.objectContaining({ ...expected, message: expect.stringContaining(expected.message) }));
  });

  test('GIVEN the fixes WHEN validated THEN the same trees pass', async () => {
    expect(await findingsOf({ 'kustomization.yaml': 'resources: [d.yaml, ns.yaml]\n', 'd.yaml': DEPLOYMENT, 'ns.yaml': NAMESPACE })).toEqual([]);
    expect(
      await findingsOf({ 'x.yaml': 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: edge}\n' }, { allowKinds: ['Widget'] }),
    ).toEqual([]);
    const externalClaim = VM(
      '[{name: data, disk: {bus: virtio}}]',
      '[{name: data, persistentVolumeClaim: {claimName: pos-data}}]',
      `, annotations: {edgefleet.io/external-volumes: pos-data, ${KEPT}}`,
    );
    // The offline rule local-storage cannot know the storage class of a claim outside the folder: it asks for a waiver (tested below).
    expect((await findingsOf({ 'stores/s1/vm.yaml': externalClaim })).filter((f) => !f.message.includes('offline rule "local-storage"'))).toEqual([]);
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

/** The edge monitor as a team might write it by hand: a moving tag, no pull policy, no requests. */
const HAND_WRITTEN = deployment('[{name: edge-monitor, image: "edge-monitor:latest"}]');

const LEGACY_WAIVER = (waiver: object) => `apiVersion: v1
kind: Namespace
metadata:
  name: edge
  annotations:
    edgefleet.io/waivers: '${JSON.stringify([waiver])}'
    kustomize.toolkit.fluxcd.io/prune: disabled
    helm.sh/resource-policy: keep
`;

describe('edgefleet validate runs the offline-readiness rules', () => {
  test(
    'GIVEN hand-written YAML with a moving tag, no pull policy and no requests WHEN validated THEN each is reported at its path, naming the ' +
      'rule',
    async () => {
      // GIVEN / WHEN
      const findings = await findingsOf({ 'apps/edge-monitor.yaml': HAND_WRITTEN });

      // THEN
      const at = 'spec.template.spec.containers[0]';
      expect(findings).toEqual([
        {
          file: 'apps/edge-monitor.yaml',
          object: 'Deployment/edge/edge-monitor',
          path: `${at}.image`,
          message: expect.stringMatching(/^"edge-monitor:latest" is not pinned .* \[offline rule "pinned-image"\]$/),
        },
        {
          file: 'apps/edge-monitor.yaml',
          object: 'Deployment/edge/edge-monitor',
          path: `${at}.imagePullPolicy`,
          message: expect.stringMatching(/^"\(unset\)" must be "IfNotPresent" .*\[offline rule "pull-policy"\]$/),
        },
        {
          file: 'apps/edge-monitor.yaml',
          object: 'Deployment/edge/edge-monitor',
          path: `${at}.resources`,
          message: expect.stringMatching(/^lacks requests.cpu, requests.memory, limits.memory .*\[offline rule "resources"\]$/),
        },
      ]);
    },
  );

  test(
    'GIVEN a VM disk on another storage class and a claim without protection WHEN validated THEN local-storage and prune-protection are ' +
      'reported',
    async () => {
      const claim =
        'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: nas, namespace: edge}\nspec: {storageClassName: nfs, accessModes: ' +
        '[ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n';
      const findings = await findingsOf({
        'vm.yaml': VM('[{name: nas, disk: {bus: virtio}}]', '[{name: nas, persistentVolumeClaim: {claimName: nas}}]', `, annotations: {${KEPT}}`),
        'pvc.yaml': claim,
      });
      expect(findings.map((f) => [f.object, f.path, f.message.match(/offline rule "(.*)"/)?.[1]])).toEqual([
        ['PersistentVolumeClaim/edge/nas', 'metadata.annotations', 'prune-protection'],
        ['VirtualMachine/edge/pos', 'spec.template.spec.volumes[0]', 'local-storage'],
      ]);
      expect(
        await findingsOf(
          {
            'vm.yaml': VM('[{name: nas, disk: {bus: virtio}}]', '[{name: nas, persistentVolumeClaim: {claimName: nas}}]', `, annotations: {${KEPT}}`),
            'pvc.yaml': claim.replace('nfs', 'fast-local'),
          },
          { localStorageClass: 'fast-local' },
        ),
      ).toEqual([expect.objectContaining({ path: 'metadata.annotations' })]);
    },
  );

  test(
    "GIVEN a waiver on the folder's Namespace WHEN validated THEN the waived rule is not reported, an unused waiver is a warning, a malformed " +
      'one a finding',
    async () => {
      // GIVEN
      const legacy = HAND_WRITTEN.replace(
        '"edge-monitor:latest"',
        '"edge-monitor:1.4.2", imagePullPolicy: Always, resources: {requests: {cpu: 10m, memory: 32Mi}, limits: {memory: 32Mi}}',
      );
      const waiver = { rule: 'pull-policy', object: 'Deployment/edge-monitor', reason: 'the vendor requires Always (ticket OPS-99)' };

      // WHEN
      const waived = await validateTree(tree({ 'd.yaml': legacy, 'ns.yaml': LEGACY_WAIVER(waiver) }), { realKustomizeBuild: false });
      const unused = await validateTree(tree({ 'd.yaml': legacy.replace('Always', 'IfNotPresent'), 'ns.yaml': LEGACY_WAIVER(waiver) }), {
        realKustomizeBuild: false,
      });
      const malformed = await findingsOf({ 'd.yaml': legacy, 'ns.yaml': LEGACY_WAIVER({ ...waiver, rule: 'pull-polcy' }) });

      // THEN
      expect(waived.findings).toEqual([]);
      expect(unused.warnings).toContainEqual(
        expect.objectContaining({
          object: 'Deployment/edge/edge-monitor',
          message: expect.stringContaining('waiver of "pull-policy" is not needed'),
        }),
      );
      expect(malformed).toContainEqual({
        file: 'ns.yaml',
        object: 'Namespace/edge',
        path: 'metadata.annotations.edgefleet.io/waivers',
        message: expect.stringContaining('[0].rule "pull-polcy" is not a rule'),
      });
      expect(malformed).toContainEqual(expect.objectContaining({ path: 'spec.template.spec.containers[0].imagePullPolicy' }));
    },
  );

  test('GIVEN a single file WHEN validated THEN it is checked on its own, and the report says the kustomize checks need its folder', async () => {
    const dir = tree({ 'apps/edge-monitor.yaml': HAND_WRITTEN, 'apps/kustomization.yaml': 'resources: [missing.yaml]\n' });
    const report = await validateTree(path.join(dir, 'apps', 'edge-monitor.yaml'));
    expect(report.files).toBe(1);
    expect(report.findings.map((f) => `${f.file} ${f.path}`)).toEqual([
      'edge-monitor.yaml spec.template.spec.containers[0].image',
      'edge-monitor.yaml spec.template.spec.containers[0].imagePullPolicy',
      'edge-monitor.yaml spec.template.spec.containers[0].resources',
    ]);
    expect(report.notes).toEqual(['one file: the kustomize checks need its folder']);
  });
});

describe('edgefleet validate reports every problem in one run', () => {
  test(
    'GIVEN a tree with a schema error, an offline violation, a kustomize problem, a dangling reference and a broken file WHEN validated THEN all ' +
      'of them are reported',
    async () => {
      // GIVEN
      const files = {
        'kustomization.yaml': 'resources: [ns.yaml, d.yaml, gone.yaml]\n',
        'ns.yaml': NAMESPACE,
        'd.yaml': HAND_WRITTEN.replace('spec:\n  selector', 'spec:\n  replica: 3\n  selector'),
        'clusters/s1/workloads.yaml': BAD_CASES.find((c) => c.name === 'a Flux dependsOn that names nothing')!.files['clusters/s1/workloads.yaml'],
        'broken.yaml': 'kind: [unclosed\n',
      };

      // WHEN
      const report = await validateTree(tree(files), { realKustomizeBuild: false });

      // THEN
      expect(report.findings.map((f) => `${f.file} ${f.path}`)).toEqual(
        expect.arrayContaining([
          'd.yaml spec.replica',
          'd.yaml spec.template.spec.containers[0].image',
          'kustomization.yaml resources[2]',
          'kustomization.yaml resources',
          'clusters/s1/workloads.yaml spec.dependsOn[0].name',
          'broken.yaml -',
        ]),
      );
      expect(formatReport(report)).toMatch(/\n\d+ files, \d+ objects: \d+ invalid \(\d+ problems\)\n$/);
    },
  );

  test('GIVEN many warnings of one kind WHEN reported as text THEN they are one line with a count and an example', async () => {
    const image = (tag: string) =>
      DEPLOYMENT.replace(/"registry[^"]*"/, `"registry.example.com/edge-monitor:${tag}"`).replace(
        'name: edge-monitor, namespace',
        `name: m-${tag.replace(/\./g, '-')}, namespace`,
      );
    const report = await validateTree(tree({ 'a.yaml': image('1.4.2'), 'b.yaml': image('1.4.3') }), { realKustomizeBuild: false });
    expect(report.warnings).toHaveLength(2);
    expect(formatReport(report)).toContain(
      'warning: 2 times, e.g. a.yaml: Deployment/edge/m-1-4-2: spec.template.spec.containers[0].image: ' +
        '"registry.example.com/edge-monitor:1.4.2" has a tag but no digest',
    );
    expect(formatReport(report)).toMatch(/0 invalid, 2 warnings\n$/);
  });
});

const haveKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!haveKubectl) console.warn('kubectl not found: the real kustomize builds are not tested here');

describe('edgefleet validate builds with the real kustomize', () => {
  function gitIn(repo: string, ...args: string[]): string {
    return execFileSync('git', args, {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' },
    });
  }
  const store = (name: string) => ({
    [`stores/${name}/kustomization.yaml`]: 'resources: [ns.yaml, d.yaml]\n',
    [`stores/${name}/ns.yaml`]: NAMESPACE,
    [`stores/${name}/d.yaml`]: DEPLOYMENT,
  });

  (haveKubectl ? test : test.skip)(
    'GIVEN three store folders, one changed since main WHEN validated --changed-since main THEN only that one is built, and a build failure is ' +
      'reported',
    async () => {
      // GIVEN
      const repo = tree({ ...store('s1'), ...store('s2'), ...store('s3') });
      gitIn(repo, 'init', '-q', '-b', 'main');
      gitIn(repo, 'add', '-A');
      gitIn(repo, 'commit', '-qm', 'base');
      fs.writeFileSync(path.join(repo, 'stores/s2/kustomization.yaml'), 'resources: [ns.yaml, d.yaml]\ncomponents: [../missing-component]\n');

      // WHEN
      const all = await validateTree(repo, { concurrency: 2 });
      const changed = await validateTree(repo, { changedSince: 'main' });

      // THEN
      expect(all.notes).toEqual(['3 top-level kustomizations built with kubectl kustomize, 2 at a time']);
      expect(changed.notes).toEqual([
        expect.stringMatching(
          /^1 of 3 top-level kustomizations \(those changed since main \([0-9a-f]+\)\) built with kubectl kustomize, 1 at a time$/,
        ),
      ]);
      expect(changed.findings).toEqual([
        { file: 'stores/s2/kustomization.yaml', object: '-', path: '-', message: expect.stringContaining('kubectl kustomize failed: ') },
      ]);
    },
    60_000,
  );
});
