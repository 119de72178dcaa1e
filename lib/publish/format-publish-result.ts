import { PublishResult } from './publish-store-branches';

/** How many moved branches the summary lists one by one. */
const LISTED_UPDATES = 50;

/** How many kept branches the summary names. */
const NAMED_KEPT = 10;

/** What `edgefleet publish` prints: one summary line, the branches moved, the branches kept. */
export function formatPublishResult(result: PublishResult, seconds: number): string {
  const dryRun = !result.pushed && result.updates.length > 0;
  const created = result.updates.filter((u) => u.from === undefined).length;
  const moved = `${result.updates.length - created} updated, ${created} created, ${result.unchanged} unchanged`;
  const push =
    result.updates.length === 0
      ? 'nothing to push'
      : result.pushed
        ? `pushed in one ${result.atomic ? 'atomic ' : ''}push${result.atomic ? '' : ' (the remote does not support atomic pushes)'}`
        : 'dry run: nothing pushed';
  const lines = [
    `edgefleet: publish ${short(result.source)} to ${result.remote}: ${result.stores} store branch${result.stores === 1 ? '' : 'es'}, ` +
      `${moved}; ${push} (${seconds.toFixed(1)}s)`,
  ];
  for (const u of result.updates.slice(0, LISTED_UPDATES)) {
    lines.push(
      `  ${dryRun ? 'would move ' : ''}${u.branch}  ` +
        `${u.from ? `${short(u.from)}..` : '(new) '}${short(u.to)}${u.removal ? '  (removal of the store)' : ''}`,
    );
  }
  if (result.updates.length > LISTED_UPDATES) lines.push(`  ... and ${result.updates.length - LISTED_UPDATES} more`);
  if (result.kept.length > 0) {
    const names = result.kept.slice(0, NAMED_KEPT).join(', ') + (result.kept.length > NAMED_KEPT ? ', …' : '');
    lines.push(
      `kept ${result.kept.length} branch${result.kept.length === 1 ? '' : 'es'} of stores no longer in the fleet as they are: ${names}. ` +
        'Those stores keep running and reconciling what they last got; publish a removal deliberately with --remove <store-id>.',
    );
  }
  return `${lines.join('\n')}\n`;
}

function short(commit: string): string {
  return commit.slice(0, 12);
}
