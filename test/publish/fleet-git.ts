import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EdgeFleet, synthesize } from '../../lib';
import { STORE_BRANCH_PREFIX } from '../../lib/model/dist-layout';
import { PublishOptions, PublishResult, publishStoreBranches } from '../../lib/publish/publish-store-branches';
import { tempDir } from '../util';

/** A fixed identity and date, so that commits made by a test have the same ids on every run. */
const IDENTITY = {
  GIT_AUTHOR_NAME: 'Platform Team',
  GIT_AUTHOR_EMAIL: 'platform@example.com',
  GIT_AUTHOR_DATE: '1767225600 +0100',
  GIT_COMMITTER_NAME: 'CI',
  GIT_COMMITTER_EMAIL: 'ci@example.com',
  GIT_COMMITTER_DATE: '1767229200 +0100',
};

/** Runs git in `cwd` and returns its trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 2 ** 30,
    env: { ...process.env, ...IDENTITY },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/**
 * A fleet repository as CI sees it after a merge: a working clone where the fleet is synthesized and
 * committed, and a bare repository (the remote `origin`) that holds the store branches.
 */
export class FleetGit {
  /** A fresh working clone and an empty bare remote. */
  public static create(): FleetGit {
    const root = tempDir();
    const work = path.join(root, 'fleet');
    const remote = path.join(root, 'remote.git');
    fs.mkdirSync(work);
    git(root, 'init', '-q', '--bare', '-b', 'main', remote);
    git(work, 'init', '-q', '-b', 'main');
    git(work, 'remote', 'add', 'origin', remote);
    return new FleetGit(root, work, remote);
  }

  private releases = 0;

  private constructor(
    public readonly root: string,
    public readonly work: string,
    public readonly remote: string,
  ) {}

  /** Synthesizes `fleet` into the working clone's dist/ and commits it, a minute after the last release; returns the commit. */
  public release(fleet: EdgeFleet, message: string): string {
    synthesize(fleet, { outdir: path.join(this.work, 'dist'), allowWideChange: true });
    git(this.work, 'add', '-A');
    const minutesLater = (date: string) => date.replace(/^\d+/, (seconds) => String(Number(seconds) + 60 * this.releases));
    execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], {
      cwd: this.work,
      stdio: 'pipe',
      env: {
        ...process.env,
        ...IDENTITY,
        GIT_AUTHOR_DATE: minutesLater(IDENTITY.GIT_AUTHOR_DATE),
        GIT_COMMITTER_DATE: minutesLater(IDENTITY.GIT_COMMITTER_DATE),
      },
    });
    this.releases += 1;
    return git(this.work, 'rev-parse', 'HEAD');
  }

  /** `edgefleet publish` in the working clone, to `origin` unless told otherwise. */
  public publish(options: Partial<PublishOptions> = {}): PublishResult {
    return publishStoreBranches({ repo: this.work, ...options });
  }

  /** The store branches of a bare repository (the remote by default): store id to commit. */
  public branches(bare: string = this.remote): Map<string, string> {
    const lines = git(bare, 'for-each-ref', '--format=%(refname) %(objectname)', `refs/heads/${STORE_BRANCH_PREFIX}`)
      .split('\n')
      .filter((l) => l);
    return new Map(
      lines.map((l) => {
        const [ref, commit] = l.split(' ');
        return [ref.slice(`refs/heads/${STORE_BRANCH_PREFIX}`.length), commit];
      }),
    );
  }

  /** Paths and blob ids of every file of `rev` (in the bare remote by default), below `under` if given. */
  public files(rev: string, cwd: string = this.remote, ...under: string[]): string[] {
    return git(cwd, 'ls-tree', '-r', '--full-tree', rev, '--', ...under)
      .split('\n')
      .filter((l) => l);
  }
}
