/**
 * What a store on OCI downloads, and what `edgefleet publish --oci` costs, at a fleet's size: a
 * generated fleet with every Flux store on OCI is synthesized and committed, the compiled CLI
 * publishes it to the end-to-end suite's registry (distribution v3 behind nginx's per-store basic
 * auth, on 127.0.0.1), and one store is bootstrapped on the suite's real API server with the real
 * source-controller, whose polls are asked for one at a time (as its interval would) and counted in
 * the registry's access log: requests and responses, headers included. Measured: a poll with nothing
 * new, after another store's release, after the store's own, and publish's CPU and wall time for
 * every store, for nothing, and for one store. Needs the suite's upstream builds (npm run e2e:prepare).
 * Usage: node build/bench/oci-downloads.js [stores...]   (default 100 10000)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GeneratedFleetOptions, generatedFleet, generatedStoreId, git } from './fleet-repository';
import { Measured, compiledCli, machine, measure } from './measure';
import { binaries } from '../e2e/harness/binaries';
import { FLUX_NAMESPACE } from '../e2e/harness/flux-controllers';
import { OCI_PREFIX, OciPublisher } from '../e2e/harness/oci-publisher';
import { waitFor } from '../e2e/harness/processes';
import { StoreCluster } from '../e2e/harness/store-cluster';
import { synthesize } from '../lib';

/** Idle polls measured, to average. */
const IDLE_POLLS = 5;
const OCI_REPOSITORIES = 'ocirepositories.source.toolkit.fluxcd.io';

interface Sized {
  readonly stores: number;
  readonly onOci: number;
  readonly publish: Record<'every store' | 'nothing changed' | 'one store changed', { measured: Measured; pushed: number }>;
  readonly bytes: Record<'idle poll' | 'another store changed' | 'its own folders changed', number>;
  readonly artifact: number;
}

async function measureSize(count: number, root: string): Promise<Sized> {
  const oci = await OciPublisher.start(path.join(root, 'oci'));
  const work = path.join(root, 'fleet');
  const watched = generatedStoreId(Math.floor(count / 2) + 3, count);
  const other = generatedStoreId(Math.floor(count / 2) + 4, count);
  let cluster: StoreCluster | undefined;
  try {
    git(root, 'init', '-q', '-b', 'main', work);
    git(work, 'config', 'gc.auto', '0');
    const release = (options: GeneratedFleetOptions, message: string) => {
      synthesize(generatedFleet(count, { source: 'oci', ociUrl: oci.url, ...options }), { outdir: path.join(work, 'dist'), allowWideChange: true });
      // The watched store manages its own Flux (`flux install --export` committed), as the suite's stores do.
      fs.copyFileSync(binaries().fluxManifests, path.join(work, 'dist', 'clusters', watched, 'flux-system', 'gotk-components.yaml'));
      git(work, 'add', '-A');
      git(work, 'commit', '-qm', message);
    };
    const publish = () => {
      const [command, args] = compiledCli('publish', '--oci', `${oci.registry.host}/${OCI_PREFIX}`, '--sign-key', oci.keys.key, '--plain-http');
      const measured = measure(command, args, { cwd: work, env: oci.toolEnv('publisher') });
      if (measured.status !== 0) throw new Error(`publish --oci failed:\n${measured.stdout}`);
      return {
        measured,
        pushed: Number(
          /(\d+) updated, (\d+) created/
            .exec(measured.stdout)!
            .slice(1)
            .reduce((a, b) => a + Number(b), 0),
        ),
      };
    };

    release({}, 'base');
    const everyStore = publish();
    const nothing = publish();

    cluster = await StoreCluster.start(path.join(root, 'store'), watched, generatedFleet(1).nodeProfile);
    oci.createStoreSecrets(cluster.kubectl, watched);
    await cluster.bootstrap(path.join(work, 'dist'), 'OCIRepository');
    const store = cluster;
    const revision = () => store.kubectl.get(OCI_REPOSITORIES, FLUX_NAMESPACE, FLUX_NAMESPACE)?.status?.artifact?.revision as string | undefined;
    await waitFor('the store to pull its artifact', () => revision(), 180_000);
    /** One poll, asked for as `flux reconcile source oci` asks; returns the bytes it cost. */
    const poll = async (): Promise<number> => {
      const mark = oci.registry.mark();
      const token = store.kubectl.requestReconcile(OCI_REPOSITORIES, FLUX_NAMESPACE, FLUX_NAMESPACE);
      await waitFor(
        'the poll',
        () => (store.kubectl.get(OCI_REPOSITORIES, FLUX_NAMESPACE, FLUX_NAMESPACE)?.status?.lastHandledReconcileAt === token ? true : undefined),
        60_000,
      );
      return oci.registry.servedSince(mark, watched).reduce((n, r) => n + r.bytesSent + r.bytesReceived, 0);
    };
    let idle = 0;
    for (let i = 0; i < IDLE_POLLS; i++) idle += await poll();

    const number = (id: string) => Number(id.slice('store-'.length));
    release({ changedStore: [number(other)] }, 'another store');
    publish();
    const afterOther = await poll();
    release({ changedStore: [number(other), number(watched)] }, 'its own folders');
    const oneStore = publish();
    const before = revision();
    const afterOwn = await poll();
    if (revision() === before) throw new Error('the store did not pull its new artifact');
    const artifact = Number(
      fs.statSync(path.join(store.flux.artifactStorage, store.kubectl.get(OCI_REPOSITORIES, FLUX_NAMESPACE, FLUX_NAMESPACE).status.artifact.path))
        .size,
    );
    return {
      stores: count,
      onOci: Number(/(\d+) stores? on OCI/.exec(everyStore.measured.stdout)![1]),
      publish: { 'every store': everyStore, 'nothing changed': nothing, 'one store changed': oneStore },
      bytes: { 'idle poll': idle / IDLE_POLLS, 'another store changed': afterOther, 'its own folders changed': afterOwn },
      artifact,
    };
  } finally {
    await cluster?.stop();
    await oci.stop();
  }
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function timed(m: { measured: Measured; pushed: number }): string {
  return `${m.pushed} pushed, ${m.measured.cpuSeconds?.toFixed(1) ?? '?'} CPU-s, ${m.measured.wallSeconds.toFixed(1)} s wall`;
}

async function main(): Promise<void> {
  const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [100, 10000];
  console.log(machine());
  const results: Sized[] = [];
  for (const count of sizes) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgefleet-oci-'));
    try {
      results.push(await measureSize(count, root));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  console.log('\nbytes one store on OCI exchanges with the registry (real source-controller, requests and responses with their headers)');
  console.log('| stores | poll, nothing new | another store changed | its own folders changed | its artifact (layer) |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const b = r.bytes;
    console.log(
      `| ${r.stores} | ${kib(b['idle poll'])} | ${kib(b['another store changed'])} | ${kib(b['its own folders changed'])} | ${kib(r.artifact)} |`,
    );
  }
  console.log('\nedgefleet publish --oci (compiled CLI, oras and cosign included; CPU-seconds are user + sys of every process)');
  console.log('| stores | on OCI | every store | nothing changed | one store changed |');
  console.log('|---:|---:|---|---|---|');
  for (const r of results) {
    const p = r.publish;
    console.log(`| ${r.stores} | ${r.onOci} | ${timed(p['every store'])} | ${timed(p['nothing changed'])} | ${timed(p['one store changed'])} |`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
