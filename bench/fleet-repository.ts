import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GeneratedFleetOptions, generatedFleet } from './generated-fleet';
import { synthesize } from '../lib';

export { GeneratedFleetOptions, generatedFleet, generatedStoreId } from './generated-fleet';

/** Runs git in `repo` with a fixed identity. */
export function git(repo: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    maxBuffer: 2 ** 30,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'bench',
      GIT_AUTHOR_EMAIL: 'bench@example.com',
      GIT_COMMITTER_NAME: 'bench',
      GIT_COMMITTER_EMAIL: 'bench@example.com',
    },
  });
}

/** A fresh Git repository, on branch main, whose committed dist/ holds a generated fleet of `count` stores. */
export function fleetRepository(count: number, options: GeneratedFleetOptions = {}): string {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'edgefleet-bench-'));
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'gc.auto', '0'); // no background gc racing the benchmark or the clean-up
  synthesize(generatedFleet(count, options), { outdir: path.join(repo, 'dist') });
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', `a generated fleet of ${count} stores`);
  return repo;
}

/** Deletes a repository made by {@link fleetRepository}. */
export function removeRepository(repo: string): void {
  fs.rmSync(repo, { recursive: true, force: true, maxRetries: 5 });
}
