import * as fs from 'fs';
import * as path from 'path';
import { GitServer } from '../../e2e/harness/git-server';
import { EdgeFleet, EdgeMonitor, EdgeStore, SyncSource } from '../../lib';
import { main } from '../../lib/cli/main';
import { testFleet, pattern } from '../util';
import { FleetGit, git } from './fleet-git';

/** The stores of the test fleet: three on their branch, one on the fleet's branch, one synced by Rancher Fleet. */
const ON_BRANCH = ['store-a', 'store-b', 'store-c'];

interface TestFleetOptions {
  /** Edge monitor versions of single stores (else 1.4.2). */
  readonly monitor?: Record<string, string>;
  /** Stores to leave out. */
  readonly without?: string[];
  /** Sources of single stores (else store-branch). */
  readonly sources?: Record<string, SyncSource>;
}

function fleet(options: TestFleetOptions = {}): EdgeFleet {
  const f = testFleet({ sync: { source: 'store-branch' } });
  const sync: Record<string, EdgeStore['sync'] | object> = { 'store-m': { source: 'main' }, 'store-f': { agent: 'fleet' } };
  for (const id of [...ON_BRANCH, 'store-m', 'store-f'].filter((s) => !options.without?.includes(s))) {
    const store = new EdgeStore(f, id, { sync: { ...sync[id], ...(options.sources?.[id] ? { source: options.sources[id] } : {}) } });
    new EdgeMonitor(store, 'edge-monitor', { image: `registry.example.com/retail/edge-monitor:${options.monitor?.[id] ?? '1.4.2'}` });
  }
  return f;
}

/** What `flux bootstrap git --branch=<store branch>` does to the store's branch: fills in its two files, commits and pushes. */
function fluxBootstrap(repo: FleetGit, store: string, components = '# the Flux controllers\n'): string {
  const clone = path.join(repo.root, `bootstrap-${store}`);
  git(repo.root, 'clone', '-q', '--branch', `edgefleet/stores/${store}`, repo.remote, clone);
  const folder = path.join(clone, 'dist', 'clusters', store, 'flux-system');
  fs.writeFileSync(path.join(folder, 'gotk-components.yaml'), components);
  fs.writeFileSync(path.join(folder, 'gotk-sync.yaml'), `# GitRepository and Kustomization flux-system following edgefleet/stores/${store}\n`);
  git(clone, 'commit', '-q', '-am', 'Add Flux sync manifests');
  git(clone, 'push', '-q', 'origin', 'HEAD');
  return git(clone, 'rev-parse', 'HEAD');
}

