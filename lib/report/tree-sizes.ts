import { TreeSize, TreeSizes } from './report-model';

/** The sizes of a synthesized tree given as paths relative to its root and their contents. */
export function treeSizes(files: ReadonlyMap<string, string>): TreeSizes {
  const add = (size: TreeSize | undefined, bytes: number): TreeSize => ({ files: (size?.files ?? 0) + 1, bytes: (size?.bytes ?? 0) + bytes });
  let total: TreeSize = { files: 0, bytes: 0 };
  const stores: Record<string, TreeSize> = {};
  for (const [file, content] of files) {
    const bytes = Buffer.byteLength(content);
    total = add(total, bytes);
    const [tree, store] = file.split('/');
    if ((tree === 'stores' || tree === 'clusters') && store !== undefined) stores[store] = add(stores[store], bytes);
  }
  return { total, stores };
}
