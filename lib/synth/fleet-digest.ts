import { hash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { IEdgeFleet, isEdgeStore } from '../model/contract';
import { isDigestible } from '../model/digestible';
import { LARGEST_INPUT_FILE, readInputFile } from '../util/input-file';

/** Changes whenever what a digest covers changes meaning. */
const DIGEST_FORMAT = 'edgefleet store digest 1';

/** Environment variables that change what cdk8s renders. */
const RENDERING_ENVIRONMENT = ['CDK8S_DISABLE_SORT'];

/** The digest of a fleet's settings and code, or why there is none (then every store is rendered). */
export type FleetDigest = { readonly digest: string } | { readonly digest?: undefined; readonly reason: string };

/**
 * What every store's output depends on besides its own inputs: the code that renders (every module
 * loaded, by content, and the Node.js version), the environment cdk8s reads, and the fleet's inputs
 * ({@link fleetInputsDigest}). None when one of them cannot be known: the modules under a test
 * runner that loads them itself, or a fleet-wide construct that does not say what it holds.
 */
export function fleetDigest(fleet: IEdgeFleet): FleetDigest {
  const code = codeDigest();
  if (code === undefined) return { reason: 'the loaded modules are not known (a test runner loads them)' };
  const inputs = fleetInputsDigest(fleet);
  if (inputs.digest === undefined) return inputs;
  const environment = RENDERING_ENVIRONMENT.map((name) => `${name}=${process.env[name] ?? ''}`);
  return { digest: sha256([DIGEST_FORMAT, code, ...environment, inputs.digest].join('\n')) };
}

/** The digest of the fleet's props and of the inputs of its fleet-wide constructs (such as Releases). */
export function fleetInputsDigest(fleet: IEdgeFleet): FleetDigest {
  const parts: string[] = [];
  for (const child of fleet.node.children) {
    if (isEdgeStore(child)) continue;
    if (!isDigestible(child)) {
      return { reason: `${child.constructor.name} "${child.node.path}" in the fleet does not say what it holds (give it a digestInputs() method)` };
    }
    const inputs = plainJson(child.digestInputs());
    if (inputs === undefined) return { reason: `the digestInputs() of ${child.constructor.name} "${child.node.path}" are not plain data` };
    parts.push(`${child.node.path} ${child.constructor.name} ${inputs}`);
  }
  const fleetInputs = plainJson(fleet.digestInputs());
  if (fleetInputs === undefined) return { reason: "the fleet's props are not plain data" };
  parts.push(fleetInputs);
  return { digest: sha256(parts.join('\n')) };
}

/** The digest of one store: the fleet's digest and the store's inputs; undefined when those are not plain data. */
export function storeDigest(fleet: string, inputs: unknown): string | undefined {
  const json = plainJson(inputs);
  return json === undefined ? undefined : sha256(`${fleet}\n${json}`);
}

/**
 * The digest of a file's content; null when there is no such file, and, for a file that cannot be read
 * as an input file (see `readInputFile`: a FIFO, a device, a link out of its folder, a huge file), why
 * not, which matches no digest: the store is rendered again, and the construct that reads the file says what is wrong.
 */
export function fileDigest(file: string): string | null {
  const read = readInputFile(file, { folder: path.dirname(file), maxBytes: LARGEST_INPUT_FILE });
  if ('missing' in read) return null;
  return 'refused' in read ? `not read: ${read.refused}` : hash('sha256', read.content, 'base64url');
}

/** The digest of data that synth itself made plain (a store summary). */
export function dataDigest(data: unknown): string {
  return sha256(JSON.stringify(data));
}

let cachedCodeDigest: { modules: number; digest: string | undefined } | undefined;

/**
 * The digest of the code loaded in this process: every module (node_modules included, so that a
 * patched or relinked package counts too) by content, and the Node.js version. Hashing the 8 MB
 * that a fleet loads takes about 10 ms. Undefined when the loaded modules are not known.
 */
export function codeDigest(): string | undefined {
  const modules = Object.keys(require.cache);
  if (cachedCodeDigest?.modules === modules.length) return cachedCodeDigest.digest;
  let digest: string | undefined;
  if (require.cache[__filename] !== undefined) {
    const contents = modules.map((file) => hash('sha1', readModule(file)));
    digest = sha256([`node ${process.version}`, ...contents.sort()].join('\n'));
  }
  cachedCodeDigest = { modules: modules.length, digest };
  return digest;
}

/** A loaded module's source; a module that is not a file (Node.js's own) is named instead. */
function readModule(file: string): string | Buffer {
  try {
    return fs.readFileSync(file);
  } catch {
    return `not a file: ${file}`;
  }
}

/**
 * `value` as JSON, keys in their order (an order a definition may depend on); undefined unless it
 * is plain data: objects of no class, arrays, strings, finite numbers, booleans, null (and undefined
 * where JSON leaves it out).
 */
function plainJson(value: unknown): string | undefined {
  const ancestors = new Set<object>();
  const write = (v: unknown): string | undefined => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string':
        return JSON.stringify(v);
      case 'number':
        return Number.isFinite(v) ? JSON.stringify(v) : undefined;
      case 'boolean':
        return v ? 'true' : 'false';
      case 'object': {
        if (ancestors.has(v)) return undefined;
        const proto = Object.getPrototypeOf(v);
        if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return undefined;
        ancestors.add(v);
        const parts: string[] = [];
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            const json = v[i] === undefined ? 'null' : write(v[i]);
            if (json === undefined) return undefined;
            parts.push(json);
          }
        } else {
          for (const [key, item] of Object.entries(v)) {
            if (item === undefined) continue;
            const json = write(item);
            if (json === undefined) return undefined;
            parts.push(`${JSON.stringify(key)}:${json}`);
          }
        }
        ancestors.delete(v);
        return Array.isArray(v) ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
      }
      default:
        return undefined;
    }
  };
  return value === undefined ? undefined : write(value);
}

function sha256(text: string): string {
  return hash('sha256', text, 'base64url');
}
