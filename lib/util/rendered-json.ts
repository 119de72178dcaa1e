import { hash } from 'crypto';
import {
  ApiObject,
  ApiObjectMetadataDefinition,
  App,
  ImplicitTokenResolver,
  JsonPatch,
  Lazy,
  LazyResolver,
  NumberStringUnionResolver,
  resolve,
} from 'cdk8s';
import { ScopedFlag } from './scoped-flag';

/** The JSON of the objects rendered in the current pass, while one runs. */
let currentPass: Map<ApiObject, any> | undefined;

/** cdk8s's own `ApiObject.prototype.toJson`, which {@link inRenderPass} stands in for while a pass runs. */
const cdk8sToJson = ApiObject.prototype.toJson;

/**
 * Runs `render` as one rendering pass: within it, {@link renderedJson} renders each `ApiObject` once,
 * so that late checks of the rendered objects and the writing of files share one rendering; and
 * cdk8s's resolve pass is made cheap for objects whose props are plain data ({@link plainToJson}).
 * Construct trees must not change during a pass.
 */
export function inRenderPass<T>(render: () => T): T {
  const outer = currentPass;
  currentPass = new Map();
  const standIn = outer === undefined && PLAIN_RESOLVE_APPLIES && !referenceToJson.isOn;
  if (standIn) ApiObject.prototype.toJson = plainToJson;
  try {
    return render();
  } finally {
    if (standIn) ApiObject.prototype.toJson = cdk8sToJson;
    currentPass = outer;
  }
}

const referenceToJson = new ScopedFlag();

/**
 * Runs `render` with every object rendered by cdk8s's own `ApiObject.toJson`: to prove that the
 * stand-in renders the same (`test/output/reference-rendering.test.ts`).
 */
export function withCdk8sToJson<T>(render: () => T): T {
  return referenceToJson.runWith(render);
}

/** `object.toJson()`: the object as it will be written, JSON patches applied; rendered once per pass. */
export function renderedJson(object: ApiObject): any {
  if (currentPass === undefined) return object.toJson();
  let json = currentPass.get(object);
  if (json === undefined) {
    json = object.toJson();
    currentPass.set(object, json);
  }
  return json;
}

/**
 * What cdk8s's `ApiObject.toJson` does is: the App's resolvers are asked about every value of the
 * props and metadata (a `Lazy` is produced, an object with a `resolve()` method is resolved, a union
 * type such as `Quantity` becomes `{ value }`), which copies them; then `sanitizeValue` copies them
 * again with keys sorted and null values dropped (and, in metadata, empty lists and objects); then
 * the JSON patches are applied and `apiVersion`, `kind`, `metadata` put first. With cdk8s's default
 * resolvers, plain data (strings, numbers, booleans, arrays and objects of no class) is never
 * replaced, so the two copies come to one sorted copy, made here in a single walk, in which a `Lazy`
 * is produced and a union type becomes `{ value }` as cdk8s does. An object holding anything else (a
 * value with a `resolve()` method, any other class instance) is rendered by cdk8s itself.
 *
 * This stands in for cdk8s's code only where that code is the one it was written against
 * ({@link PLAIN_RESOLVE_APPLIES}); `test/output/rendered-json.test.ts` renders whole fleets both ways.
 */
function plainToJson(this: ApiObject): any {
  let json: any;
  try {
    if (!hasDefaultResolvers(App.of(this).resolvers)) return cdk8sToJson.call(this);
    // props, patches and the metadata's fields are private in cdk8s's typings; the code reproduced here reads them the same way.
    const m = this.metadata as any;
    const metadata = plainCopy(
      {
        ...m._additionalAttributes,
        name: m.name,
        namespace: m.namespace,
        annotations: m.annotations,
        finalizers: m.finalizers,
        ownerReferences: m.ownerReferences,
        labels: m.labels,
      },
      true,
      true,
    );
    json = plainCopy({ ...(this as any).props, metadata }, !process.env.CDK8S_DISABLE_SORT, false);
  } catch {
    // Not plain data, or a mistake that cdk8s reports in its own words.
    return cdk8sToJson.call(this);
  }
  try {
    const patches = (this as any).patches as JsonPatch[];
    const patched = patches.length > 0 ? JsonPatch.apply(json, ...patches) : json;
    const result: any = {};
    for (const k of ['apiVersion', 'kind', 'metadata', ...Object.keys(patched)]) {
      if (k in patched) result[k] = patched[k];
    }
    return result;
  } catch (e) {
    throw new Error(`Failed serializing construct at path '${this.node.path}' with name '${this.name}': ${e}`);
  }
}

