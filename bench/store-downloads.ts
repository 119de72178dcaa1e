/**
 * What one store downloads from Git, under each `sync.source`: a generated fleet is synthesized and
 * committed, its repository served over smart HTTP on 127.0.0.1, and one store's fetches are played
 * as source-controller plays them (go-git speaks protocol v0, whose ref advertisement lists every
 * branch): every poll lists the refs; on a new revision it clones that branch at depth 1. The server
 * counts the bytes it sends. Measured: a poll with nothing new, a change to another store, the store's
 * own change, and a fleet-wide change; with store branches in the fleet repository, and in a
 * repository of their own.
 * Usage: node build/bench/store-downloads.js [stores...]   (default 100 10000)
 */
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { GeneratedFleetOptions, generatedFleet, generatedStoreId } from './fleet-repository';
import { GitServer } from '../e2e/harness/git-server';
import { SyncSource, synthesize } from '../lib';
import { storeBranch } from '../lib/model/dist-layout';
import { publishStoreBranches } from '../lib/publish/publish-store-branches';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
};

/** The changes played, in order, each on top of the last. */
type Change = 'another store' | 'its own folders' | 'fleet-wide';

/** The bytes one store downloaded: one poll with nothing new, then after each change. */
interface Downloads {
  readonly poll: number;
  readonly after: Record<Change, number>;
  /** Files and bytes of the checkout the store's source-controller writes to disk on a new revision. */
  readonly checkout: { files: number; bytes: number };
}

function run(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 2 ** 30, env: { ...process.env, ...IDENTITY } });
}

/** git as a store runs it against the server of this process: asynchronously, so that the server can answer. */
async function runAgainstServer(cwd: string, args: string[]): Promise<string> {
  return (await promisify(execFile)('git', args, { cwd, encoding: 'utf8', maxBuffer: 2 ** 30 })).stdout;
}

/**
 * One store's fetch of `branch` at `url`, as source-controller makes it: it lists the remote's refs
 * (protocol v0: all of them) and, when the branch has moved since `last`, clones it at depth 1.
 * Returns the bytes served and the commit now fetched.
 */
async function storeFetch(
  server: GitServer,
  url: string,
  branch: string,
  last: string | undefined,
  scratch: string,
): Promise<{ bytes: number; commit: string }> {
  const before = server.served.length;
  const listed = (await runAgainstServer(scratch, ['-c', 'protocol.version=0', 'ls-remote', url, `refs/heads/${branch}`])).split('\t')[0];
  if (listed !== last) {
    const clone = fs.mkdtempSync(path.join(scratch, 'clone-'));
    await runAgainstServer(scratch, [
      '-c',
      'protocol.version=0',
      'clone',
      '--quiet',
      '--depth=1',
      '--single-branch',
      '--no-tags',
      '--no-checkout',
      `--branch=${branch}`,
      url,
      clone,
    ]);
    fs.rmSync(clone, { recursive: true, force: true });
  }
  return { bytes: server.served.slice(before).reduce((n, r) => n + r.bytes, 0), commit: listed };
}

/** A served bare repository and a working clone that synthesizes and pushes to it. */
function servedRepository(root: string, name: string): { work: string; url: (server: GitServer) => string; bare: string } {
  const served = path.join(root, 'served');
  const bare = path.join(served, `${name}.git`);
  const work = path.join(root, name);
  fs.mkdirSync(work, { recursive: true });
  run(root, ['init', '-q', '--bare', '-b', 'main', bare]);
  run(bare, ['config', 'http.receivepack', 'true']);
  run(work, ['init', '-q', '-b', 'main']);
  run(work, ['remote', 'add', 'origin', bare]);
  return { work, bare, url: (server) => server.url(`${name}.git`) };
}

/** Where a store's branch lives: the fleet's own repository, or a repository holding only store branches. */
type Place = 'fleet' | 'own';

/**
 * Plays the changes on a fleet whose stores all use `source`, measuring what the store in the middle
 * downloads: from main, or from its branch in each place (publish pushes to both).
 */
