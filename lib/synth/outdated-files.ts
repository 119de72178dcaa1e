import { TreePlan, TreeUpdate } from './tree-update';
import { isBootstrapFile, OWNED_FOLDERS } from '../model/dist-layout';

/**
 * How the files in `outdir` differ from a whole rendered tree (from `renderFleet`): the files synth
 * would write and those it would delete, by synth's own rules (bootstrap files that `flux bootstrap`
 * filled in are its own). A fleet repository's test uses it to fail when the committed dist/ is stale.
 */
export function outdatedFiles(rendered: Map<string, string>, outdir: string): TreePlan {
  const update = new TreeUpdate({ outdir, ownedFolders: OWNED_FOLDERS, isPlaceholder: isBootstrapFile });
  update.update(OWNED_FOLDERS, rendered);
  return update.plan();
}
