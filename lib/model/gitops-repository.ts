import { IConstruct } from 'constructs';
import { fail } from '../errors/edgefleet-error';
import { overlay } from '../util/overlay';

/** The Git repository that holds the synthesized tree and that every store pulls from. */
export interface GitOpsRepository {
  /** Clone URL, as the stores' sync agents reach it (`https://`, `http://` or `ssh://`). */
  readonly url: string;
  /** Branch the stores follow. @default 'main' */
  readonly branch?: string;
  /** Folder of the synthesized tree inside the repository. @default 'dist' */
  readonly path?: string;
  /**
   * Have each store check out only its own two folders (GitRepository `spec.sparseCheckout`): less
   * disk written per release (Git still sends the whole commit). Needs source-controller with sparse checkout of nested
   * folders (Flux 2.6 or later, built with go-git 5.16.2 or later); test it on your Flux version first.
   * @default false
   */
  readonly sparseCheckout?: boolean;
  /**
   * Clone URL, as the stores reach it, of the repository that holds the store branches (the branches
   * `edgefleet publish` writes for the stores whose `sync.source` is `'store-branch'`). A repository
   * of their own keeps them out of the listing that every poll of the fleet repository downloads
   * (Flux's Git client lists every branch of a repository). When it differs from `url`, every Flux
   * store's GitRepository is patched to the URL of its source.
   * @default - the fleet repository (`url`); the GitRepository keeps the URL it was bootstrapped with
   */
  readonly storeBranchesUrl?: string;
}

/** A {@link GitOpsRepository} with every field decided. */
export type ResolvedGitOpsRepository = Required<GitOpsRepository>;

/** Flux's own pattern for `GitRepository.spec.url`. */
const REPOSITORY_URL = /^(http|https|ssh):\/\/.*$/;

/** A branch name as `git check-ref-format --branch` accepts it (no spaces, `..`, `~^:?*[\\`, `@{`, or a `/`, `.` or `.lock` at the ends). */
const GIT_BRANCH = /^(?!\/|.*\/\/|.*\.\.|.*@\{|.*\.lock$|.*[/.]$|-)[^\s~^:?*[\\\x00-\x1f\x7f]+$/;

/** A relative folder of the repository: path segments of letters, digits, `.`, `_` and `-`. */
const REPOSITORY_FOLDER = /^[\w.-]+(\/[\w.-]+)*$/;

/** Checks the repository settings and fills in the defaults (`repository.path` without a leading `./` or trailing `/`). */
export function resolveGitOpsRepository(scope: IConstruct, given: GitOpsRepository): ResolvedGitOpsRepository {
  const repository = overlay<GitOpsRepository>({ url: '', branch: 'main', path: 'dist', sparseCheckout: false, storeBranchesUrl: given.url }, given);
  for (const prop of ['url', 'storeBranchesUrl'] as const) {
    if (!REPOSITORY_URL.test(repository[prop])) {
      fail(scope, `repository.${prop} "${repository[prop]}" is not a Git URL the stores can pull (use "https://...", "http://..." or "ssh://...")`);
    }
  }
  const path = repository.path.replace(/^\.\/+|\/+$/g, '');
  if (!repository.branch || !path) {
    fail(
      scope,
      `repository.branch "${repository.branch}" and repository.path "${repository.path}" must not be empty (the defaults are "main" and "dist")`,
    );
  }
  if (!GIT_BRANCH.test(repository.branch)) {
    fail(scope, `repository.branch "${repository.branch}" is not a Git branch name (use one such as "main" or "release/stores")`);
  }
  if (!REPOSITORY_FOLDER.test(path) || path.split('/').includes('..')) {
    fail(
      scope,
      `repository.path "${repository.path}" is not a folder inside the repository (use a relative path such as "dist", which the stores' sync ` +
        `objects point at)`,
    );
  }
  return { ...repository, path };
}
