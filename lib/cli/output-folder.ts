import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EdgefleetError } from '../errors/edgefleet-error';
import type { IEdgeFleet } from '../model/contract';

/**
 * The folder synth writes to: the fleet's `repository.path` in the repository that holds `cwd` (the
 * Git work tree, or `cwd` outside Git). `--out` may name that same folder, nothing else: every Flux
 * Kustomization and Fleet GitRepo points at `<repository.path>/stores/<id>`, so a tree written
 * elsewhere would send the stores to folders that are not there. The fleet definition, which is
 * reviewed, says where the tree lives; a command-line flag cannot move it.
 */
export function outputFolder(fleet: IEdgeFleet, out: string | undefined, cwd: string): string {
  const root = realPath(repositoryRoot(cwd));
  const expected = path.join(root, fleet.repository.path);
  if (out === undefined) return expected;
  const requested = realPath(path.resolve(cwd, out));
  if (requested !== expected) {
    const shown = path.relative(root, requested).split(path.sep).join('/');
    throw new EdgefleetError(
      `--out ${out}: the fleet's repository.path is "${fleet.repository.path}", so its Flux Kustomizations and Fleet GitRepos point at ` +
        `${fleet.repository.path}/stores/<id> in the repository (${root}); a tree written to ${shown.startsWith('..') ? requested : shown} ` +
        `would point the stores at folders that are not there. ` +
        `Leave out --out (or use --out ${fleet.repository.path}), or move the tree by setting repository.path in the fleet definition`,
    );
  }
  return requested;
}

/** The top of the Git work tree holding `cwd`, or `cwd` itself outside Git. */
function repositoryRoot(cwd: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return cwd;
  }
}

/** `p` with symbolic links resolved, also when `p` does not exist yet. */
function realPath(p: string): string {
  if (fs.existsSync(p)) return fs.realpathSync(p);
  const parent = path.dirname(p);
  return parent === p ? p : path.join(realPath(parent), path.basename(p));
}
