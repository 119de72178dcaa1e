import { IConstruct } from 'constructs';
import { quantityValue } from './quantity';
import { fail, failLate } from '../errors/edgefleet-error';

/**
 * Kubernetes resource.Quantity, as the API server's OpenAPI schema spells it
 * (the `x-kubernetes-int-or-string` pattern in every CRD under shared/crds).
 */
const QUANTITY = /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

/** Go time.Duration as Flux accepts it (pattern of `spec.interval` in the Flux CRDs). */
const DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

/** RFC 1123 DNS label: what Kubernetes accepts as a namespace or most object names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Kubernetes label value: empty, or 63 characters of alphanumerics, `-`, `_`, `.` starting and ending alphanumeric. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Kubernetes label key: optional DNS-subdomain prefix and `/`, then a name like a label value. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * Container image reference: [registry[:port]/]path[:tag][@digest], lower-case path
 * (the grammar of distribution/reference, the library containerd and the kubelet use).
 */
const IMAGE_REFERENCE = new RegExp(
  [
    /^((?:[a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+(?::[0-9]+)?\/)?/, // registry[:port]/
    /[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*/, // path
    /(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/, // :tag, @digest
  ]
    .map((part) => part.source)
    .join(''),
);

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** Whether `value` is a Kubernetes quantity such as `2Gi` or `500m`. */
export function isQuantity(value: unknown): value is string {
  return typeof value === 'string' && QUANTITY.test(value);
}

/** What a quantity measures: CPU, or bytes (memory, storage, log volume). */
export type QuantityKind = 'cpu' | 'bytes';

/** Fewest bytes taken as meant: below 1Mi a unit is missing or wrong (`"256m"` is a quarter of a byte). */
const MIN_BYTES = 2 ** 20;

/*
 * The checks of values that building can go on with (quantities, durations, numbers, images, labels)
 * report a problem with `failLate`: the construct uses the value as given, and the problem is reported with
 * the store's other problems. Those of names (which become objects and paths) and of choices (which decide
 * what is built) throw.
 */

/**
 * Reports unless `value` is a Kubernetes quantity such as `2Gi` or `500m`, of more than zero (or zero,
 * with `zeroAllowed`), and, in bytes, of at least 1Mi.
 */
export function checkQuantity(scope: IConstruct, prop: string, value: string, example: string, kind: QuantityKind, zeroAllowed = false): string {
  const problem = quantityProblem(value, example, kind, zeroAllowed);
  if (problem) failLate(scope, `${prop} ${problem}`);
  return value;
}

function quantityProblem(value: string, example: string, kind: QuantityKind, zeroAllowed: boolean): string | undefined {
  if (!isQuantity(value)) return `${show(value)} is not a Kubernetes quantity (use "${example}")`;
  const amount = quantityValue(value);
  if (amount < 0 || (amount === 0 && !zeroAllowed)) return `"${value}" must be more than 0${zeroAllowed ? ' or 0' : ''} (use "${example}")`;
  if (kind === 'bytes' && amount > 0 && amount < MIN_BYTES) {
    return (
      `"${value}" is only ${amount} bytes: its unit is missing or wrong (use "${example}"; Mi and Gi are MiB and GiB, a lower-case m is a ` +
      `thousandth)`
    );
  }
  return undefined;
}

/** Reports unless `value` is a Go duration such as `5m` or `1h30m`, as Flux expects, longer than zero. */
export function checkDuration(scope: IConstruct, prop: string, value: string): string {
  if (typeof value !== 'string' || !DURATION.test(value)) {
    failLate(scope, `${prop} ${show(value)} is not a duration (use a number with a unit, such as "30s", "5m" or "1h")`);
  } else if (durationSeconds(value) === 0) {
    failLate(scope, `${prop} "${value}" must be longer than 0 (use a number with a unit, such as "30s", "5m" or "1h")`);
  }
  return value;
}

/** Seconds of a Go duration such as `24h` or `1h30m`. */
export function durationSeconds(duration: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  return [...String(duration).matchAll(/([0-9.]+)(ms|s|m|h)/g)].reduce((sum, [, n, unit]) => sum + Number(n) * units[unit], 0);
}

/** Whether `value` is an RFC 1123 label (lower-case alphanumerics and `-`, at most 63 characters). */
export function isDnsLabel(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 63 && DNS_LABEL.test(value);
}

/** The fix for a value that is not an RFC 1123 label. */
export const DNS_LABEL_HINT = 'use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit, such as "store-001"';

/** Fails unless `value` is an RFC 1123 label. */
export function checkDnsLabel(scope: IConstruct, prop: string, value: string): string {
  if (!isDnsLabel(value)) {
    fail(scope, `${prop} ${show(value)} is not an RFC 1123 label (${DNS_LABEL_HINT})`);
  }
  return value;
}

/** Reports unless `n` is an integer of at least `min`. */
export function checkInteger(scope: IConstruct, prop: string, n: number, min: number): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    failLate(scope, `${prop} ${show(n)} must be a whole number of at least ${min}`);
  }
  return n;
}

/** Fails unless `value` is one of `allowed`. */
export function checkOneOf<T extends string>(scope: IConstruct, prop: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    fail(scope, `${prop} ${show(value)} is not supported (use one of ${allowed.map(show).join(', ')})`);
  }
  return value;
}

/** Reports every key and value of `labels` that is not a valid Kubernetes label. */
export function checkLabels(scope: IConstruct, prop: string, labels: Record<string, string>): Record<string, string> {
  for (const [key, value] of Object.entries(labels)) {
    if (key.length > 317 || !LABEL_KEY.test(key)) {
      failLate(
        scope,
        `${prop} key ${show(key)} is not a Kubernetes label key (use letters, digits, "-", "_" and ".", optionally prefixed by a DNS domain ` +
          `and "/", such as "region" or "example.com/ring")`,
      );
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      failLate(
        scope,
        `${prop} "${key}" value ${show(value)} is not a Kubernetes label value (use at most 63 letters, digits, "-", "_" and ".", starting and ` +
          `ending with a letter or digit, such as "eu-west")`,
      );
    }
  }
  return labels;
}

/** Reports unless `image` is a well-formed container image reference. */
export function checkImage(scope: IConstruct, prop: string, image: string): string {
  if (typeof image !== 'string' || !IMAGE_REFERENCE.test(image)) {
    failLate(
      scope,
      `${prop} ${show(image)} is not a container image reference (use "registry.example.com/team/app:1.4.2" or pin a digest with "@sha256:...")`,
    );
  }
  return image;
}
