import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { binaries } from './binaries';
import { GitServer } from './git-server';
import { run } from './processes';
import { EdgeFleet, synthesize } from '../../lib';
import { FLUX_NAMESPACE } from './flux-controllers';

const BRANCH = 'main';

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
    for (const [key, value] of [['user.name', 'edgefleet e2e'], ['user.email', 'e2e@edgefleet.invalid'], ['commit.gpgsign', 'false']]) {
      run('git', ['config', key, value], { cwd: work });
    }
    run('git', ['remote', 'add', 'origin', bare], { cwd: work });
    return new FleetRepo(work, await GitServer.start(path.join(dir, 'served')));
  }

  private constructor(public readonly work: string, public readonly server: GitServer) {}

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

  /** Commits everything and pushes; returns the commit id. */
  public commit(message: string): string {
    run('git', ['add', '-A'], { cwd: this.work });
    run('git', ['commit', '--quiet', '--allow-empty', '-m', message], { cwd: this.work });
    run('git', ['push', '--quiet', 'origin', BRANCH], { cwd: this.work });
    return run('git', ['rev-parse', 'HEAD'], { cwd: this.work }).trim();
  }

  /**
   * What `flux bootstrap git --path=dist/clusters/<id>` commits: the Flux components and the sync
   * objects in the placeholders that synth created, next to synth's own kustomization.yaml.
   */
  public fillBootstrapFiles(storeId: string, interval: string): void {
    const folder = path.join(this.dist, 'clusters', storeId, 'flux-system');
    fs.copyFileSync(binaries().fluxManifests, path.join(folder, 'gotk-components.yaml'));
    const metadata = { name: FLUX_NAMESPACE, namespace: FLUX_NAMESPACE };
    const sync = [
      { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata, spec: { interval: '1m0s', ref: { branch: BRANCH }, url: this.url } },
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
