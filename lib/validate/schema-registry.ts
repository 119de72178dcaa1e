import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import { packageRoot } from '../util/package-root';

/** The schemas that `npx projen import` generated into imports/schemas from the upstream ones. */
const SCHEMA_DIR = path.join(packageRoot(__dirname), 'imports', 'schemas');

/** The key of fleet.yaml's schema in the index. */
export const FLEET_YAML = 'fleet.yaml fleet.yaml';

/** One schema violation, with its JSON path. */
export interface SchemaViolation {
  /** JSON path of the offending value, e.g. `spec.selector`. */
  readonly path: string;
  /** What the schema expects there. */
  readonly message: string;
}

/**
 * Strict JSON Schema validators by `apiVersion kind`: Kubernetes 1.29 core (the nearest upstream
 * strict schemas to 1.28), KubeVirt v1, CDI, Flux v1, Fleet, and fleet.yaml. Compiled on first use.
 */
export class SchemaRegistry {
  private readonly index: Record<string, string> = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, 'index.json'), 'utf8'));
  private readonly compiled = new Map<string, ValidateFunction>();
  // Without code optimisation, compiling the large Kubernetes schemas takes a third of the time (about 1 s
  // instead of 3 s for a store's kinds), and validating is within 10% as fast.
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { optimize: false } });
  private readonly ajv2020 = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, code: { optimize: false } });

  /** Whether a schema exists for `apiVersion kind`. */
  public has(key: string): boolean {
    return key in this.index;
  }

  /** Validates `value` against the schema of `key` (`apiVersion kind`); empty when valid. */
  public validate(key: string, value: unknown): SchemaViolation[] {
    const validateFn = this.validator(key);
    return validateFn(value) ? [] : (validateFn.errors ?? []).filter(isReportable).map(violation);
  }

  private validator(key: string): ValidateFunction {
    let validateFn = this.compiled.get(key);
    if (!validateFn) {
      const schema = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, this.index[key]), 'utf8'));
      validateFn = (key === FLEET_YAML ? this.ajv2020 : this.ajv).compile(schema);
      this.compiled.set(key, validateFn);
    }
    return validateFn;
  }
}

/** Drops the "must match a schema in anyOf/oneOf" summaries that only repeat the branch errors. */
function isReportable(e: ErrorObject): boolean {
  return e.keyword !== 'anyOf' && e.keyword !== 'oneOf' && e.keyword !== 'if';
}

function violation(e: ErrorObject): SchemaViolation {
  const segments = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let where = segments.reduce((p, s) => (/^[0-9]+$/.test(s) ? `${p}[${s}]` : p ? `${p}.${s}` : s), '');
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') {
    const field = (e.params as { additionalProperty: string }).additionalProperty;
    where = where ? `${where}.${field}` : field;
    message = 'unknown field (not in the schema of this kind)';
  } else if (e.keyword === 'required') {
    const field = (e.params as { missingProperty: string }).missingProperty;
    where = where ? `${where}.${field}` : field;
    message = 'required field is missing';
  } else if (e.keyword === 'enum') {
    message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return { path: where || '-', message };
}
