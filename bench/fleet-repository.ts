import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EdgeFleet, EdgeMonitor, EdgePosVm, EdgeStore, EdgeWasmApp, Release, VmDisk, synthesize } from '../lib';

const REGISTRY = 'registry.example.com/retail';
const REGIONS = ['eu-west', 'eu-central', 'us-east', 'ap-south'];
const RINGS = ['canary', 'early', 'general'];

/** Variants of the generated fleet, as a change under review would make them. */
export interface GeneratedFleetOptions {
  /** The last ring that runs the POS OS candidate 4.2.0. @default 'canary' */
  readonly posOsThroughRing?: string;
}

/**
 * A fleet of `count` stores shaped like a retail chain's, built with the library's public API only
 * (it does not use the example fleet in stores/): 4% canary, 20% early, the rest general; every
 * tenth store on Rancher Fleet; the POS VM, the edge monitor, telemetry, and a Wasm app in every third store.
 */
export function generatedFleet(count: number, options: GeneratedFleetOptions = {}): EdgeFleet {
  const fleet = new EdgeFleet({
    repository: { url: 'https://git.example.com/retail/edge-fleet.git', branch: 'main' },
    sync: { interval: '5m' },
    nodeProfile: { runtimeClasses: ['wasmedge'] },
    rings: RINGS,
    telemetry: { logsUrl: 'https://logs.example.com/loki/api/v1/push', metricsUrl: 'https://metrics.example.com/api/v1/write' },
  });
  const posOs = new Release(fleet, 'pos-os', { stable: '4.1.0', candidate: { version: '4.2.0', throughRing: options.posOsThroughRing ?? 'canary' } });
  const width = Math.max(3, String(count).length);
  for (let n = 1; n <= count; n++) {
    const id = `store-${String(n).padStart(width, '0')}`;
    const ring = n % 25 === 1 ? 'canary' : n % 5 === 0 ? 'early' : 'general';
    const store = new EdgeStore(fleet, id, {
      labels: { region: REGIONS[n % REGIONS.length], city: `city-${n % 50}`, ring },
      sync: n % 10 === 7 ? { agent: 'fleet' } : undefined,
    });
    new EdgePosVm(store, 'pos', {
      memory: '2Gi',
      cpu: 1,
      bootDisk: VmDisk.containerDisk(`${REGISTRY}/pos-os:${posOs.versionFor(store)}`),
      dataDisks: { data: VmDisk.localVolume({ size: '10Gi' }) },
    });
    new EdgeMonitor(store, 'edge-monitor', { image: `${REGISTRY}/edge-monitor:1.4.2`, env: { STORE_ID: id } });
    if (n % 3 === 0) new EdgeWasmApp(store, 'edge-app', { image: `${REGISTRY}/edge-app:2.0.1`, cpu: '50m', memory: '64Mi' });
  }
  return fleet;
}

/** Runs git in `repo` with a fixed identity. */
export function git(repo: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.com' },
  });
}

/** A fresh Git repository, on branch main, whose committed dist/ holds a generated fleet of `count` stores. */
export function fleetRepository(count: number): string {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'edgefleet-bench-'));
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'gc.auto', '0'); // no background gc racing the benchmark or the clean-up
  synthesize(generatedFleet(count), { outdir: path.join(repo, 'dist') });
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', `a generated fleet of ${count} stores`);
  return repo;
}

/** Deletes a repository made by {@link fleetRepository}. */
export function removeRepository(repo: string): void {
  fs.rmSync(repo, { recursive: true, force: true, maxRetries: 5 });
}
