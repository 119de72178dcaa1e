import { EdgeStore, renderFleet } from '../../lib';
import { SyncSource } from '../../lib/model/sync-policy';
import { OCI_IDLE_POLL_BYTES } from '../../lib/report/oci-poll-cost';
import { StoreReport } from '../../lib/report/report-model';
import { sourceDownloads } from '../../lib/report/sync-downloads';
import { testFleet } from '../util';

/** A Flux store on `source`, polling at `interval`, whose two folders are `bytes` bytes; only what the download figures read. */
function fluxStore(store: string, source: SyncSource, interval: string, bytes: number): StoreReport {
  return { store, sync: { agent: 'flux', autoSync: true, interval, source }, folders: { files: 16, bytes } } as StoreReport;
}

describe('sourceDownloads', () => {
  test('GIVEN stores on OCI polling every 5 and 15 minutes WHEN computed THEN a day of idle polls is 288 and 96 manifest requests', () => {
    // GIVEN
    const stores = [fluxStore('store-001', 'oci', '5m', 15_000), fluxStore('store-002', 'oci', '15m', 20_000)];

    // WHEN
    const [oci] = sourceDownloads(stores, undefined);

    // THEN
    expect(oci).toMatchObject({
      source: 'oci',
      idlePoll: OCI_IDLE_POLL_BYTES,
      idlePerDay: (288 + 96) * OCI_IDLE_POLL_BYTES,
      ownFiles: { files: 16, bytes: 15_000 },
      ownRelease: OCI_IDLE_POLL_BYTES + 15_000,
      anotherRelease: OCI_IDLE_POLL_BYTES,
      fleetWideRelease: 2 * OCI_IDLE_POLL_BYTES + 35_000,
    });
  });

  test("GIVEN 100 stores instead of 1 WHEN computed THEN an OCI store's idle poll stays the same, a store branch's grows 100 times", () => {
    // GIVEN
    const fleetOf = (count: number, source: SyncSource) =>
      Array.from({ length: count }, (_, i) => fluxStore(`store-${String(i + 1).padStart(3, '0')}`, source, '5m', 15_000));

    // WHEN
    const idlePoll = (count: number, source: SyncSource) => sourceDownloads(fleetOf(count, source), undefined)[0].idlePoll;

    // THEN
    expect(idlePoll(100, 'oci')).toBe(idlePoll(1, 'oci'));
    expect(idlePoll(100, 'store-branch')).toBe(100 * idlePoll(1, 'store-branch'));
  });

  test('GIVEN stores on main WHEN computed THEN any release, of one store or of the fleet, downloads the synthesized tree to every store', () => {
    // GIVEN
    const stores = [fluxStore('store-001', 'main', '5m', 15_000), fluxStore('store-002', 'main', '5m', 15_000)];
    const tree = { files: 1563, bytes: 1_700_000 };

    // WHEN
    const [main] = sourceDownloads(stores, tree);

    // THEN
    expect(main).toMatchObject({
      ownFiles: tree,
      ownRelease: 400 + 1_700_000,
      anotherRelease: 400 + 1_700_000,
      fleetWideRelease: 2 * (400 + 1_700_000),
    });
  });
});

describe('the synthesized report', () => {
  test(
    'GIVEN a fleet with a store on each sync source and a Fleet store WHEN synthesized THEN both reports show a download row per source, ' +
      'each store sized by its folders',
    () => {
      // GIVEN
      const fleet = testFleet({ ociArtifacts: { url: 'oci://registry.example.com/edgefleet/stores' } });
      new EdgeStore(fleet, 'store-001', { sync: { source: 'main' } });
      new EdgeStore(fleet, 'store-002', { sync: { source: 'store-branch' } });
      new EdgeStore(fleet, 'store-003', { sync: { source: 'oci' } });
      new EdgeStore(fleet, 'store-004', { sync: { agent: 'fleet' } });

      // WHEN
      const files = renderFleet(fleet);

      // THEN
      const rows = files
        .get('REPORT.md')!
        .split('\n')
        .filter((l) => /^\| (main|store-branch|oci) \|/.test(l));
      expect(rows.map((r) => r.split(' | ').slice(0, 3))).toEqual([
        ['| main', '1', '400 bytes'],
        ['| store-branch', '1', '83 bytes'],
        ['| oci', '1', expect.stringMatching(/^[\d.]+ (bytes|KiB)$/)],
      ]);
      expect(rows.every((r) => !r.includes('unknown'))).toBe(true);
      expect(files.get('REPORT.md')).toContain('Rancher Fleet stores (1) are not in the table: their bundles come from the Fleet manager.');
      expect(files.get('report.html')).toContain('<tr><td>oci<td class="n">1<td class="n">');
    },
  );
});
