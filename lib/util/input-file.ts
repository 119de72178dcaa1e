import * as fs from 'fs';
import { insideFolder } from './inside-folder';
import { shownPath } from './shown-path';

/**
 * Largest file edgefleet reads on the user's behalf (a `.sops.yaml` of 10,000 stores with post-quantum
 * operator keys is about 40 MiB); each reader has its own, smaller cap where it can.
 */
export const LARGEST_INPUT_FILE = 64 * 2 ** 20;

/** Where a file edgefleet reads on the user's behalf must be, and how large it may be. */
export interface InputFileLimits {
  /** The folder the file must stay inside once every symbolic link on its way is followed. */
  readonly folder: string;
  /** Largest size read, in bytes: a larger file is refused before it is read. */
  readonly maxBytes: number;
}

/** What reading an input file gave: its content, that there is no such file, or why it was not read (to follow the file's name). */
export type InputFile = { readonly content: Buffer } | { readonly missing: true } | { readonly refused: string };

/** Bytes read at a time. */
const CHUNK = 64 * 2 ** 10;

/**
 * Reads a file that edgefleet reads on the user's behalf (an encrypted Secret, the inventory,
 * `.sops.yaml`), or says why not, checked before anything is read: it must be a regular file (not a
 * FIFO, which would block the read for ever, nor a device, which can be endless, a socket or a
 * folder), inside `limits.folder` once symbolic links are followed, and no larger than
 * `limits.maxBytes`. It is opened without blocking and read up to that size, so that a file swapped
 * meanwhile cannot block or flood it either.
 */
export function readInputFile(file: string, limits: InputFileLimits): InputFile {
  try {
    const real = fs.realpathSync.native(file);
    if (insideFolder(fs.realpathSync.native(limits.folder), real) === undefined) {
      return { refused: `leads to ${shownPath(real)} through a symbolic link, outside ${shownPath(limits.folder)}/` };
    }
    const notRegular = notRegularFile(fs.statSync(real));
    return notRegular ? { refused: `is ${notRegular}, not a regular file` } : readAtMost(real, limits.maxBytes);
  } catch (e: any) {
    return e.code === 'ENOENT' || e.code === 'ENOTDIR' ? { missing: true } : { refused: `cannot be read (${e.code ?? e.message})` };
  }
}

/** What a file that is not a regular file is, e.g. `a FIFO (named pipe)`; undefined for a regular file. */
export function notRegularFile(stat: fs.Stats): string | undefined {
  if (stat.isFile()) return undefined;
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return stat.isSocket() ? 'a socket' : 'not a file';
}

/** `1.5 MiB`, `512 KiB`: a size for messages. */
function mebibytes(bytes: number): string {
  return bytes >= 2 ** 20 ? `${Number((bytes / 2 ** 20).toFixed(1))} MiB` : `${Math.ceil(bytes / 2 ** 10)} KiB`;
}

/** The content of the regular file `file`, opened without following a link or blocking, unless it holds more than `maxBytes`. */
function readAtMost(file: string, maxBytes: number): InputFile {
  const tooBig = (size: number): InputFile => ({ refused: `is ${mebibytes(size)}, more than the ${mebibytes(maxBytes)} allowed` });
  // eslint-disable-next-line no-bitwise -- open(2) flags: read only, no link followed, no blocking (flags Windows lacks are 0)
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const stat = fs.fstatSync(fd);
    const notRegular = notRegularFile(stat);
    if (notRegular) return { refused: `is ${notRegular}, not a regular file` };
    if (stat.size > maxBytes) return tooBig(stat.size);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // The whole file at once, as its size says; more (a file growing meanwhile) a chunk at a time, one byte past the cap at most.
      const chunk = Buffer.allocUnsafe(Math.min(total === 0 ? stat.size + 1 : CHUNK, maxBytes + 1 - total));
      const read = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) return { content: Buffer.concat(chunks, total) };
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > maxBytes) return tooBig(total);
    }
  } finally {
    fs.closeSync(fd);
  }
}
