import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EdgefleetError } from '../errors/edgefleet-error';
import { packageRoot } from '../util/package-root';

/** Files of the template that npm would not pack under their real name. */
const RENAMED: Record<string, string> = { gitignore: '.gitignore' };

/** Development tools of the new repository, at the versions edgefleet itself is tested with. */
const DEV_TOOLS = ['typescript', 'jest', 'ts-jest', '@types/jest', '@types/node'];

/** What {@link initFleetRepository} created. */
export interface InitResult {
  /** The files written, relative to the new folder. */
  readonly files: string[];
  /** Whether the folder was made a Git repository (false where git is not installed). */
  readonly gitRepository: boolean;
}

/**
 * Creates a fleet repository in `dir` (which must not exist, or be empty): a package.json that
 * depends on this edgefleet, a fleet module (`stores/index.ts`) with its typed inventory, a test,
 * a tsconfig.json, a .gitignore and a README; and makes it a Git repository of its own, since synth
 * writes to `repository.path` at the top of the Git work tree that holds it (without one, a folder
 * created inside another repository would write into that repository's tree).
 */
export function initFleetRepository(dir: string): InitResult {
  if (fs.existsSync(dir) && (!fs.statSync(dir).isDirectory() || fs.readdirSync(dir).length > 0)) {
    throw new EdgefleetError(`init: ${dir} already exists and is not an empty folder (name a new folder)`);
  }
  const root = packageRoot(__dirname);
  const template = path.join(root, 'templates', 'new-fleet');
  const written: string[] = [];
  for (const relative of fs.readdirSync(template, { recursive: true, encoding: 'utf8' }).sort()) {
    const source = path.join(template, relative);
    if (!fs.statSync(source).isFile()) continue;
    const target = path.join(path.dirname(relative), RENAMED[path.basename(relative)] ?? path.basename(relative));
    fs.mkdirSync(path.join(dir, path.dirname(target)), { recursive: true });
    fs.copyFileSync(source, path.join(dir, target));
    written.push(target.split(path.sep).join('/'));
  }
  const edgefleetPackage = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(packageJson(path.basename(path.resolve(dir)), edgefleetPackage), null, 2)}\n`);
  return { files: ['package.json', ...written], gitRepository: gitInit(dir) };
}

/** `git init` of `dir` on a branch named main; false when git cannot be run. */
function gitInit(dir: string): boolean {
  const init = spawnSync('git', ['init', '--quiet', '--initial-branch=main'], { cwd: dir, encoding: 'utf8' });
  return init.status === 0;
}

/** The new repository's package.json: edgefleet's CLI as its scripts, its tests run by jest with ts-jest. */
function packageJson(folder: string, edgefleet: { version: string; devDependencies: Record<string, string>; engines?: object }): object {
  return {
    name:
      folder
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, '-')
        .replace(/^[._-]+/, '') || 'fleet',
    private: true,
    description: 'Our store fleet, defined with edgefleet',
    scripts: {
      synth: 'edgefleet synth',
      test: 'tsc --noEmit && jest',
      validate: 'edgefleet validate',
      diff: 'edgefleet diff',
    },
    dependencies: { edgefleet: `^${edgefleet.version}` },
    devDependencies: Object.fromEntries(DEV_TOOLS.map((tool) => [tool, edgefleet.devDependencies[tool]])),
    engines: edgefleet.engines,
    jest: { preset: 'ts-jest', testEnvironment: 'node', testMatch: ['<rootDir>/test/**/*.test.ts'] },
  };
}
