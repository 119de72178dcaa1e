import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  EdgeFleet,
  EdgeFleetProps,
  EdgeMonitor,
  EdgePosVm,
  EdgeStore,
  EdgeStoreProps,
  VmDisk,
  readStoreInventory,
  renderFleet,
  synthesize,
} from '../../lib';
import { main } from '../../lib/cli/main';
import { diffDist, isDerived } from '../../lib/diff/dist-diff';
import { formatDiffMarkdown, formatDiffText } from '../../lib/diff/format-diff';
import { imageDownloads, readImageSizes } from '../../lib/diff/image-downloads';
import { KEEP_ANNOTATIONS } from '../../lib/policies/keep-annotations';
import { INVENTORY, RELEASES, buildFleet } from '../../stores';
import { tempDir, testFleet } from '../util';

function git(repo: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' },
  });
}

/** A Git repository on branch main whose dist/ holds `fleet`, committed. */
function repoWith(fleet: EdgeFleet): string {
  const repo = tempDir();
  git(repo, 'init', '-q', '-b', 'main');
  commitSynth(repo, fleet, 'base');
  return repo;
}

/** Synthesizes `fleet` into dist/ of `repo` and commits it on the current branch. */
function commitSynth(repo: string, fleet: EdgeFleet, message: string): void {
  synthesize(fleet, { outdir: path.join(repo, 'dist') });
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', message);
}

/** Synthesizes `fleet` into the working tree of `repo` and diffs it with the last commit. */
function diffAfter(repo: string, fleet: EdgeFleet) {
  synthesize(fleet, { outdir: path.join(repo, 'dist'), allowWideChange: true });
  return diffDist({ dir: path.join(repo, 'dist') });
}

interface StoreSpec {
  readonly id: string;
  readonly ring?: string;
  readonly tag?: string;
  /** The edge monitor's environment. */
  readonly env?: Record<string, string>;
  /** Settings of the store. */
  readonly props?: EdgeStoreProps;
  /** Adds workloads beyond the edge monitor. */
  readonly extra?: (store: EdgeStore) => void;
}

function fleetOf(stores: StoreSpec[], props: Partial<EdgeFleetProps> = {}): EdgeFleet {
  const fleet = testFleet({ rings: ['canary', 'general'], ...props });
  for (const s of stores) {
    const store = new EdgeStore(fleet, s.id, { labels: { ring: s.ring ?? 'general', region: 'eu-west' }, ...s.props });
    new EdgeMonitor(store, 'edge-monitor', { image: `registry.example.com/edge-monitor:${s.tag ?? '1.4.2'}`, env: s.env });
    s.extra?.(store);
  }
  return fleet;
}

const withPos = (store: EdgeStore) =>
  new EdgePosVm(store, 'pos', {
    bootDisk: VmDisk.containerDisk('registry.example.com/pos-os:4.1.0'),
    dataDisks: { data: VmDisk.localVolume({ size: '10Gi' }) },
  });

const BASE = () => fleetOf([{ id: 'store-001', ring: 'canary' }, { id: 'store-002' }, { id: 'store-003' }]);
const NEXT = () => fleetOf([{ id: 'store-001', ring: 'canary' }, { id: 'store-002', tag: '1.5.0' }, { id: 'store-004' }]);

