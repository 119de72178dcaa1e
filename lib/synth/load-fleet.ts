import * as fs from 'fs';
import Module from 'module';
import * as path from 'path';
import { EdgefleetError } from '../errors/edgefleet-error';
import { whereItFailed } from '../errors/where-it-failed';
import { IEdgeFleet, isEdgeFleet } from '../model/contract';
import { notRegularFile } from '../util/input-file';

/** Extensions of fleet modules written in TypeScript, which tsx runs without a compile step. */
const TYPESCRIPT = ['.ts', '.cts', '.mts'];

/** Extensions of fleet modules: TypeScript, or JavaScript. */
const MODULE_EXTENSIONS = [...TYPESCRIPT, '.js', '.cjs', '.mjs'];

/**
 * Loads a fleet module (see `FleetModule`) and builds its fleet. A TypeScript module runs through tsx (transpiled
 * on the fly, not type-checked: the fleet repository's tests do that), a JavaScript one as it is.
 */
export function loadFleet(modulePath: string, cwd: string): IEdgeFleet {
  const resolved = path.resolve(cwd, modulePath);
  if (!fs.existsSync(resolved)) {
    throw new EdgefleetError(
      `fleet module ${modulePath}: no such module (write a fleet module that exports buildFleet(), see FleetModule, or name yours with --fleet)`,
    );
  }
  if (!MODULE_EXTENSIONS.includes(path.extname(resolved))) {
    throw new EdgefleetError(
      `fleet module ${modulePath}: not a TypeScript or JavaScript module (--fleet takes the module that exports buildFleet(), such as ` +
        `stores/index.ts; the inventory is read by that module)`,
    );
  }
  const notRegular = notRegularFile(fs.statSync(resolved));
  if (notRegular) {
    throw new EdgefleetError(`fleet module ${modulePath}: is ${notRegular}, not a file (name the module file, such as stores/index.ts)`);
  }
  if (TYPESCRIPT.includes(path.extname(resolved)) && !(Module as any)._extensions['.ts']) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- tsx is loaded only for a fleet module written in TypeScript
    require('tsx/cjs/api').register();
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the fleet module is named at run time
  const mod: { buildFleet?: () => unknown } = fleetCode(modulePath, 'loading the module', () => require(resolved));
  if (typeof mod.buildFleet !== 'function') {
    throw new EdgefleetError(
      `fleet module ${modulePath}: the module exports no function buildFleet() (export one that returns your EdgeFleet, see FleetModule)`,
    );
  }
  const fleet: unknown = fleetCode(modulePath, 'buildFleet()', () => mod.buildFleet!());
  if (!isEdgeFleet(fleet)) {
    throw new EdgefleetError(
      `fleet module ${modulePath}: buildFleet() returned ${fleet === null ? 'null' : typeof fleet}, not an EdgeFleet (return the fleet it builds)`,
    );
  }
  return fleet;
}

/**
 * Runs the fleet module's own code. What it throws, other than an edgefleet error, is a mistake in
 * the fleet module (a TypeError, a syntax error): reported as such, with where it was thrown, not as a bug in edgefleet.
 */
function fleetCode<T>(modulePath: string, what: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (EdgefleetError.isEdgefleetError(e)) throw e;
    throw new EdgefleetError(`fleet module ${modulePath}: ${what} failed in the fleet module's own code:\n${whereItFailed(e)}`);
  }
}
