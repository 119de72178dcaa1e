import { hash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { StoreSummary } from './store-pass';
import type { OutputRecord } from './tree-update';

/** What synth recorded of one store at its last synth. */
export interface CachedStore {
  /** The store's digest (its inputs, the fleet's settings, the code); null for a store built outside `addStores`. */
  readonly digest: string | null;
  /** What synth keeps of the store. */
  readonly summary: StoreSummary;
  /** The digest of the summary, for the fleet-wide files. */
  readonly summaryDigest: string;
  /** The store's files and folders as written. */
  readonly output: OutputRecord;
  /** The files outside the fleet definition that the store's constructs read, with the digest of their content (null: absent). */
  readonly inputFiles: Array<[file: string, contentDigest: string | null]>;
}

/** What synth recorded of the fleet-wide files (the report, `dist/fleet/`) at its last synth. */
export interface CachedFleetFiles {
  /** The digest of what they are made from: the fleet's settings, the code, every store's summary. */
  readonly digest: string;
  /** The files and folders as written. */
  readonly output: OutputRecord;
}

/** The digest manifest of one output folder: what its last synth wrote, and from what. */
export interface DigestManifest {
  /** Format of the manifest; another format is ignored. */
  readonly format: number;
  /** The output folder, absolute. */
  readonly outdir: string;
  /** Every store, by id. */
  readonly stores: Record<string, CachedStore>;
  /** The fleet-wide files. */
  readonly fleetFiles?: CachedFleetFiles;
}

const FORMAT = 1;

/**
 * The digest cache: one manifest per output folder, in a folder of its own outside the synthesized
 * tree (e.g. `.edgefleet-cache/`, ignored by Git), so that a change to one store touches nothing in
 * `dist/` but that store's files. A missing, unreadable or foreign manifest is an empty one: synth
 * then renders every store.
 */
export class DigestCache {
  /** Opens the cache of `outdir` in `cacheDir`. */
  public static open(cacheDir: string, outdir: string): DigestCache {
    const absolute = path.resolve(outdir);
    const file = path.join(cacheDir, `synth-${hash('sha1', absolute, 'hex').slice(0, 16)}.json`);
    let manifest: DigestManifest | undefined;
    try {
      manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      manifest = undefined;
    }
    const usable = manifest?.format === FORMAT && manifest.outdir === absolute;
    return new DigestCache(file, usable ? manifest! : { format: FORMAT, outdir: absolute, stores: {} });
  }

  private constructor(
    /** The manifest file. */
    public readonly file: string,
    private readonly manifest: DigestManifest,
  ) {}

  /** What the last synth recorded of a store. */
  public store(id: string): CachedStore | undefined {
    return Object.prototype.hasOwnProperty.call(this.manifest.stores, id) ? this.manifest.stores[id] : undefined;
  }

  /** The ids of every store the last synth recorded. */
  public get storeIds(): string[] {
    return Object.keys(this.manifest.stores);
  }

  /** What the last synth recorded of the fleet-wide files. */
  public get fleetFiles(): CachedFleetFiles | undefined {
    return this.manifest.fleetFiles;
  }

  /** Replaces the manifest with what this synth wrote (written to a temporary file, then renamed over it). */
  public save(stores: Record<string, CachedStore>, fleetFiles: CachedFleetFiles | undefined): void {
    const manifest: DigestManifest = { format: FORMAT, outdir: this.manifest.outdir, stores, fleetFiles };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(manifest));
    fs.renameSync(temporary, this.file);
  }

  /** Forgets the manifest, so that the next synth renders everything (e.g. after a failed write). */
  public discard(): void {
    fs.rmSync(this.file, { force: true });
  }
}
