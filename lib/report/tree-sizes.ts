import { TreeSize } from './report-model';

/** The number and bytes of files with these contents. */
export function treeSize(contents: Iterable<string>): TreeSize {
  let files = 0;
  let bytes = 0;
  for (const content of contents) {
    files += 1;
    bytes += Buffer.byteLength(content);
  }
  return { files, bytes };
}

/** The sum of sizes; undefined when one is unknown. */
export function sumOfSizes(sizes: Array<TreeSize | undefined>): TreeSize | undefined {
  if (sizes.some((s) => s === undefined)) return undefined;
  return { files: sizes.reduce((n, s) => n + s!.files, 0), bytes: sizes.reduce((n, s) => n + s!.bytes, 0) };
}
