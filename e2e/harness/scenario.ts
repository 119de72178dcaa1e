import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { FleetRepo } from './fleet-repo';
import { Preload, preloadFromImageList } from './node-images';
import { OciPublisher } from './oci-publisher';
import { StoreCluster } from './store-cluster';
import { E2E_WORK, recordTiming } from './timings';
import { diffDist } from '../../lib/diff/dist-diff';
import { formatDiffText } from '../../lib/diff/format-diff';
import { OciPublishResult } from '../../lib/publish/publish-oci-artifacts';
import { E2eFleetOptions, buildE2eFleet } from '../fleet/e2e-fleet';

/** The Kustomizations of a bootstrapped edgefleet store: bootstrap's own, then one per store layer. */
export const STORE_KUSTOMIZATIONS = ['flux-system', 'edgefleet-infrastructure', 'edgefleet-workloads'];

/** How long a store may take to apply a commit (a few intervals of the suite's 15 s, on a busy 2-core machine). */
export const APPLY_TIMEOUT_MS = 180_000;

/** Fleet options a scenario varies between commits. */
export type FleetChange = Omit<E2eFleetOptions, 'url' | 'work' | 'ociUrl'>;

/**
 * What a scenario does before the first synth (e.g. write encrypted Secrets) and before Flux's bootstrap (e.g. create the store's age key Secret).
 */
export interface ScenarioSteps {
  readonly beforeSynth?: (repo: FleetRepo) => void;
  readonly beforeBootstrap?: (cluster: StoreCluster) => void;
}

/** How a scenario's store runs. */
export interface ScenarioOptions extends ScenarioSteps {
  /**
   * On a real node (RealNode): the store's pods run, from images pre-loaded from its images.txt
   * before Flux's bootstrap, as a store is provisioned. @default false - the API server only
   */
  readonly realNode?: boolean;
}

/** `flux bootstrap --branch=main`: the bootstrap files committed to the fleet's branch, with the synthesized tree. */
function bootstrapFromMain(repo: FleetRepo, storeId: string, interval: string): { commit: string; dist: string } {
  repo.fillBootstrapFiles(storeId, interval);
  return { commit: repo.commit(`synth, and flux bootstrap of ${storeId}`), dist: repo.dist };
}

/** CI commits and publishes the store branches, then `flux bootstrap --branch=edgefleet/stores/<id>` commits to the store's branch. */
function bootstrapFromStoreBranch(repo: FleetRepo, storeId: string, interval: string): { commit: string; dist: string } {
  repo.commit('synth');
  repo.publish();
  return repo.bootstrapStoreBranch(storeId, interval);
}

/**
 * A store on OCI: `flux install --export` committed to its flux-system folder on the fleet's branch, CI's
 * `edgefleet publish --oci`, and the revision the store should apply: its tag's manifest digest.
 */
async function bootstrapFromOci(repo: FleetRepo, storeId: string, oci: OciPublisher): Promise<{ commit: string; dist: string }> {
  repo.fillFluxComponents(storeId);
  repo.commit(`synth, and Flux's components for ${storeId}`);
  await oci.publish(repo.work);
  return { commit: oci.digestOf(storeId), dist: repo.dist };
}

/**
 * One scenario's world: the fleet repository served over HTTP, and one store's cluster bootstrapped
 * from it and Ready. Its state and logs stay in `.e2e/<name>/` for inspection.
 */
export class Scenario {
  /** Synthesizes the suite's fleet, bootstraps `storeId` from it, and waits until the store is Ready. */
  public static async start(name: string, storeId: string, fleet: FleetChange = {}, steps: ScenarioOptions = {}): Promise<Scenario> {
    const dir = path.join(E2E_WORK, name);
    fs.rmSync(dir, { recursive: true, force: true });
    const repo = await FleetRepo.create(path.join(dir, 'git'));
    const oci = fleet.source === 'oci' ? await OciPublisher.start(path.join(dir, 'oci')) : undefined;
    steps.beforeSynth?.(repo);
    const definition = buildE2eFleet({ ...fleet, url: repo.url, work: repo.work, ociUrl: oci?.url });
    const store = definition.stores.find((s) => s.id === storeId);
    if (!store) throw new Error(`the suite's fleet has no store ${storeId}`);
    repo.synth(definition);
    const { commit, dist } = oci
      ? await bootstrapFromOci(repo, storeId, oci)
      : store.sync.source === 'store-branch'
        ? bootstrapFromStoreBranch(repo, storeId, store.sync.interval)
        : bootstrapFromMain(repo, storeId, store.sync.interval);

    const started = Date.now();
    const cluster = await StoreCluster.start(path.join(dir, 'store'), storeId, store.nodeProfile, { realNode: steps.realNode }).catch(async (e) => {
      await repo.server.stop();
      await oci?.stop();
      throw e;
    });
    const scenario = new Scenario(name, storeId, repo, cluster, fleet, oci);
    recordTiming(name, steps.realNode ? 'control plane and node up (s)' : 'control plane up (s)', (Date.now() - started) / 1000);
    for (const [what, seconds] of Object.entries(cluster.nodeFigures)) recordTiming(name, what, seconds);
    try {
      if (steps.realNode) {
        const preloading = Date.now();
        scenario.preload = scenario.preloadImages();
        recordTiming(name, 'images pre-loaded before the bootstrap (s)', (Date.now() - preloading) / 1000);
      }
      if (oci) oci.createStoreSecrets(cluster.kubectl, storeId);
      steps.beforeBootstrap?.(cluster);
      await cluster.bootstrap(dist, oci ? 'OCIRepository' : 'GitRepository');
      recordTiming(name, 'bootstrap to Ready (s)', await cluster.waitForApplied(commit, STORE_KUSTOMIZATIONS, APPLY_TIMEOUT_MS));
    } catch (e) {
      await scenario.stop();
      throw e;
    }
    return scenario;
  }

