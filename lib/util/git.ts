import { spawnSync } from 'child_process';
import { EdgefleetError } from '../errors/edgefleet-error';

/** Runs git in `cwd` and returns its stdout; a failure becomes an error that quotes git. */
export function git(cwd: string, args: string[], input?: Buffer): Buffer {
  const result = spawnSync('git', args, { cwd, input, maxBuffer: 1 << 30 });
  if (result.error) throw new EdgefleetError(`cannot run git (${result.error.message}); edgefleet diff reads the repository's history with it`);
  if (result.status !== 0) throw new EdgefleetError(`git ${args.join(' ')} failed: ${result.stderr.toString().trim().split('\n')[0]}`);
  return result.stdout;
}

/** The lines of git's output. */
export function gitLines(cwd: string, args: string[]): string[] {
  return git(cwd, args).toString('utf8').split('\n').filter((l) => l !== '');
}

/** The commit to compare with when none is given: HEAD while the working tree holds a fresh synth, else the merge base with the main branch. */
export function defaultBase(repo: string, dir: string): string {
  if (gitLines(repo, ['status', '--porcelain', '--', dir]).length > 0) return 'HEAD';
  for (const main of ['main', 'origin/main', 'master', 'origin/master']) {
    if (spawnSync('git', ['rev-parse', '--verify', '--quiet', `${main}^{commit}`], { cwd: repo }).status === 0) {
      return gitLines(repo, ['merge-base', 'HEAD', main])[0];
    }
  }
  throw new EdgefleetError('no main branch to compare with (name the commit to compare with: --base <git-ref>)');
}

/** Contents of `paths` at `commit`, read with one `git cat-file --batch`. */
export function readAtCommit(repo: string, commit: string, paths: string[]): Map<string, string> {
  const contents = new Map<string, string>();
  if (paths.length === 0) return contents;
  const out = git(repo, ['cat-file', '--batch'], Buffer.from(paths.map((p) => `${commit}:${p}\n`).join('')));
  let offset = 0;
  for (const p of paths) {
    const headerEnd = out.indexOf(10, offset);
    const header = out.subarray(offset, headerEnd).toString('utf8');
    offset = headerEnd + 1;
    if (header.endsWith(' missing')) continue;
    const size = Number(header.split(' ')[2]);
    contents.set(p, out.subarray(offset, offset + size).toString('utf8'));
    offset += size + 1;
  }
  return contents;
}
