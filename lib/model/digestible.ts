import { IConstruct } from 'constructs';

/**
 * A fleet-wide construct that store definitions read (such as a {@link Release}): synth's store
 * digests cover its inputs, so that changing them renders the stores again. A construct directly
 * in the fleet that is neither a store nor digestible turns the digest cache off, since synth cannot
 * tell what it holds.
 */
export interface IDigestible extends IConstruct {
  /** Everything the construct holds that can change what it gives the stores, as plain data (JSON). */
  digestInputs(): unknown;
}

/** Whether `c` declares its inputs for the store digests. */
export function isDigestible(c: IConstruct): c is IDigestible {
  return typeof (c as Partial<IDigestible>).digestInputs === 'function';
}

/**
 * A construct that reads files outside the fleet definition while a store is built (such as an
 * `EncryptedSecret`, which copies an encrypted file): synth's digest cache records the content of
 * these files with the store and renders the store again when one of them changes.
 */
export interface IReadsFiles extends IConstruct {
  /** The files it reads, absolute. */
  readonly inputFiles: readonly string[];
}

/** Whether `c` says which files it reads. */
export function readsFiles(c: IConstruct): c is IReadsFiles {
  return Array.isArray((c as Partial<IReadsFiles>).inputFiles);
}