/** Thrown inside {@link plainCopy} for a value that cdk8s's resolvers would act on. */
const NOT_PLAIN = Symbol('not plain data');

/**
 * `sanitizeValue(resolve(value), { sortKeys, filterEmptyArrays: filterEmpty, filterEmptyObjects: filterEmpty })`
 * for plain data and union types; throws {@link NOT_PLAIN} for anything else.
 */
function plainCopy(value: unknown, sortKeys: boolean, filterEmpty: boolean): unknown {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'object': {
      if (Array.isArray(value)) {
        if (typeof (value as any).resolve === 'function' || isUnionValue((value as any).value)) throw NOT_PLAIN;
        if (filterEmpty && value.length === 0) return undefined;
        return value.map((item) => plainCopy(item, sortKeys, filterEmpty));
      }
      // LazyResolver: a Lazy is replaced by what it produces, which is resolved in turn.
      if (value instanceof Lazy) return plainCopy(value.produce(), sortKeys, filterEmpty);
      if (typeof (value as any).resolve === 'function') throw NOT_PLAIN;
      if (Object.getPrototypeOf(value) !== Object.prototype) {
        // NumberStringUnionResolver: an instance of a union class (Quantity, IntOrString, ...) becomes { value }.
        if (isUnionValue((value as any).value)) return { value: (value as any).value };
        throw NOT_PLAIN;
      }
      const keys = Object.keys(value);
      if (sortKeys) keys.sort();
      const copy: Record<string, unknown> = {};
      let empty = true;
      for (const key of keys) {
        const item = plainCopy((value as any)[key], sortKeys, filterEmpty);
        if (item !== null && item !== undefined) {
          copy[key] = item;
          empty = false;
        }
      }
      return filterEmpty && empty ? undefined : copy;
    }
    default:
      throw NOT_PLAIN;
  }
}

function isUnionValue(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'string';
}

/** cdk8s's default resolvers, in their order. */
const DEFAULT_RESOLVERS = new App({ outdir: '.' }).resolvers;

function hasDefaultResolvers(resolvers: readonly unknown[]): boolean {
  return (
    resolvers.length === 3 &&
    resolvers[0] instanceof LazyResolver &&
    resolvers[1] instanceof ImplicitTokenResolver &&
    resolvers[2] instanceof NumberStringUnionResolver
  );
}

/**
 * The cdk8s code that {@link plainToJson} reproduces, as of cdk8s 2.70.106: `ApiObject.toJson`,
 * the metadata's `toJson` and fields, `resolve`, `sanitizeValue`, `Lazy` and the default resolvers.
 * When another cdk8s version changes any of it, the stand-in stays off and cdk8s renders everything
 * itself (slower, never different).
 */
const REPRODUCED_CDK8S_CODE = '8ZPOfyfEfaMHKaFeSPprIlfqO3sT0_wAL3xr6QNw0bs';

/** Whether the cdk8s code here is the code {@link plainToJson} reproduces. */
export const PLAIN_RESOLVE_APPLIES =
  cdk8sCodeDigest() === REPRODUCED_CDK8S_CODE &&
  hasDefaultResolvers(DEFAULT_RESOLVERS) &&
  [String, Number, Boolean, Array, Object].every((type) => !('resolve' in type.prototype) && !('value' in type.prototype));

/** A digest of the cdk8s code that {@link plainToJson} reproduces. */
function cdk8sCodeDigest(): string {
  const code = [
    cdk8sToJson,
    ApiObjectMetadataDefinition.prototype.toJson,
    ApiObjectMetadataDefinition,
    resolve,
    sanitizeValue(),
    Lazy,
    LazyResolver.prototype.resolve,
    ImplicitTokenResolver.prototype.resolve,
    NumberStringUnionResolver.prototype.resolve,
  ];
  return hash('sha256', code.map((f) => String(f)).join('\n'), 'base64url');
}

/** cdk8s's `sanitizeValue`, which `ApiObject.toJson` calls (not exported by cdk8s: read for the digest only). */
function sanitizeValue(): unknown {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module cdk8s does not export, read only if it is there
    return require('cdk8s/lib/_util').sanitizeValue;
  } catch {
    return undefined;
  }
}
