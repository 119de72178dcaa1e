import { createHash } from 'crypto';
import { gzipSync } from 'zlib';
import { pack } from 'tar-stream';
import { compareStrings } from '../util/compare-strings';

/** One file of an artifact: its path inside the artifact and its content. */
export interface ArtifactFile {
  readonly path: string;
  readonly content: string;
}

/** A gzipped tarball, its OCI digest (`sha256:<hex>`), and the digest of the tarball before compression. */
export interface ArtifactTarball {
  readonly bytes: Buffer;
  readonly digest: string;
  /** Depends on the files alone: gzip's output may change with the zlib that Node.js is built with, this may not. */
  readonly contentDigest: string;
}

/** Offset of the operating system byte of a gzip header (RFC 1952), which zlib sets to the platform it runs on. */
const GZIP_OS_BYTE = 9;

/** "Unix" in a gzip header, so that the same files give the same bytes on macOS and Windows as on Linux. */
const GZIP_OS_UNIX = 3;

/**
 * The layer of a Flux artifact: `files` in a gzipped tarball that depends on nothing but their paths
 * and contents (sorted, owner root, mode 0644, every date the epoch), as `flux build artifact` makes
 * it reproducible, so that the same folders always give the same digest and an unchanged store is
 * never pushed again.
 */
export async function artifactTarball(files: ArtifactFile[]): Promise<ArtifactTarball> {
  const tarball = pack();
  const chunks: Buffer[] = [];
  tarball.on('data', (chunk) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    tarball.on('end', resolve);
    tarball.on('error', reject);
  });
  for (const file of [...files].sort((a, b) => compareStrings(a.path, b.path))) {
    const content = Buffer.from(file.content, 'utf8');
    tarball.entry(
      { name: file.path, size: content.length, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0, uname: '', gname: '', type: 'file' },
      content,
    );
  }
  tarball.finalize();
  await ended;
  const tar = Buffer.concat(chunks);
  const bytes = gzipSync(tar, { level: 9 });
  bytes[GZIP_OS_BYTE] = GZIP_OS_UNIX;
  return { bytes, digest: sha256(bytes), contentDigest: sha256(tar) };
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
