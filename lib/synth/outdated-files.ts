import { existsSync, readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { compareStrings } from '../output/manifest-file';
import { TreePlan } from '../output/tree-writer';
import { isBootstrapFile, OWNED_FOLDERS, REPORT_FILES } from './synthesize';

/**
 * How the files in `outdir` differ from a whole rendered tree (from `renderFleet`): the files synth
 * would write and those it would delete. A fleet repository's test uses it to fail when the committed
 * dist/ is stale. Bootstrap files that exist are not compared: once `flux bootstrap` has filled them
 * in, they are its own.
 */
export function outdatedFiles(rendered: Map<string, string>, outdir: string): TreePlan {
  const existing = existingFiles(outdir);
  const writes = [...rendered]
    .filter(([file, content]) => !(isBootstrapFile(file) && existing.has(file)) && readIfPresent(outdir, file, existing) !== content)
    .map(([file]) => file);
  const deletes = [...existing].filter((file) => !rendered.has(file));
  return { writes: writes.sort(compareStrings), deletes: deletes.sort(compareStrings) };
}

/** The files synth owns in outdir: those below its owned folders, and the report. */
function existingFiles(outdir: string): Set<string> {
  const files = new Set<string>();
  for (const folder of OWNED_FOLDERS) {
    const dir = path.join(outdir, folder);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) files.add(path.relative(outdir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
    }
  }
  for (const file of Object.values(REPORT_FILES)) if (existsSync(path.join(outdir, file))) files.add(file);
  return files;
}

function readIfPresent(outdir: string, file: string, existing: Set<string>): string | undefined {
  return existing.has(file) ? readFileSync(path.join(outdir, file), 'utf8') : undefined;
}