async function measure(count: number, source: SyncSource, dir: string): Promise<Array<[Place, Downloads]>> {
  const fleet = servedRepository(dir, 'fleet');
  const own = servedRepository(dir, 'stores');
  const places: Array<[Place, { bare: string; url: (server: GitServer) => string }]> =
    source === 'main'
      ? [['fleet', fleet]]
      : [
          ['fleet', fleet],
          ['own', own],
        ];
  const server = await GitServer.start(path.join(dir, 'served'));
  // Two Flux stores of the generated fleet's general ring (its every tenth store from the seventh
  // is a Rancher Fleet store, every 25th from the first a canary, every fifth early).
  const watched = Math.floor(count / 2) + 3;
  const branch = source === 'store-branch' ? storeBranch(generatedStoreId(watched, count)) : 'main';
  const changes: Array<[Change, GeneratedFleetOptions]> = [
    ['another store', { changedStore: watched + 1 }],
    ['its own folders', { changedStore: watched }],
    ['fleet-wide', { changedStore: watched, posOsThroughRing: 'general' }],
  ];
  const release = (options: GeneratedFleetOptions, message: string) => {
    synthesize(generatedFleet(count, { source, ...options }), { outdir: path.join(fleet.work, 'dist'), allowWideChange: true });
    run(fleet.work, ['add', '-A']);
    run(fleet.work, ['commit', '-q', '-m', message]);
    run(fleet.work, ['push', '-q', 'origin', 'main']);
    if (source === 'store-branch') places.forEach(([, place]) => publishStoreBranches({ repo: fleet.work, remote: place.bare }));
  };
  try {
    release({}, 'base');
    const scratch = fs.mkdtempSync(path.join(dir, 'store-'));
    const lanes = [];
    for (const [where, place] of places) {
      const url = place.url(server);
      const first = await storeFetch(server, url, branch, undefined, scratch);
      lanes.push({
        where,
        place,
        url,
        commit: first.commit,
        poll: (await storeFetch(server, url, branch, first.commit, scratch)).bytes,
        after: {} as Record<Change, number>,
      });
    }
    for (const [change, options] of changes) {
      release(options, change);
      for (const lane of lanes) {
        const fetched = await storeFetch(server, lane.url, branch, lane.commit, scratch);
        lane.after[change] = fetched.bytes;
        lane.commit = fetched.commit;
      }
    }
    return lanes.map((l): [Place, Downloads] => [l.where, { poll: l.poll, after: l.after, checkout: checkoutSize(l.place.bare, l.commit) }]);
  } finally {
    await server.stop();
  }
}

/** Files and bytes of the tree of `commit`: what a checkout writes. */
function checkoutSize(bare: string, commit: string): { files: number; bytes: number } {
  const sizes = run(bare, ['ls-tree', '-r', '-l', commit])
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => Number(l.split(/\s+/)[3]));
  return { files: sizes.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}

function kib(bytes: number): string {
  return bytes >= 10 * 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

async function main(): Promise<void> {
  const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [100, 10000];
  console.log('bytes one store downloads (served over smart HTTP, protocol v0 as go-git speaks it)');
  console.log(
    '| stores | source | branches live in | poll, nothing new | another store changed | its own folders changed | fleet-wide change | checkout ' +
      'per new revision |',
  );
  console.log('|---:|---|---|---:|---:|---:|---:|---:|');
  for (const count of sizes) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgefleet-downloads-'));
    for (const source of ['main', 'store-branch'] as const) {
      for (const [where, d] of await measure(count, source, path.join(root, source))) {
        const place = source === 'main' ? '–' : where === 'fleet' ? 'the fleet repository' : 'a repository of their own';
        console.log(
          `| ${count} | ${source} | ${place} | ${kib(d.poll)} | ${kib(d.after['another store'])} | ${kib(d.after['its own folders'])} | ` +
            `${kib(d.after['fleet-wide'])} | ${d.checkout.files} files, ${kib(d.checkout.bytes)} |`,
        );
      }
    }
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