describe('edgefleet publish', () => {
  let repo: FleetGit;
  let source: string;
  beforeEach(() => {
    repo = FleetGit.create();
    source = repo.release(fleet(), 'Add the stores');
  });

  test('GIVEN a synthesized fleet WHEN published THEN each Flux store on its branch gets one branch holding exactly its two folders', () => {
    // WHEN
    const result = repo.publish();

    // THEN one branch per Flux store whose source is its branch: not store-m (on main), not store-f (Rancher Fleet)
    expect([...repo.branches().keys()].sort()).toEqual(ON_BRANCH);
    expect(result).toMatchObject({ source, stores: 3, unchanged: 0, kept: [], pushed: true, atomic: true });
    expect(result.updates.map((u) => [u.store, u.from])).toEqual(ON_BRANCH.map((s) => [s, undefined]));
    // AND its tree is the store's folders of dist/, at the same paths, nothing else
    const branch = 'edgefleet/stores/store-a';
    expect(repo.files(branch)).toEqual(repo.files(source, repo.work, 'dist/stores/store-a', 'dist/clusters/store-a'));
    // AND the commit has no parent, the source commit's author, committer and dates, and names it
    expect(git(repo.remote, 'show', '-s', '--format=%P|%an <%ae> %ad|%cn <%ce> %cd', '--date=raw', branch)).toBe(
      '|Platform Team <platform@example.com> 1767225600 +0100|CI <ci@example.com> 1767229200 +0100',
    );
    expect(git(repo.remote, 'show', '-s', '--format=%B', branch)).toBe(
      `store-a: dist/ at ${source.slice(0, 12)}\n\nPublished by edgefleet publish from ${source}: Add the stores`,
    );
  });

  test('GIVEN published branches WHEN published again with no change THEN no commit is made and nothing is pushed', () => {
    repo.publish();
    const before = repo.branches();

    const result = repo.publish();

    expect(result).toMatchObject({ updates: [], unchanged: 3, pushed: false });
    expect(repo.branches()).toEqual(before);
  });

  test('GIVEN a change to one store WHEN published THEN exactly one branch gets exactly one commit, on top of its previous one', () => {
    // GIVEN
    repo.publish();
    const before = repo.branches();
    const change = repo.release(fleet({ monitor: { 'store-b': '1.4.3' } }), 'edge-monitor 1.4.3 in store-b');

    // WHEN
    const result = repo.publish();

    // THEN
    const after = repo.branches();
    expect(result.updates.map((u) => u.store)).toEqual(['store-b']);
    expect([...after].filter(([store, commit]) => before.get(store) !== commit).map(([store]) => store)).toEqual(['store-b']);
    expect(git(repo.remote, 'rev-list', '--parents', '-n1', after.get('store-b')!)).toBe(`${after.get('store-b')} ${before.get('store-b')}`);
    expect(git(repo.remote, 'diff', '--name-only', before.get('store-b')!, after.get('store-b')!)).toBe(
      'dist/stores/store-b/images.txt\ndist/stores/store-b/workloads/edge-monitor.yaml',
    );
    expect(git(repo.remote, 'show', '-s', '--format=%s', after.get('store-b')!)).toBe(`store-b: dist/ at ${change.slice(0, 12)}`);
  });

  test('GIVEN the same source commit WHEN published to another remote THEN the commits are the same: publish is deterministic', () => {
    const other = path.join(repo.root, 'other.git');
    git(repo.root, 'init', '-q', '--bare', other);

    repo.publish();
    repo.publish({ remote: other });

    expect(repo.branches(other)).toEqual(repo.branches());
  });

  test('GIVEN --dry-run WHEN published THEN the commits are listed and nothing is pushed; a real publish then pushes exactly those', () => {
    const dryRun = repo.publish({ dryRun: true });
    expect(dryRun).toMatchObject({ pushed: false });
    expect(repo.branches().size).toBe(0);

    repo.publish();

    expect(new Map(dryRun.updates.map((u) => [u.store, u.to]))).toEqual(repo.branches());
  });

  test(
    'GIVEN flux bootstrap committed its files to a store branch WHEN the store changes THEN publish builds on that commit and keeps those ' + 'files',
    () => {
      // GIVEN store-a published, then bootstrapped from its branch
      repo.publish();
      const bootstrapped = fluxBootstrap(repo, 'store-a');
      const components = () => git(repo.remote, 'show', 'edgefleet/stores/store-a:dist/clusters/store-a/flux-system/gotk-components.yaml');

      // WHEN nothing changes, THEN publish sees nothing to do (dist/ has empty placeholders, the branch Flux's files)
      expect(repo.publish().updates).toEqual([]);

      // WHEN store-a changes
      repo.release(fleet({ monitor: { 'store-a': '1.4.3' } }), 'edge-monitor 1.4.3 in store-a');
      const result = repo.publish();

      // THEN its new commit follows bootstrap's, and holds bootstrap's files, not the empty placeholders
      expect(result.updates).toEqual([expect.objectContaining({ store: 'store-a', from: bootstrapped })]);
      expect(components()).toBe('# the Flux controllers');
      expect(git(repo.remote, 'diff', '--name-only', bootstrapped, 'edgefleet/stores/store-a')).toBe(
        'dist/stores/store-a/images.txt\ndist/stores/store-a/workloads/edge-monitor.yaml',
      );
    },
  );

  test('GIVEN a store removed from the fleet WHEN published THEN its branch is kept as it is, until its removal is published deliberately', () => {
    // GIVEN store-c published and bootstrapped, then removed from the fleet
    repo.publish();
    fluxBootstrap(repo, 'store-c');
    const before = repo.branches();
    repo.release(fleet({ without: ['store-c'] }), 'Remove store-c');

    // WHEN published, THEN its branch does not move, and the result says it was kept
    const result = repo.publish();
    expect(result).toMatchObject({ updates: [], kept: ['store-c'] });
    expect(repo.branches()).toEqual(before);

    // WHEN its removal is published, THEN its branch gets a commit that holds only what flux bootstrap wrote
    const removal = repo.publish({ remove: ['store-c'] });
    expect(removal.updates).toEqual([expect.objectContaining({ store: 'store-c', from: before.get('store-c'), removal: true })]);
    expect(repo.files('edgefleet/stores/store-c').map((l) => l.split('\t')[1])).toEqual([
      'dist/clusters/store-c/flux-system/gotk-components.yaml',
      'dist/clusters/store-c/flux-system/gotk-sync.yaml',
    ]);
    expect(git(repo.remote, 'show', '-s', '--format=%s', 'edgefleet/stores/store-c')).toMatch(/^store-c: removed from the fleet at /);
    // AND from then on it is neither kept nor moved
    expect(repo.publish()).toMatchObject({ updates: [], kept: [] });
  });

  test('GIVEN --remove of a store still in the fleet, or without a branch WHEN published THEN it fails naming the store, and pushes nothing', () => {
    repo.publish();
    const before = repo.branches();

    expect(() => repo.publish({ remove: ['store-a', 'store-x'] })).toThrow(
      pattern([
        /nothing was published:\n {2}- store "store-a" is still a Flux store of the fleet \(dist\/clusters\/store-a\/ exists at [0-9a-f]{12}\): /,
        /remove it from the fleet, synthesize and commit first\n {2}- store "store-x" has no branch edgefleet\/stores\/store-x on .*: there is /,
        /nothing to remove/,
      ]),
    );
    expect(repo.branches()).toEqual(before);
  });

  test(
    'GIVEN a store moving from its branch back to main WHEN main lacks the bootstrap files of its branch THEN publish refuses, and accepts once ' +
      'they are copied',
    () => {
      // GIVEN store-b bootstrapped from its branch, then moved to the fleet's branch, whose bootstrap files are the empty placeholders
      repo.publish();
      fluxBootstrap(repo, 'store-b');
      repo.release(fleet({ sources: { 'store-b': 'main' } }), 'store-b follows main');
      const before = repo.branches();

      // WHEN published, THEN it refuses (following main, store-b's Flux would prune its own controllers), naming the fix
      expect(() => repo.publish()).toThrow(
        pattern([
          /store "store-b" moves from its branch edgefleet\/stores\/store-b to the fleet's branch, where /,
          /dist\/clusters\/store-b\/flux-system\/gotk-components.yaml and dist\/clusters\/store-b\/flux-system\/gotk-sync.yaml differ .*: copy /,
          /them over and commit first: git cat-file blob [0-9a-f]{40} > dist\/clusters\/store-b\/flux-system\/gotk-components.yaml; /,
        ]),
      );
      expect(repo.branches()).toEqual(before);

      // WHEN the files are copied to main as the message says, THEN the move is published to store-b's branch, which it follows until then
      for (const file of ['gotk-components.yaml', 'gotk-sync.yaml']) {
        const target = path.join(repo.work, 'dist/clusters/store-b/flux-system', file);
        fs.writeFileSync(target, git(repo.remote, 'show', `edgefleet/stores/store-b:dist/clusters/store-b/flux-system/${file}`) + '\n');
      }
      git(repo.work, 'commit', '-q', '-am', "Copy store-b's bootstrap files from its branch");
      const result = repo.publish();
      expect(result.updates.map((u) => u.store)).toEqual(['store-b']);
      expect(git(repo.remote, 'show', 'edgefleet/stores/store-b:dist/clusters/store-b/flux-system/kustomization.yaml')).toContain('branch: main');
      // AND from then on the branch mirrors store-b's folders on main, bootstrap files included
      repo.release(fleet({ sources: { 'store-b': 'main' }, monitor: { 'store-b': '1.4.3' } }), 'edge-monitor 1.4.3 in store-b');
      expect(repo.publish().updates.map((u) => u.store)).toEqual(['store-b']);
    },
  );

  test('GIVEN branches published from a newer commit WHEN an older commit is published THEN it is refused: stores never go back', () => {
    // GIVEN store-a changed and published
    const older = source;
    repo.release(fleet({ monitor: { 'store-a': '1.4.3' } }), 'edge-monitor 1.4.3 in store-a');
    repo.publish();
    const before = repo.branches();

    // WHEN the older commit is published (a CI job that ran late), THEN publish refuses and pushes nothing
    expect(() => repo.publish({ source: older })).toThrow(
      /^store branches were published from [0-9a-f]{12}, committed after [0-9a-f]{12}: publishing it would take those stores back/,
    );
    expect(repo.branches()).toEqual(before);
  });

  test('GIVEN a remote that rejects one branch WHEN several branches move THEN the push is atomic: none of them moves', () => {
    // GIVEN a remote whose update hook rejects store-b's branch
    repo.publish();
    const before = repo.branches();
    const hook = path.join(repo.remote, 'hooks', 'update');
    fs.writeFileSync(hook, '#!/bin/sh\ntest "$1" != refs/heads/edgefleet/stores/store-b\n', { mode: 0o755 });
    repo.release(fleet({ monitor: { 'store-a': '1.4.3', 'store-b': '1.4.3' } }), 'edge-monitor 1.4.3 in store-a and store-b');

    // WHEN / THEN
    expect(() => repo.publish()).toThrow(/push to origin failed; nothing was pushed: /);
    expect(repo.branches()).toEqual(before);
  });

  test('GIVEN the remote served over smart HTTP WHEN published twice THEN the first creates one branch per store, the second nothing', async () => {
    git(repo.remote, 'config', 'http.receivepack', 'true');
    const server = await GitServer.start(repo.root);
    try {
      const remote = server.url('remote.git');
      const first = await inChild(repo.work, remote);
      const second = await inChild(repo.work, remote);
      expect(first).toMatch(
        pattern([
          /^edgefleet: publish [0-9a-f]{12} to http:\/\/127\.0\.0\.1:\d+\/remote\.git: 3 store branches, 0 updated, 3 created, 0 unchanged; /,
          /pushed in one atomic push/,
        ]),
      );
      expect(second).toMatch(/3 store branches, 0 updated, 0 created, 3 unchanged; nothing to push/);
      expect([...repo.branches().keys()].sort()).toEqual(ON_BRANCH);
    } finally {
      await server.stop();
    }
  }, 120_000);

  test('GIVEN the CLI WHEN publish runs THEN it prints the branches moved, and a mistake as one line with exit code 1', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const cli = (...args: string[]) =>
      main(['publish', ...args], { write: (t: string) => out.push(t) }, { write: (t: string) => err.push(t) }, repo.work);

    expect(await cli('--dry-run')).toBe(0);
    expect(out.join('')).toMatch(
      pattern([
        /^edgefleet: publish [0-9a-f]{12} to origin: 3 store branches, 0 updated, 3 created, 0 unchanged; dry run: nothing pushed /,
        /\(\d+\.\ds\)\n {2}would move edgefleet\/stores\/store-a {2}\(new\) [0-9a-f]{12}\n/,
      ]),
    );
    expect(await cli('--remove', 'store-a')).toBe(1);
    expect(err.join('')).toMatch(/^edgefleet: publish: nothing was published:\n {2}- store "store-a" is still a Flux store of the fleet/);

    // A synth that is not committed yet is not what publish reads: it says so
    const uncommitted = path.join(repo.work, 'dist', 'stores', 'store-a', 'notes.yaml');
    fs.writeFileSync(uncommitted, 'a: 1\n');
    err.length = 0;
    try {
      expect(await cli('--dry-run')).toBe(0);
      expect(err.join('')).toBe(
        'edgefleet: publish: dist/ has changes that are not committed: publish reads dist/ as committed in HEAD (commit them, then publish)\n',
      );
    } finally {
      fs.rmSync(uncommitted);
    }
  });
});

/**
 * Runs `edgefleet publish --remote <remote>` in another process: a publish to the smart-HTTP server of
 * this process must not block the event loop that serves it.
 */
async function inChild(cwd: string, remote: string): Promise<string> {
  const { execFile } = await import('child_process');
  const bin = path.resolve(__dirname, '..', '..', 'bin', 'edgefleet');
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [bin, 'publish', '--remote', remote], { cwd }, (e, stdout, stderr) =>
      e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}
