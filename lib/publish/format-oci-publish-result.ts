import { OciPublishResult } from './publish-oci-artifacts';
import { plural } from '../util/plural';

/** How many pushed artifacts the summary lists one by one. */
const LISTED_UPDATES = 50;

/** What `edgefleet publish --oci` prints: one summary line, the artifacts pushed, the stores that failed. */
export function formatOciPublishResult(result: OciPublishResult, seconds: number): string {
  const dryRun = !result.pushed && result.updates.length > 0;
  const created = result.updates.filter((u) => u.created).length;
  const counts = `${result.updates.length - created} updated, ${created} created, ${result.unchanged} unchanged`;
  const bytes = result.updates.reduce((sum, u) => sum + u.bytes, 0);
  const push =
    result.updates.length === 0
      ? 'nothing to push'
      : dryRun
        ? `dry run: nothing pushed (${kib(bytes)} to push)`
        : `pushed, signed and tagged (${kib(bytes)} of content)`;
  const lines = [
    `edgefleet: publish ${result.source.slice(0, 12)} to ${result.to}: ${plural(result.stores, 'store')} on OCI, ${counts}; ${push} ` +
      `(${seconds.toFixed(1)}s)`,
  ];
  for (const u of result.updates.slice(0, LISTED_UPDATES)) {
    const what = u.digest ? `${u.tag} -> ${u.versionTag} ${u.digest.slice(0, 19)}` : `${u.tag} would move to ${u.versionTag}`;
    lines.push(`  ${u.repository}  ${what}  ${kib(u.bytes)}${u.created ? '  (new)' : ''}${u.removal ? '  (removal of the store)' : ''}`);
  }
  if (result.updates.length > LISTED_UPDATES) lines.push(`  ... and ${result.updates.length - LISTED_UPDATES} more`);
  for (const f of result.failures) lines.push(`  FAILED ${f.store}: ${f.message} (the store keeps its artifact)`);
  if (result.failures.length > 0) {
    lines.push(`${plural(result.failures.length, 'store')} not published: fix the cause and publish again; the others are published.`);
  }
  return `${lines.join('\n')}\n`;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