describe('edgefleet diff', () => {
  test('GIVEN a fresh synth in the working tree WHEN diffed THEN it lists added, removed and changed stores with the changed fields', () => {
    // GIVEN
    const repo = repoWith(BASE());

    // WHEN
    const diff = diffAfter(repo, NEXT());

    // THEN
    expect(diff.base.ref).toBe('HEAD');
    expect(diff.base.label).toBe(`HEAD (${git(repo, 'rev-parse', '--short', 'HEAD').trim()})`);
    expect(diff.stores.map((s) => [s.store, s.status])).toEqual([
      ['store-002', 'changed'],
      ['store-003', 'removed'],
      ['store-004', 'added'],
    ]);
    expect(diff.stores[0].changes).toEqual([
      {
        file: 'stores/store-002/workloads/edge-monitor.yaml',
        object: 'Deployment/edge/edge-monitor',
        change: 'changed',
        fields: [
          {
            path: 'spec.template.spec.containers[name=edge-monitor].image',
            before: 'registry.example.com/edge-monitor:1.4.2',
            after: 'registry.example.com/edge-monitor:1.5.0',
          },
        ],
      },
    ]);
    const text = formatDiffText(diff);
    expect(text).toContain(
      'store-002 [ring general, region eu-west]:\n  Deployment/edge/edge-monitor spec.template.spec.containers[name=edge-monitor].image: ' +
        'registry.example.com/edge-monitor:1.4.2 -> registry.example.com/edge-monitor:1.5.0\n',
    );
    expect(text).toContain('store-003 (removed) [ring general, region eu-west]:\n');
    expect(text).toContain('  Deployment/edge/edge-monitor: added (stores/store-004/workloads/edge-monitor.yaml)\n');
    expect(text).not.toContain('store-001');
    expect(text.trim().split('\n').pop()).toBe(
      `3 of 4 stores changed (1 added, 1 removed; compared with ${diff.base.label}); by ring: canary 0/1, general 3/3; by region: eu-west 3/4`,
    );
  });

  test('GIVEN a committed change on a branch WHEN diffed without --base THEN it compares with the merge base of main and names the branch', () => {
    // GIVEN
    const repo = repoWith(BASE());
    git(repo, 'checkout', '-qb', 'promote');
    commitSynth(repo, NEXT(), 'promote');

    // WHEN
    const diff = diffDist({ dir: path.join(repo, 'dist') });

    // THEN
    const mainCommit = git(repo, 'rev-parse', 'main').trim();
    expect(diff.base).toEqual({ ref: mainCommit, label: `main (${mainCommit.slice(0, 7)})` });
    expect(formatDiffText(diff)).toContain(`compared with main (${mainCommit.slice(0, 7)})`);
    expect(diff.stores.map((s) => s.store)).toEqual(['store-002', 'store-003', 'store-004']);
    expect(diffDist({ dir: path.join(repo, 'dist'), base: 'HEAD' }).stores).toEqual([]);
  });

  test('GIVEN main moved on after the branch WHEN diffed THEN the label says it is the merge base; a named base is named', () => {
    const repo = repoWith(BASE());
    git(repo, 'checkout', '-qb', 'promote');
    commitSynth(repo, NEXT(), 'promote');
    git(repo, 'checkout', '-q', 'main');
    fs.writeFileSync(path.join(repo, 'README.md'), 'x\n');
    git(repo, 'add', 'README.md');
    git(repo, 'commit', '-qm', 'elsewhere');
    git(repo, 'checkout', '-q', 'promote');

    const mergeBase = git(repo, 'merge-base', 'HEAD', 'main').trim();
    expect(diffDist({ dir: path.join(repo, 'dist') }).base.label).toBe(`main (merge base ${mergeBase.slice(0, 7)})`);
    expect(diffDist({ dir: path.join(repo, 'dist'), base: 'main' }).base.label).toBe(`main (${git(repo, 'rev-parse', '--short', 'main').trim()})`);
    expect(() => diffDist({ dir: path.join(repo, 'dist'), base: 'no-such-branch' })).toThrow(
      '--base "no-such-branch" is not a commit, branch or tag',
    );
  });

  test('GIVEN GitHub Actions running for a pull request against another branch WHEN diffed THEN it compares with that branch', () => {
    // GIVEN a pull request from "promote" into "release", with main elsewhere
    const repo = repoWith(BASE());
    git(repo, 'checkout', '-qb', 'release');
    commitSynth(repo, NEXT(), 'release');
    git(repo, 'checkout', '-qb', 'promote');
    const previous = process.env.GITHUB_BASE_REF;
    process.env.GITHUB_BASE_REF = 'release';

    // WHEN
    let diff;
    try {
      diff = diffDist({ dir: path.join(repo, 'dist') });
    } finally {
      if (previous === undefined) delete process.env.GITHUB_BASE_REF;
      else process.env.GITHUB_BASE_REF = previous;
    }

    // THEN
    expect(diff.base.label).toBe(`release (${git(repo, 'rev-parse', '--short', 'release').trim()})`);
    expect(diff.stores).toEqual([]);
  });

  test("GIVEN one change made in several stores WHEN diffed THEN it is one group that lists the stores, each store's id standing as <store>", () => {
    // GIVEN
    const fleet = (suffix: string) => fleetOf(['store-001', 'store-002', 'store-003'].map((id) => ({ id, env: { STORE_ID: `${id}${suffix}` } })));
    const repo = repoWith(fleet(''));

    // WHEN
    const text = formatDiffText(diffAfter(repo, fleet('.eu-west')));

    // THEN
    expect(text).toContain(
      '3 stores [ring general, region eu-west]: store-001, store-002, store-003:\n' +
        '  Deployment/edge/edge-monitor spec.template.spec.containers[name=edge-monitor].env[name=STORE_ID].value: <store> -> <store>.eu-west\n',
    );
    expect(text.match(/store-002/g)).toHaveLength(1);
  });

  test(
    'GIVEN stores that changed one object in different ways WHEN diffed THEN they are one group, each line saying which of the stores it applies ' +
      'to',
    () => {
      const repo = repoWith(BASE());
      const text = formatDiffText(
        diffAfter(
          repo,
          fleetOf([
            { id: 'store-001', ring: 'canary', tag: '1.5.0' },
            { id: 'store-002', tag: '1.5.0' },
            { id: 'store-003', env: { X: '1' } },
          ]),
        ),
      );
      expect(text).toContain(
        '3 stores [region eu-west]: store-001, store-002, store-003:\n' +
          '  Deployment/edge/edge-monitor spec.template.spec.containers[name=edge-monitor].image: registry.example.com/edge-monitor:1.4.2 -> ' +
          'registry.example.com/edge-monitor:1.5.0\n' +
          '      in 2 of the stores: store-001, store-002\n' +
          '  Deployment/edge/edge-monitor spec.template.spec.containers[name=edge-monitor].env[name=X]: + {"name":"X","value":"1"}\n' +
          '      in 1 of the stores: store-003\n',
      );
    },
  );

  test(
    'GIVEN a prune-protected VM and claim removed from a Flux store WHEN diffed THEN they are marked kept on the store, the Deployment is ' + 'not',
    () => {
      // GIVEN
      const repo = repoWith(fleetOf([{ id: 'store-001', extra: withPos }]));

      // WHEN
      const text = formatDiffText(diffAfter(repo, fleetOf([{ id: 'store-001' }])));

      // THEN
      expect(text).toContain(
        '  PersistentVolumeClaim/edge/pos-data: removed (stores/store-001/workloads/pos.yaml); kept on the store ' +
          '(kustomize.toolkit.fluxcd.io/prune: disabled)\n',
      );
      expect(text).toContain(
        '  VirtualMachine/edge/pos: removed (stores/store-001/workloads/pos.yaml); kept on the store (kustomize.toolkit.fluxcd.io/prune: disabled)\n',
      );
      expect(text).not.toContain('!!');
    },
  );

  test("GIVEN the same removal from a Fleet store WHEN diffed THEN Helm's keep annotation is what keeps them", () => {
    const fleetStore = { id: 'store-001', props: { sync: { agent: 'fleet' as const } } };
    const repo = repoWith(fleetOf([{ ...fleetStore, extra: withPos }]));
    const text = formatDiffText(diffAfter(repo, fleetOf([fleetStore])));
    expect(text).toContain(
      '  VirtualMachine/edge/pos: removed (stores/store-001/workloads/pos.yaml); kept on the store (helm.sh/resource-policy: keep)\n',
    );
  });

  test('GIVEN a claim without protection (waived) removed WHEN diffed THEN the diff warns loudly that its data is deleted', () => {
    // GIVEN
    const cache = (store: EdgeStore) =>
      store.addManifests('cache', [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'cache', namespace: 'edge' },
          spec: { storageClassName: 'local-path', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ]);
    const waiver = {
      waivers: [{ rule: 'prune-protection' as const, object: 'PersistentVolumeClaim/cache', reason: 'a disposable cache, rebuilt on start' }],
    };
    const repo = repoWith(fleetOf([{ id: 'store-001', props: waiver, extra: cache }]));

    // WHEN
    const diff = diffAfter(repo, fleetOf([{ id: 'store-001' }]));

    // THEN
    const warning = 'STATEFUL DATA: PersistentVolumeClaim "cache" is deleted on the store, and its data with it';
    expect(diff.stores[0].changes.find((c) => c.object === 'PersistentVolumeClaim/edge/cache')).toMatchObject({
      change: 'removed',
      warning: expect.stringContaining(warning),
    });
    const text = formatDiffText(diff);
    expect(text).toContain(`  !! ${warning}`);
    expect(text).toContain('!! 1 warning about stores\' data, in 1 store: read the lines marked "!!" above\n');
    expect(formatDiffMarkdown(diff)).toContain(`> [!CAUTION]\n> **Stores' data at risk.**\n> - store-001 [ring general, region eu-west]: ${warning}`);
  });

  test(
    'GIVEN the workload namespace renamed WHEN diffed THEN every object is a delete and a create, and the POS data is flagged as left ' + 'behind',
    () => {
      // GIVEN
      const repo = repoWith(fleetOf([{ id: 'store-001', extra: withPos }]));

      // WHEN
      const move = { from: 'edge', to: 'retail', reason: 'the old VMs are stopped and their disks copied' };
      const diff = diffAfter(repo, fleetOf([{ id: 'store-001', extra: withPos }], { namespace: 'retail', statefulNamespaceMove: move }));

      // THEN
      const changes = diff.stores[0].changes;
      expect(changes.filter((c) => c.change === 'changed').map((c) => c.object)).not.toContain('PersistentVolumeClaim/retail/pos-data');
      expect(changes.find((c) => c.object === 'PersistentVolumeClaim/retail/pos-data')).toEqual({
        file: 'stores/store-001/workloads/pos.yaml',
        object: 'PersistentVolumeClaim/retail/pos-data',
        change: 'added',
        fields: [],
        replaces: 'PersistentVolumeClaim/edge/pos-data',
        warning:
          'STATEFUL DATA: PersistentVolumeClaim "pos-data" moves from namespace "edge" to "retail", which is a delete and a create: the new ' +
          'PersistentVolumeClaim starts empty, ' +
          'and the old one stays, with its data, now unmanaged (kustomize.toolkit.fluxcd.io/prune: disabled). Migrate the data deliberately, or ' +
          'keep the old namespace and kind.',
      });
      expect(changes.find((c) => c.object === 'Namespace/edge')).toMatchObject({
        change: 'removed',
        kept: 'kustomize.toolkit.fluxcd.io/prune: disabled',
      });
      expect(changes.find((c) => c.object === 'Deployment/retail/edge-monitor')).toMatchObject({
        change: 'added',
        replaces: 'Deployment/edge/edge-monitor',
      });
      expect(changes.find((c) => c.object === 'Deployment/retail/edge-monitor')!.warning).toBeUndefined();
      expect(formatDiffText(diff)).toContain(
        '  Deployment/retail/edge-monitor: added (stores/store-001/workloads/edge-monitor.yaml), replacing Deployment/edge/edge-monitor (a ' +
          'change of namespace or kind is a delete and a create)\n',
      );
    },
  );

  test(
    'GIVEN one claim moved to another namespace while its old namespace stays WHEN diffed THEN the old claim is kept with its data, and that is ' +
      'flagged',
    () => {
      const claim = (namespace: string) => (store: EdgeStore) => {
        store.addManifests(
          'kiosk',
          [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kiosk', annotations: KEEP_ANNOTATIONS } }],
          'infrastructure',
        );
        store.addManifests('data', [
          {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name: 'data', namespace, annotations: KEEP_ANNOTATIONS },
            spec: { storageClassName: 'local-path', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ]);
      };
      const repo = repoWith(fleetOf([{ id: 'store-001', extra: claim('edge') }]));
      const move = { from: 'edge', to: 'kiosk', reason: 'the kiosk data is copied by the store runbook' };
      const diff = diffAfter(repo, fleetOf([{ id: 'store-001', extra: claim('kiosk') }], { statefulNamespaceMove: move }));
      expect(diff.stores[0].changes.find((c) => c.object === 'PersistentVolumeClaim/kiosk/data')!.warning).toBe(
        'STATEFUL DATA: PersistentVolumeClaim "data" moves from namespace "edge" to "kiosk", which is a delete and a create: the new ' +
          'PersistentVolumeClaim starts empty, ' +
          'and the old one stays, with its data, now unmanaged (kustomize.toolkit.fluxcd.io/prune: disabled). Migrate the data deliberately, or ' +
          'keep the old namespace and kind.',
      );
    },
  );

  test('GIVEN an object that changes kind under the same name WHEN diffed THEN it is a delete and a create', () => {
    const settings = (kind: string) => (store: EdgeStore) =>
      store.addManifests('settings', [{ apiVersion: 'v1', kind, metadata: { name: 'settings', namespace: 'edge' } }]);
    const repo = repoWith(fleetOf([{ id: 'store-001', extra: settings('ConfigMap') }]));
    const text = formatDiffText(diffAfter(repo, fleetOf([{ id: 'store-001', extra: settings('Secret') }])));
    expect(text).toContain('  ConfigMap/edge/settings: removed (stores/store-001/workloads/settings.yaml)\n');
    expect(text).toContain(
      '  Secret/edge/settings: added (stores/store-001/workloads/settings.yaml), replacing ConfigMap/edge/settings (a change of namespace or ' +
        'kind is a delete and a create)\n',
    );
  });

  test(
    'GIVEN a store removed whose Flux folder goes with it WHEN diffed THEN everything is kept on the store: its Flux finds nothing to ' + 'apply',
    () => {
      const repo = repoWith(fleetOf([{ id: 'store-001', extra: withPos }, { id: 'store-002' }]));
      const text = formatDiffText(diffAfter(repo, fleetOf([{ id: 'store-002' }])));
      expect(text).toContain('store-001 (removed) [ring general, region eu-west]:\n');
      expect(text).toContain(
        '  VirtualMachine/edge/pos: removed (stores/store-001/workloads/pos.yaml); kept on the store (its Flux folder is gone, so Flux applies ' +
          'and deletes nothing more)\n',
      );
      expect(text).not.toContain('!!');
    },
  );

  test(
    'GIVEN a store whose Flux folder stays (bootstrap filled it in) WHEN the store is removed THEN its objects are kept: its Flux Kustomizations ' +
      'orphan them',
    () => {
      // GIVEN a store that `flux bootstrap` has filled in
      const repo = repoWith(fleetOf([{ id: 'store-001', extra: withPos }, { id: 'store-002' }]));
      fs.writeFileSync(
        path.join(repo, 'dist/clusters/store-001/flux-system/gotk-sync.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bootstrapped, namespace: flux-system}\n',
      );
      git(repo, 'commit', '-qam', 'bootstrap store-001');

      // WHEN
      const diff = diffAfter(repo, fleetOf([{ id: 'store-002' }]));

      // THEN
      expect(diff.stores[0].changes.find((c) => c.object === 'VirtualMachine/edge/pos')).toEqual({
        file: 'stores/store-001/workloads/pos.yaml',
        object: 'VirtualMachine/edge/pos',
        change: 'removed',
        fields: [],
        kept: 'its Flux Kustomization "edgefleet-workloads" is deleted with deletionPolicy: Orphan',
      });
      expect(formatDiffText(diff)).not.toContain('!!');
    },
  );

  test(
    'GIVEN a claim removed with its Namespace, which nothing protects WHEN diffed THEN the claim is flagged: the namespace takes it along, ' +
      'whatever its annotations',
    () => {
      // GIVEN a kiosk namespace whose protection is waived, holding a protected claim
      const kiosk = (store: EdgeStore) => {
        store.addManifests('kiosk-namespace', [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kiosk' } }], 'infrastructure');
        store.addManifests('kiosk-data', [
          {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name: 'kiosk-data', namespace: 'kiosk', annotations: KEEP_ANNOTATIONS },
            spec: { storageClassName: 'local-path', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ]);
      };
      const waiver = {
        waivers: [{ rule: 'prune-protection' as const, object: 'Namespace/kiosk', reason: 'a namespace for a trial, to be removed' }],
      };
      const repo = repoWith(fleetOf([{ id: 'store-001', props: waiver, extra: kiosk }]));

      // WHEN
      const diff = diffAfter(repo, fleetOf([{ id: 'store-001' }]));

      // THEN
      expect(diff.stores[0].changes.find((c) => c.object === 'PersistentVolumeClaim/kiosk/kiosk-data')).toMatchObject({
        change: 'removed',
        warning: expect.stringContaining(
          'STATEFUL DATA: PersistentVolumeClaim "kiosk-data" is deleted on the store with its Namespace "kiosk", and its data with it',
        ),
      });
      expect(diff.stores[0].changes.find((c) => c.object === 'PersistentVolumeClaim/kiosk/kiosk-data')!.kept).toBeUndefined();
    },
  );

  test('GIVEN a promotion WHEN diffed with image sizes THEN it sums what each store and all stores must download', () => {
    // GIVEN
    const repo = repoWith(BASE());
    const sizes = path.join(tempDir(), 'sizes.txt');
    fs.writeFileSync(sizes, '# image size\nregistry.example.com/edge-monitor:1.5.0 80Mi\nregistry.example.com/edge-monitor:1.4.2 83886080\n');

    // WHEN
    const diff = diffAfter(
      repo,
      fleetOf([{ id: 'store-001', ring: 'canary', tag: '1.5.0' }, { id: 'store-002', tag: '1.5.0' }, { id: 'store-003' }]),
    );
    const text = formatDiffText(diff, { imageSizes: readImageSizes(sizes) });

    // THEN
    expect(diff.stores.map((s) => s.newImages)).toEqual([['registry.example.com/edge-monitor:1.5.0'], ['registry.example.com/edge-monitor:1.5.0']]);
    expect(text).toContain(
      'New images to download: 2 stores, 1 image, 160.0 MiB in total\n' +
        '  2 stores [region eu-west] (store-001, store-002): 80.0 MiB each\n' +
        '    registry.example.com/edge-monitor:1.5.0 (80.0 MiB)\n',
    );
    expect(formatDiffText(diff)).toContain(
      'New images to download: 2 stores, 1 image; size unknown for 1 image (give sizes with --image-sizes <file>)\n',
    );
    expect(imageDownloads(diff).unknownSizes).toEqual(['registry.example.com/edge-monitor:1.5.0']);
  });

  test('GIVEN a sizes file with a malformed line WHEN read THEN the error names the file, the line and the expected form', () => {
    const sizes = path.join(tempDir(), 'sizes.txt');
    fs.writeFileSync(sizes, 'registry.example.com/a:1 1Gi\nregistry.example.com/b:1 big\n');
    expect(() => readImageSizes(sizes)).toThrow(`--image-sizes ${sizes} line 2: "registry.example.com/b:1 big" is not "<image> <size>"`);
  });

  test('GIVEN a change WHEN written as Markdown THEN it is a pull-request comment with tables and folded groups', () => {
    const repo = repoWith(BASE());
    const markdown = formatDiffMarkdown(diffAfter(repo, NEXT()));
    expect(markdown).toContain('### edgefleet diff: 3 of 4 stores changed\n');
    expect(markdown).toContain('| ring | changed | stores |\n|---|---:|---:|\n| canary | 0 | 1 |\n| general | 3 | 3 |\n');
    expect(markdown).toContain(
      '<details><summary>store-002 [ring general, region eu-west]: 1 change</summary>\n\n```\nDeployment/edge/edge-monitor ' +
        'spec.template.spec.containers[name=edge-monitor].image: registry.example.com/edge-monitor:1.4.2 -> ' +
        'registry.example.com/edge-monitor:1.5.0\n```',
    );
  });

  test(
    'GIVEN a change touching more stores outside the first ring than --max-stores WHEN diffed THEN it fails naming them, unless ' + 'overridden',
    async () => {
      // GIVEN
      const repo = repoWith(BASE());
      synthesize(NEXT(), { outdir: path.join(repo, 'dist') });
      const run = async (...extra: string[]) => {
        let stdout = '';
        let stderr = '';
        // In the repository, which has no fleet module at the default path: the limit is --max-stores alone.
        const code = await main(
          ['diff', '--dir', path.join(repo, 'dist'), ...extra],
          { write: (s: string) => (stdout += s) },
          { write: (s: string) => (stderr += s) },
          repo,
        );
        return { code, stdout, stderr };
      };

      // WHEN / THEN
      const refused = await run('--max-stores', '1');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        'blast-radius guard: this change touches 2 existing stores outside the first ring, more than the 1 allowed: store-002 (general), ' +
          'store-003 (general).',
      );
      expect((await run('--max-stores', '1', '--allow-wide-change')).code).toBe(0);
      expect((await run('--max-stores', '2')).code).toBe(0);
      expect((await run('--image-sizes', '/nonexistent/sizes.txt')).stderr).toContain(
        '--image-sizes /nonexistent/sizes.txt: cannot read it (ENOENT)',
      );
    },
  );
});

describe('the example fleet', () => {
  const rows = readStoreInventory(INVENTORY);

  test(
    'GIVEN the POS OS pin moved from canary to early WHEN synthesized THEN exactly the early stores change, and diff shows them as one group of ' +
      '20, saying which boot from a DataVolume',
    () => {
      // GIVEN
      const repo = repoWith(buildFleet(rows));
      const promoted = { ...RELEASES, posOs: { ...RELEASES.posOs, candidate: { version: '4.2.0', throughRing: 'early' } } };

      // WHEN
      const before = renderFleet(buildFleet(rows));
      const after = renderFleet(buildFleet(rows, promoted));
      const diff = diffAfter(repo, buildFleet(rows, promoted));

      // THEN
      const earlyStores = rows.filter((r) => r.values.ring === 'early').map((r) => r.values.id);
      const changed = [...after.keys()].filter((f) => after.get(f) !== before.get(f) && !isDerived(f));
      expect(new Set(changed.map((f) => f.split('/')[1]))).toEqual(new Set(earlyStores));
      expect(changed.every((f) => f.endsWith('/workloads/pos.yaml'))).toBe(true);
      expect(diff.stores.map((s) => s.store)).toEqual(earlyStores);
      const text = formatDiffText(diff).replace(/,\n {4,8}(?=store)/g, ', ');
      expect(text.startsWith(`20 stores [ring early]: ${earlyStores.join(', ')}:\n`)).toBe(true);
      const dataVolumeStores = earlyStores.filter((id) => !before.get(`stores/${id}/workloads/pos.yaml`)!.includes('containerDisk:\n'));
      const containerDiskStores = earlyStores.filter((id) => !dataVolumeStores.includes(id));
      expect(dataVolumeStores.length).toBeGreaterThan(0);
      expect(text).toContain(
        ':\n  VirtualMachine/edge/pos spec.template.spec.volumes[name=boot].containerDisk.image: registry.example.com/retail/pos-os:4.1.0 -> ' +
          'registry.example.com/retail/pos-os:4.2.0\n' +
          `      in ${containerDiskStores.length} of the stores: ${containerDiskStores.join(', ')}\n`,
      );
      // Each region's early stores restart in their own window, in their time zone.
      const region = (id: string) => rows.find((r) => r.values.id === id)!.values.region;
      for (const [name, timeZone] of [
        ['eu-west', 'Europe/Paris'],
        ['us-east', 'America/New_York'],
      ]) {
        const stores = containerDiskStores.filter((id) => region(id) === name);
        expect(text).toContain(
          `  VirtualMachine/edge/pos -> on the store: at the VM's next restart, in the window Sun 02:00–04:00 ${timeZone} (KubeVirt v1.6.5 ` +
            'sets RestartRequired and keeps the running VM on its old template): spec.template.spec.volumes[name=boot].containerDisk.image\n' +
            `      in ${stores.length} of the stores: ${stores.join(', ')}\n`,
        );
      }
      // The stores booting from a DataVolume get a new boot disk, imported while the VM runs, then booted in their window.
      expect(text).toMatch(
        new RegExp(
          'VirtualMachine/edge/pos spec\\.template\\.spec\\.volumes\\[name=boot\\]\\.dataVolume\\.name: ' +
            'pos-boot-[0-9a-f]{8} -> pos-boot-[0-9a-f]{8}\\n' +
            `      in ${dataVolumeStores.length} of the stores: ${dataVolumeStores.join(', ')}\\n`,
        ),
      );
      for (const id of dataVolumeStores) {
        expect(text).toMatch(
          new RegExp(
            '-> on the store: a new boot disk of 20Gi, DataVolume "pos-boot-[0-9a-f]{8}" \\(docker://registry\\.example\\.com/retail/' +
              'pos-os:4\\.2\\.0\\), imported while the VM runs unless the store still keeps it from an earlier release, booted at its next ' +
              "restart \\(the store's restarter then keeps the disk it replaces for a " +
              "rollback without download, and deletes older ones\\); at the VM's next restart, in the window Sun 02:00–04:00 .*\\n" +
              `      in 1 of the stores: ${id}\\n`,
          ),
        );
      }
      expect(text.trim().split('\n').pop()).toMatch(
        /^20 of 100 stores changed \(0 added, 0 removed; compared with HEAD \([0-9a-f]+\)\); by ring: canary 0\/4, early 20\/20, general 0\/76; /,
      );
    },
    60_000,
  );

  test('GIVEN store-057 moved from Fleet to Flux WHEN diffed THEN the fleet-wide change is one GitRepo path naming that store', () => {
    // GIVEN
    const repo = repoWith(buildFleet(rows));
    const moved = rows.map((r) => (r.values.id === 'store-057' ? { ...r, values: { ...r.values, sync_agent: '' } } : r));

    // WHEN
    const diff = diffAfter(repo, buildFleet(moved));

    // THEN
    expect(diff.stores.map((s) => s.store)).toEqual(['store-057', undefined]);
    const text = formatDiffText(diff);
    expect(text).toContain(
      'fleet-wide files:\n' +
        '  GitRepo/fleet-default/edgefleet-stores spec.paths: - dist/stores/store-057\n' +
        '  fleet/kustomization.yaml resources: - clusters/store-057.yaml\n',
    );
    expect(text).toContain('  Kustomization/flux-system/edgefleet-workloads: added (clusters/store-057/workloads.yaml)\n');
    expect(text).toContain(
      '  Cluster/fleet-default/store-057: removed (fleet/clusters/store-057.yaml); kept on the Fleet manager (kubectl apply -k does not prune: ' +
        'delete it by hand once unused)\n',
    );
    expect(text).not.toMatch(/store-058|paths\[/);
    expect(text).toContain('New images to download: none.\n');
  }, 60_000);
});
