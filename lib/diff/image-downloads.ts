import * as fs from 'fs';
import { DistDiff, StoreDiff } from './dist-diff';
import { EdgefleetError } from '../errors/edgefleet-error';
import { compareStrings } from '../util/compare-strings';

/** Download size of each image, in bytes (compressed layers for the stores' architecture). */
export type ImageSizes = Map<string, number>;

const UNITS: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };

/**
 * Reads a file of image sizes: one image a line, then whitespace and its size in bytes, or with a
 * unit (`812Mi`, `1.2G`); `#` starts a comment. A line that does not fit is an error naming it.
 */
export function readImageSizes(file: string): ImageSizes {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    throw new EdgefleetError(`--image-sizes ${file}: cannot read it (${e.code ?? e.message})`);
  }
  const sizes: ImageSizes = new Map();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const match = /^(\S+)\s+([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(line);
    if (!match) {
      throw new EdgefleetError(
        `--image-sizes ${file} line ${i + 1}: "${raw.trim()}" is not "<image> <size>" (use e.g. "registry.example.com/pos-os:4.2.0 812Mi", or ` +
          `a size in bytes)`,
      );
    }
    sizes.set(match[1], Math.round(Number(match[2]) * UNITS[match[3] ?? '']));
  });
  return sizes;
}

/** Stores that must download the same images. */
export interface DownloadGroup {
  /** The stores, in id order. */
  readonly stores: StoreDiff[];
  /** The images each of them lacks, sorted. */
  readonly images: string[];
  /** Bytes each store downloads, counting the images of known size. */
  readonly bytesPerStore: number;
}

/** What the change makes stores download over their WAN links. */
export interface ImageDownloads {
  /** Stores grouped by the images they must download; largest downloads first. */
  readonly groups: DownloadGroup[];
  /** Stores that must download anything. */
  readonly stores: number;
  /** The distinct images to download, sorted. */
  readonly images: string[];
  /** Bytes downloaded by all stores together, counting the images of known size. */
  readonly totalBytes: number;
  /** Images without a known size, sorted. */
  readonly unknownSizes: string[];
}

/** Groups the stores of `diff` by the images they must newly download, with sizes where `sizes` knows them. */
export function imageDownloads(diff: DistDiff, sizes: ImageSizes = new Map()): ImageDownloads {
  const byImages = new Map<string, StoreDiff[]>();
  for (const s of diff.stores.filter((d) => d.newImages.length > 0)) {
    const key = s.newImages.join('\n');
    const stores = byImages.get(key);
    if (stores) stores.push(s);
    else byImages.set(key, [s]);
  }
  const bytes = (images: string[]) => images.reduce((sum, image) => sum + (sizes.get(image) ?? 0), 0);
  const groups = [...byImages.values()]
    .map((stores): DownloadGroup => ({ stores, images: stores[0].newImages, bytesPerStore: bytes(stores[0].newImages) }))
    .sort((a, b) => b.bytesPerStore * b.stores.length - a.bytesPerStore * a.stores.length || compareStrings(a.stores[0].store!, b.stores[0].store!));
  const images = [...new Set(groups.flatMap((g) => g.images))].sort(compareStrings);
  return {
    groups,
    stores: groups.reduce((n, g) => n + g.stores.length, 0),
    images,
    totalBytes: groups.reduce((n, g) => n + g.bytesPerStore * g.stores.length, 0),
    unknownSizes: images.filter((i) => !sizes.has(i)),
  };
}

/** Bytes for people, in binary units: `812.0 MiB`, `1.2 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
