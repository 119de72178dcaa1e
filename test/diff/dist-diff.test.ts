import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EdgeFleet, EdgeMonitor, EdgeStore, diffDist, isDerived, formatDiffMarkdown, formatDiffText, renderFleet, synthesize } from '../../lib';
import { main } from '../../lib/cli/main';
import { INVENTORY, RELEASES, buildFleet } from '../../stores';
import { readStoreInventory } from '../../lib';
import { tempDir, testFleet } from '../util';

function git(repo: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } });
}

/** A Git repository on branch main whose dist/ holds `fleet`, committed. */
function repoWith(fleet: EdgeFleet): string {
  const repo = tempDir();
  git(repo, 'init', '-q', '-b', 'main');
  synthesize(fleet, { outdir: path.join(repo, 'dist') });
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'base');
  return repo;
}

function fleetOf(stores: Array<[string, string, string]>): EdgeFleet {
  const fleet = testFleet({ rings: ['canary', 'general'] });
  for (const [id, ring, tag] of stores) {
    new EdgeMonitor(new EdgeStore(fleet, id, { labels: { ring, region: 'eu-west' } }), 'edge-monitor', { image: `registry.example.com/edge-monitor:${tag}` });
  }
  return fleet;
}

const BASE = fleetOf([['store-001', 'canary', '1.4.2'], ['store-002', 'general', '1.4.2'], ['store-003', 'general', '1.4.2']]);
const NEXT = () => fleetOf([['store-001', 'canary', '1.4.2'], ['store-002', 'general', '1.5.0'], ['store-004', 'general', '1.4.2']]);

describe('edgefleet diff', () => {
  test('GIVEN a fresh synth in the working tree WHEN diffed THEN it lists added, removed and changed stores with the changed fields', () => {
    // GIVEN
    const repo = repoWith(BASE);
    synthesize(NEXT(), { outdir: path.join(repo, 'dist') });

    // WHEN
    const diff = diffDist({ dir: path.join(repo, 'dist') });

    // THEN
    expect(diff.base).toBe('HEAD');
    expect(diff.stores.map((s) => [s.store, s.status])).toEqual([['store-002', 'changed'], ['store-003', 'removed'], ['store-004', 'added']]);
    expect(diff.stores[0].changes).toEqual([{
      file: 'stores/store-002/workloads/edge-monitor.yaml', object: 'Deployment/edge-monitor', change: 'changed',
      fields: [{ path: 'spec.template.spec.containers[0].image', before: 'registry.example.com/edge-monitor:1.4.2', after: 'registry.example.com/edge-monitor:1.5.0' }],
    }]);
    const text = formatDiffText(diff);
    expect(text).toContain('  store-002 Deployment/edge-monitor spec.template.spec.containers[0].image: registry.example.com/edge-monitor:1.4.2 -> registry.example.com/edge-monitor:1.5.0\n');
    expect(text).toContain('store-003 (removed) [ring general, region eu-west]:\n');
    expect(text).toContain('  store-004 Deployment/edge-monitor: added (stores/store-004/workloads/edge-monitor.yaml)\n');
    expect(text).not.toContain('store-001');
    expect(text.trim().split('\n').pop()).toBe('3 of 4 stores changed (1 added, 1 removed; compared with HEAD); by ring: canary 0/1, general 3/3; by region: eu-west 3/4');
  });

  test('GIVEN a committed change on a branch WHEN diffed without --base THEN it compares with the merge base of main', () => {
    // GIVEN
    const repo = repoWith(BASE);
    git(repo, 'checkout', '-qb', 'promote');
    synthesize(NEXT(), { outdir: path.join(repo, 'dist') });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'promote');

    // WHEN
    const diff = diffDist({ dir: path.join(repo, 'dist') });

    // THEN
    expect(diff.base).toBe(git(repo, 'rev-parse', 'main').trim());
    expect(diff.stores.map((s) => s.store)).toEqual(['store-002', 'store-003', 'store-004']);
    expect(diffDist({ dir: path.join(repo, 'dist'), base: 'HEAD' }).stores).toEqual([]);
  });

  test('GIVEN a change WHEN written as Markdown THEN it is a pull-request comment with tables and folded stores', () => {
    const repo = repoWith(BASE);
    synthesize(NEXT(), { outdir: path.join(repo, 'dist') });
    const markdown = formatDiffMarkdown(diffDist({ dir: path.join(repo, 'dist') }));
    expect(markdown).toContain('### edgefleet diff: 3 of 4 stores changed\n');
    expect(markdown).toContain('| ring | changed | stores |\n|---|---:|---:|\n| canary | 0 | 1 |\n| general | 3 | 3 |\n');
    expect(markdown).toContain('<details><summary>store-002 [ring general, region eu-west]: 1 change</summary>\n\n```\nDeployment/edge-monitor spec.template.spec.containers[0].image: registry.example.com/edge-monitor:1.4.2 -> registry.example.com/edge-monitor:1.5.0\n```');
  });

  test('GIVEN a change touching more stores outside the first ring than --max-stores WHEN diffed THEN it fails naming them, unless overridden', () => {
    // GIVEN
    const repo = repoWith(BASE);
    synthesize(NEXT(), { outdir: path.join(repo, 'dist') });
    const run = (...extra: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = main(['diff', '--dir', path.join(repo, 'dist'), '--fleet', '/nonexistent.js', ...extra], { write: (s: string) => (stdout += s) }, { write: (s: string) => (stderr += s) });
      return { code, stdout, stderr };
    };

    // WHEN / THEN
    const refused = run('--max-stores', '1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('blast-radius guard: this change touches 2 existing stores outside the first ring, more than the 1 allowed: store-002 (general), store-003 (general).');
    expect(run('--max-stores', '1', '--allow-wide-change').code).toBe(0);
    expect(run('--max-stores', '2').code).toBe(0);
  });
});

describe('a promotion in the example fleet', () => {
  test('GIVEN the POS OS pin moved from canary to early WHEN synthesized THEN exactly the early stores change, and diff says so', () => {
    // GIVEN
    const rows = readStoreInventory(INVENTORY);
    const repo = repoWith(buildFleet(rows));
    const promoted = { ...RELEASES, posOs: { ...RELEASES.posOs, candidate: { version: '4.2.0', throughRing: 'early' } } };

    // WHEN
    const before = renderFleet(buildFleet(rows));
    const after = renderFleet(buildFleet(rows, promoted));
    synthesize(buildFleet(rows, promoted), { outdir: path.join(repo, 'dist') });
    const diff = diffDist({ dir: path.join(repo, 'dist') });

    // THEN
    const earlyStores = rows.filter((r) => r.values.ring === 'early').map((r) => r.values.id);
    const changed = [...after.keys()].filter((f) => after.get(f) !== before.get(f) && !isDerived(f));
    expect(new Set(changed.map((f) => f.split('/')[1]))).toEqual(new Set(earlyStores));
    expect(changed.every((f) => f.endsWith('/workloads/pos.yaml'))).toBe(true);
    expect(diff.stores.map((s) => s.store)).toEqual(earlyStores);
    expect(formatDiffText(diff).trim().split('\n').pop()).toMatch(/^20 of 100 stores changed \(0 added, 0 removed; compared with HEAD\); by ring: canary 0\/4, early 20\/20, general 0\/76; /);
    expect(fs.existsSync(path.join(repo, 'dist', 'stores', 'store-005'))).toBe(true);
  }, 60_000);
});
