import { CachedStore, DigestCache } from './digest-cache';
import { fileDigest } from './fleet-digest';
import { TreeUpdate } from './tree-update';
import { storeRoots } from '../model/dist-layout';

/** A store confirmed unchanged by the digest cache: neither rendered, nor read, nor written. */
export interface KeptStore {
  /** What the cache holds of the store. */
  readonly kept: CachedStore;
  /** Whether its files' recorded sizes and times were brought up to date (a fresh clone, a checkout). */
  readonly restated: boolean;
  readonly pass?: undefined;
  readonly digest?: undefined;
  readonly written?: undefined;
}

/** The cached stores by digest (those whose digest is unique: two declarations with the same inputs are rendered). */
export function digestIndex(cache: DigestCache): Map<string, CachedStore> {
  const index = new Map<string, CachedStore>();
  const repeated = new Set<string>();
  for (const id of cache.storeIds) {
    const entry = cache.store(id)!;
    if (entry.digest === null) continue;
    if (index.has(entry.digest)) repeated.add(entry.digest);
    index.set(entry.digest, entry);
  }
  repeated.forEach((d) => index.delete(d));
  return index;
}

/**
 * A cached store whose files are as the last synth left them (their sizes and times say so, or, in
 * a fresh clone or after a checkout, their contents do), and whose input files (see `IReadsFiles`)
 * have the content they had then.
 */
export function confirmUnchanged(entry: CachedStore | undefined, update: TreeUpdate): KeptStore | undefined {
  if (entry === undefined || (entry.inputFiles ?? []).some(([file, digest]) => fileDigest(file) !== digest)) return undefined;
  if (update.isIntact(entry.output)) {
    update.keep(entry.output);
    return { kept: entry, restated: false };
  }
  if (!update.hasRecordedContent(entry.output, storeRoots(entry.summary.id))) return undefined;
  update.keep(entry.output);
  return { kept: { ...entry, output: update.restat(entry.output) }, restated: true };
}