  /** What the pre-load before the bootstrap loaded, on a real node. */
  public preload?: Preload;

  private constructor(
    public readonly name: string,
    public readonly storeId: string,
    public readonly repo: FleetRepo,
    public readonly cluster: StoreCluster,
    private fleet: FleetChange,
    /** The registry and publisher of a scenario whose stores pull from OCI. */
    public readonly oci?: OciPublisher,
  ) {}

  /**
   * Re-synthesizes the fleet with `change` laid over the current options, commits and pushes, and
   * publishes the store branches when the fleet's stores follow theirs; returns the commit the
   * store should apply next (on its branch, the one it already has if the change is not its own).
   */
  public commitChange(change: FleetChange, message: string): string {
    if (this.oci) throw new Error('a scenario on OCI publishes asynchronously: use publishChange');
    this.synthChange(change);
    const commit = this.repo.commit(message);
    if (this.fleet.source !== 'store-branch') return commit;
    this.repo.publish();
    return this.repo.storeBranchCommit(this.storeId);
  }

  /**
   * For a scenario on OCI: re-synthesizes with `change`, commits, and runs `edgefleet publish --oci`
   * (with `--remove` for the stores in `remove`); returns what it published and the digest the store should apply next (its tag's manifest).
   */
  public async publishChange(change: FleetChange, message: string, remove?: string[]): Promise<{ published: OciPublishResult; digest: string }> {
    if (!this.oci) throw new Error(`scenario ${this.name} does not pull from OCI`);
    this.synthChange(change);
    this.repo.commit(message);
    const published = await this.oci.publish(this.repo.work, { remove });
    return { published, digest: this.oci.digestOf(this.storeId) };
  }

  /** Re-synthesizes the fleet with `change` laid over the current options, and returns what `edgefleet diff` says of it before it is committed. */
  public synthChange(change: FleetChange): string {
    this.fleet = { ...this.fleet, ...change };
    this.repo.synth(buildE2eFleet({ ...this.fleet, url: this.repo.url, work: this.repo.work, ociUrl: this.oci?.url }));
    return formatDiffText(diffDist({ dir: this.repo.dist, base: 'HEAD' }));
  }

  /** Waits until the store has applied `commit` in every named Kustomization; records and returns the seconds. */
  public async applied(commit: string, what: string, kustomizations = STORE_KUSTOMIZATIONS): Promise<number> {
    const seconds = await this.cluster.waitForApplied(commit, kustomizations, APPLY_TIMEOUT_MS);
    recordTiming(this.name, what, seconds);
    return seconds;
  }

  /**
   * The README's pre-load, on the real node: every image of the store's images.txt in the working
   * clone that the suite has a stand-in for, packed as a tarball and imported into containerd.
   */
  public preloadImages(): Preload {
    return preloadFromImageList(
      this.cluster.node,
      path.join(this.repo.dist, 'stores', this.storeId),
      this.storeObjects(),
      path.join(E2E_WORK, this.name, 'images'),
    );
  }

  /** The objects of the store's folder in the working clone, as `kustomize build` makes them for Flux. */
  public storeObjects(): any[] {
    const yaml = this.cluster.kubectl.run(['kustomize', path.join(this.repo.dist, 'stores', this.storeId)]);
    return YAML.parseAllDocuments(yaml)
      .map((d) => d.toJS())
      .filter((o) => o);
  }

  /** Stops the store's processes, the Git server and the registry. */
  public async stop(): Promise<void> {
    await this.cluster.stop();
    await this.repo.server.stop();
    await this.oci?.stop();
  }
}
