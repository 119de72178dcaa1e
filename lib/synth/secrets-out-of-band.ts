import { compareStrings } from '../util/compare-strings';

/** A Secret that a store's object needs and that nothing in the store's tree delivers. */
export interface SecretOutOfBand {
  /** The object that needs it, as `Kind/name`. */
  readonly object: string;
  /** The Secret, as `namespace/name`. */
  readonly secret: string;
}

/** Collects the Secrets named by an object: env and envFrom, volumes, image pull secrets, cloud-init of a VM, a DataVolume source. */
function secretNamesIn(value: unknown, found: Set<string>, key?: string): void {
  if (Array.isArray(value)) {
    value.forEach((item) => secretNamesIn(item, found, key === 'imagePullSecrets' ? key : undefined));
    return;
  }
  if (!value || typeof value !== 'object') return;
  const o = value as Record<string, unknown>;
  if ((key === 'secretKeyRef' || key === 'secretRef' || key === 'imagePullSecrets') && typeof o.name === 'string') found.add(o.name);
  if (key === 'secret' && typeof o.secretName === 'string') found.add(o.secretName);
  for (const [k, v] of Object.entries(o)) secretNamesIn(v, found, k);
}

/**
 * The Secrets that the store's objects need and that nothing in its tree delivers (neither a Secret
 * object nor one of `delivered`, the names of its encrypted Secrets): they must be created on the store
 * out of band, or its pods wait for them forever. Sorted, one per object and Secret.
 */
export function secretsOutOfBand(objects: any[], delivered: Set<string>): SecretOutOfBand[] {
  const inTree = new Set([...delivered, ...objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata?.name)]);
  const needed: SecretOutOfBand[] = [];
  for (const o of objects) {
    const names = new Set<string>();
    secretNamesIn(o.spec, names);
    for (const name of [...names].sort(compareStrings)) {
      if (!inTree.has(name)) needed.push({ object: `${o.kind}/${o.metadata?.name}`, secret: `${o.metadata?.namespace ?? ''}/${name}` });
    }
  }
  return needed;
}
