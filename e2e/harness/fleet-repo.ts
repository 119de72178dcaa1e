import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { binaries } from './binaries';
import { FLUX_NAMESPACE } from './flux-controllers';
import { GitServer } from './git-server';
import { run } from './processes';
import { EdgeFleet, synthesize } from '../../lib';
import { storeBranch } from '../../lib/model/dist-layout';
import { PublishResult, publishStoreBranches } from '../../lib/publish/publish-store-branches';

const BRANCH = 'main';

/** Who commits in the suite's clones. */
const IDENTITY = [
  ['user.name', 'edgefleet e2e'],
  ['user.email', 'e2e@edgefleet.invalid'],
  ['commit.gpgsign', 'false'],
];

/**
 * The fleet's GitOps repository as the stores see it: a bare repository served over smart HTTP, and
 * a working clone where the platform team synthesizes, commits and pushes, as in CI after a merge.
 */
export class FleetRepo {
  /** Creates an empty repository below `dir` and serves it. */
  public static async create(dir: string): Promise<FleetRepo> {
    const bare = path.join(dir, 'served', 'fleet.git');
    run('git', ['init', '--quiet', '--bare', '--initial-branch', BRANCH, bare]);
    const work = path.join(dir, 'work');
    run('git', ['init', '--quiet', '--initial-branch', BRANCH, work]);
    for (const [key, value] of IDENTITY) run('git', ['config', key, value], { cwd: work });
    run('git', ['remote', 'add', 'origin', bare], { cwd: work });
    return new FleetRepo(work, bare, await GitServer.start(path.join(dir, 'served')));
  }

  private constructor(
    public readonly work: string,
    private readonly bare: string,
    public readonly server: GitServer,
  ) {}

  /** The URL the stores clone. */
  public get url(): string {
    return this.server.url('fleet.git');
  }

  /** The synthesized tree in the working clone. */
  public get dist(): string {
    return path.join(this.work, 'dist');
  }

  /** Synthesizes `fleet` into the working clone, as `npm run synth` does. */
  public synth(fleet: EdgeFleet): void {
    synthesize(fleet, { outdir: this.dist, allowWideChange: true });
  }

  /** `edgefleet publish` after the merge: the store branches of the stores that follow theirs. */
  public publish(): PublishResult {
    return publishStoreBranches({ repo: this.work });
  }

  /** The commit a store branch holds on the served repository. */
  public storeBranchCommit(storeId: string): string {
    return run('git', ['rev-parse', `refs/heads/${storeBranch(storeId)}`], { cwd: this.bare }).trim();
  }

  /**
   * What `flux bootstrap git --branch=edgefleet/stores/<id> --path=dist/clusters/<id>` does to the
   * store's branch: clone it, fill in the bootstrap files, commit and push. Returns the commit and
   * the clone's synthesized tree, whose flux-system folder bootstrap then applies.
   */
  public bootstrapStoreBranch(storeId: string, interval: string): { commit: string; dist: string } {
    const clone = path.join(path.dirname(this.work), `bootstrap-${storeId}`);
    run('git', ['clone', '--quiet', '--branch', storeBranch(storeId), this.bare, clone]);
    for (const [key, value] of IDENTITY) run('git', ['config', key, value], { cwd: clone });
    const dist = path.join(clone, 'dist');
    this.fillBootstrapFiles(storeId, interval, { dist, branch: storeBranch(storeId) });
    run('git', ['commit', '--quiet', '-am', 'Add Flux sync manifests'], { cwd: clone });
    run('git', ['push', '--quiet', 'origin', 'HEAD'], { cwd: clone });
    return { commit: run('git', ['rev-parse', 'HEAD'], { cwd: clone }).trim(), dist };
  }

  /** Commits everything and pushes; returns the commit id. */
  public commit(message: string): string {
    run('git', ['add', '-A'], { cwd: this.work });
    run('git', ['commit', '--quiet', '--allow-empty', '-m', message], { cwd: this.work });
    run('git', ['push', '--quiet', 'origin', BRANCH], { cwd: this.work });
    return run('git', ['rev-parse', 'HEAD'], { cwd: this.work }).trim();
  }

  /**
   * What `flux install --export > dist/clusters/<id>/flux-system/gotk-components.yaml` commits, so that
   * the store's Flux manages its own controllers: bootstrap's first file, all a store on OCI needs
   * (synth writes its source). Returns the folder.
   */
  public fillFluxComponents(storeId: string, dist = this.dist): string {
    const folder = path.join(dist, 'clusters', storeId, 'flux-system');
    fs.copyFileSync(binaries().fluxManifests, path.join(folder, 'gotk-components.yaml'));
    return folder;
  }

  /**
   * What `flux bootstrap git --path=dist/clusters/<id>` commits: the Flux components and the sync
   * objects in the placeholders that synth created, next to synth's own kustomization.yaml; in the
   * working clone's tree and for the fleet's branch unless told otherwise.
   */
  public fillBootstrapFiles(storeId: string, interval: string, target: { dist?: string; branch?: string } = {}): void {
    const folder = this.fillFluxComponents(storeId, target.dist);
    const metadata = { name: FLUX_NAMESPACE, namespace: FLUX_NAMESPACE };
    const sync = [
      {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        metadata,
        spec: { interval: '1m0s', ref: { branch: target.branch ?? BRANCH }, url: this.url },
      },
      {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata,
        spec: { interval, path: `./dist/clusters/${storeId}`, prune: true, sourceRef: { kind: 'GitRepository', name: FLUX_NAMESPACE } },
      },
    ];
    fs.writeFileSync(path.join(folder, 'gotk-sync.yaml'), sync.map((d) => `---\n${YAML.stringify(d)}`).join(''));
  }
}
