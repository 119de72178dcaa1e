import { generatedReport } from '../../bench/report-screenshot';
import { ReservationItem, Resources } from '../../lib/planner/store-plan';
import { renderReportHtml } from '../../lib/report/render-report-html';
import { renderReportMarkdown } from '../../lib/report/render-report-markdown';
import { FleetReport, ReportWarning, StoreReport, StoreSync } from '../../lib/report/report-model';

const MIB = 2 ** 20;
const GIB = 2 ** 30;

const K3S: ReservationItem = { item: 'K3s server', cpuMillis: 500, memoryBytes: 1588 * MIB, source: 'https://docs.k3s.io/installation/requirements' };
const KUBEVIRT: ReservationItem = {
  item: 'KubeVirt components',
  cpuMillis: 300,
  memoryBytes: 640 * MIB,
  source: 'kubevirt/kubevirt virt-handler requests',
};
const WASM: ReservationItem = { item: 'WasmEdge shim', cpuMillis: 50, memoryBytes: 64 * MIB, source: 'containerd/runwasi README' };

const FLUX: StoreSync = { agent: 'flux', autoSync: true, interval: '5m' };

/** A store plan whose capacity is `allocatable` plus its reservations, running one POS VM (and a monitor). */
function storePlan(store: string, requested: Resources, allocatable: Resources, reservations = [K3S, KUBEVIRT], sync = FLUX): StoreReport {
  const reserved = (key: keyof Resources) => reservations.reduce((n, r) => n + r[key], 0);
  return {
    store,
    labels: { region: 'eu-west', ring: store === 'store-002' ? 'canary' : 'general' },
    capacity: { cpuMillis: allocatable.cpuMillis + reserved('cpuMillis'), memoryBytes: allocatable.memoryBytes + reserved('memoryBytes') },
    reservations,
    allocatable,
    workloads:
      store === 'store-003'
        ? [{ name: 'edge-monitor', kind: 'Deployment', ...requested }]
        : [
            { name: 'pos', kind: 'VirtualMachine', cpuMillis: requested.cpuMillis - 100, memoryBytes: requested.memoryBytes - 128 * MIB },
            { name: 'edge-monitor', kind: 'Deployment', cpuMillis: 100, memoryBytes: 128 * MIB },
          ],
    requested,
    vms: store === 'store-003' ? 0 : 1,
    localStorage:
      store === 'store-003'
        ? { steadyBytes: 0, peakBytes: 0 }
        : { steadyBytes: 45 * 1024 * MIB, peakBytes: 65 * 1024 * MIB, capacityBytes: 128 * 1024 * MIB },
    sync,
  };
}

/**
 * Three stores: store-001 at 75% memory (3 of 4 GiB), store-002 at 95% CPU, store-003 at 25% with an
 * extra reservation item; one waiver whose reason holds markup.
 */
function threeStores(warnings: ReportWarning[] = []): FleetReport {
  return {
    stores: [
      storePlan('store-001', { cpuMillis: 1500, memoryBytes: 3 * GIB }, { cpuMillis: 4000, memoryBytes: 4 * GIB }),
      storePlan('store-002', { cpuMillis: 3800, memoryBytes: 1 * GIB }, { cpuMillis: 4000, memoryBytes: 4 * GIB }),
      storePlan('store-003', { cpuMillis: 500, memoryBytes: 2 * GIB }, { cpuMillis: 4000, memoryBytes: 8 * GIB }, [K3S, KUBEVIRT, WASM]),
    ],
    waivers: [
      { store: 'store-002', rule: 'pinned-image', object: 'Deployment/legacy-app', reason: 'vendor <script>alert("x")</script> build & no digest' },
    ],
    warnings,
  };
}

/**
 * Five stores: store-001 and store-002 on their own branch (16 and 17 files, 15,400 and 16,900 bytes), store-003 on main, store-004 on
 * OCI polling every 15 minutes (14 files, 12,000 bytes), store-005 on Rancher Fleet; the synthesized tree is 1,563 files, 1,700,000 bytes.
 */
function storesOnEverySource(): FleetReport {
  const report = threeStores();
  const on = (s: StoreReport, sync: StoreSync, files: number, bytes: number): StoreReport => ({ ...s, sync, folders: { files, bytes } });
  const plan = (store: string) => storePlan(store, { cpuMillis: 500, memoryBytes: 1 * GIB }, { cpuMillis: 4000, memoryBytes: 4 * GIB });
  return {
    ...report,
    stores: [
      on(report.stores[0], { ...FLUX, source: 'store-branch' }, 16, 15_400),
      on(report.stores[1], { ...FLUX, source: 'store-branch' }, 17, 16_900),
      on(report.stores[2], { ...FLUX, source: 'main' }, 16, 15_000),
      on(plan('store-004'), { ...FLUX, source: 'oci', interval: '15m' }, 14, 12_000),
      on(plan('store-005'), { agent: 'fleet', autoSync: true, interval: '5m' }, 15, 14_000),
    ],
    tree: { files: 1563, bytes: 1_700_000 },
  };
}

/** The lines of a Markdown section, from its heading to the next heading of any depth. */
function sectionOf(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`no heading "${heading}" in:\n${markdown}`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('#'));
  return lines.slice(start, end < 0 ? undefined : end);
}

/** The first cell of each table row of a section. */
function firstCells(section: string[]): string[] {
  return section.filter((l) => /^\| store-/.test(l)).map((l) => l.split(' | ')[0].slice(2));
}

describe('renderReportMarkdown', () => {
  test('GIVEN three stores WHEN rendered THEN the fleet totals add up stores, workloads, VMs, requested and allocatable', () => {
    // WHEN
    const markdown = renderReportMarkdown(threeStores());

    // THEN
    const totals = sectionOf(markdown, '## Fleet totals');
    expect(totals).toContain('3 stores, 5 workloads, 2 VMs.');
    expect(totals).toContain('Stores by utilization (the higher of CPU and memory): 1 at 90% or more, 1 at 70% to 90%, 1 below 70%.');
    expect(totals).toContain('| allocatable | 12.00 | 16.00 |');
    expect(totals).toContain('| requested | 5.80 | 6.00 |');
    expect(totals).toContain('| utilization | 48.3% | 37.5% |');
    expect(totals).toContain('| headroom | 6.20 | 10.00 |');
  });

  test('GIVEN three stores WHEN rendered THEN the most loaded come first, by the higher of CPU and memory utilization', () => {
    // WHEN
    const markdown = renderReportMarkdown(threeStores());

    // THEN
    expect(firstCells(sectionOf(markdown, '## 3 most loaded stores'))).toEqual(['store-002', 'store-001', 'store-003']);
  });

  test('GIVEN 3 GiB requested of 4 GiB allocatable WHEN rendered THEN the store row shows 75% and 1 GiB headroom', () => {
    // WHEN
    const markdown = renderReportMarkdown(threeStores());

    // THEN
    expect(markdown).toContain(
      '| store-001 | general | eu-west | flux, every 5m | 1.50 / 4.00 | 37.5% | 3.00 / 4.00 | 75.0% | 2.50 | 1.00 | ' +
        '45.00 / 65.00 of 128.00 | A |',
    );
  });

  test('GIVEN an overcommitted store WHEN rendered THEN its utilization is above 100% and its headroom negative', () => {
    // GIVEN
    const report: FleetReport = {
      stores: [storePlan('store-001', { cpuMillis: 1000, memoryBytes: 4.5 * GIB }, { cpuMillis: 4000, memoryBytes: 4 * GIB })],
      waivers: [],
      warnings: [],
    };

    // WHEN
    const markdown = renderReportMarkdown(report);

    // THEN
    expect(markdown).toContain(
      '| store-001 | general | eu-west | flux, every 5m | 1.00 / 4.00 | 25.0% | 4.50 / 4.00 | 112.5% | 3.00 | -0.50 | ' +
        '45.00 / 65.00 of 128.00 | A |',
    );
  });

  test('GIVEN a waiver WHEN rendered THEN its rule, object and reason are in the waiver table, markup escaped', () => {
    // WHEN
    const markdown = renderReportMarkdown(threeStores());

    // THEN
    expect(sectionOf(markdown, '## Waivers (1)')).toContain(
      '| store-002 | pinned-image | Deployment/legacy-app | vendor &lt;script&gt;alert("x")&lt;/script&gt; build &amp; no digest |',
    );
  });

  test(
    'GIVEN two stores with an identical reservation breakdown WHEN rendered THEN the breakdown is shown once, with sources, and rows name their ' +
      'model',
    () => {
      // WHEN
      const markdown = renderReportMarkdown(threeStores());

      // THEN
      const modelA = sectionOf(markdown, '### Reservation model A (used by 2 stores)');
      expect(modelA).toContain('Stores: store-001, store-002');
      expect(modelA).toContain('| K3s server | 500 | 1,588 | https://docs.k3s.io/installation/requirements |');
      expect(modelA).toContain('| total | 800 | 2,228 |  |');
      expect(sectionOf(markdown, '### Reservation model B (used by 1 store)')).toContain('| WasmEdge shim | 50 | 64 | containerd/runwasi README |');
      expect(markdown.split('| K3s server |')).toHaveLength(3);
      expect(markdown).toMatch(/\| store-003 \|.*\| B \|$/m);
    },
  );

  test(
    'GIVEN 438 identical warnings of one kind and one of another WHEN rendered THEN each kind is a line of the overview and has its own ' +
      'examples',
    () => {
      // GIVEN
      const noDigest = (n: number, image: string): ReportWarning => ({
        store: `store-${String(n).padStart(3, '0')}`,
        object: 'Deployment/edge-monitor',
        kind: 'image without digest',
        message: `image "${image}" has a tag but no digest`,
      });
      const warnings = [
        ...Array.from({ length: 438 }, (_, i) => noDigest(i + 1, 'edge-monitor:1.4.2')),
        ...Array.from({ length: 6 }, (_, i) => noDigest(i + 1, `tool-${i}:1.0`)),
        {
          store: 'store-002',
          object: 'Deployment/legacy-app',
          kind: 'unneeded waiver',
          message: 'waiver of "pinned-image" is not needed (nothing breaks the rule): remove it',
        },
      ];

      // WHEN
      const markdown = renderReportMarkdown(threeStores(warnings));

      // THEN
      expect(sectionOf(markdown, '## Warnings (445 in 438 stores)')).toEqual([
        '## Warnings (445 in 438 stores)',
        '',
        'By kind, most frequent first; each kind lists its most frequent messages.',
        '',
        '| kind | warnings | stores | distinct messages |',
        '|---|---:|---:|---:|',
        '| image without digest | 444 | 438 | 7 |',
        '| unneeded waiver | 1 | 1 | 1 |',
        '',
      ]);
      const noDigestSection = sectionOf(markdown, '### image without digest: 444 in 438 stores');
      expect(noDigestSection).toContain('The 5 most frequent of 7 distinct messages.');
      expect(noDigestSection).toContain(
        '| 438 | image "edge-monitor:1.4.2" has a tag but no digest | Deployment/edge-monitor | store-001, store-002, store-003, store-004, ' +
          'store-005, … |',
      );
      expect(noDigestSection.filter((l) => l.startsWith('| 1 |'))).toHaveLength(4);
      expect(sectionOf(markdown, '### unneeded waiver: 1 in 1 store')).toContain(
        '| 1 | waiver of "pinned-image" is not needed (nothing breaks the rule): remove it | Deployment/legacy-app | store-002 |',
      );
    },
  );

  test('GIVEN no warnings WHEN rendered THEN the report says so', () => {
    expect(sectionOf(renderReportMarkdown(threeStores()), '## Warnings (0)')).toContain('No warnings.');
  });

  test(
    'GIVEN Flux and Fleet stores, one suspended WHEN rendered THEN the sync section counts them and names the suspended store, and its row says ' +
      'so',
    () => {
      // GIVEN
      const report = threeStores();
      const stores = [report.stores[0], { ...report.stores[1], sync: { agent: 'fleet', autoSync: false, interval: '15m' } }, report.stores[2]];

      // WHEN
      const markdown = renderReportMarkdown({ ...report, stores });

      // THEN
      expect(sectionOf(markdown, '## Sync')).toEqual([
        '## Sync',
        '',
        '1 store suspended (autoSync false: running what they have, applying no change from Git): store-002.',
        '',
        '| agent | polls every | stores | suspended | first stores |',
        '|---|---|---:|---:|---|',
        '| fleet | 15m | 1 | 1 | store-002 |',
        '| flux | 5m | 2 | 0 | store-001, store-003 |',
        '',
      ]);
      expect(markdown).toMatch(/^\| store-002 \| canary \| eu-west \| fleet, SUSPENDED \|/m);
      const html = renderReportHtml({ ...report, stores });
      expect(html).toContain('<td class="a">fleet, SUSPENDED');
      expect(html).toContain('<span class="a">store-002 (suspended)</span>');
    },
  );

  test(
    'GIVEN Flux stores on main, on their own branch and on OCI, and a Fleet store WHEN rendered THEN a table gives, per source, what a store ' +
      'and the fleet download per idle poll and per release, and a sentence says what drives each cost',
    () => {
      // GIVEN
      const report = storesOnEverySource();

      // WHEN
      const downloads = sectionOf(renderReportMarkdown(report), '### What the Flux stores download');

      // THEN
      expect(downloads.filter((l) => l.startsWith('|'))).toEqual([
        "| sync.source | Flux stores | per store: idle poll | per store: its own or a fleet-wide release | per store: another store's release " +
          '| fleet: idle polls a day | fleet: a fleet-wide release |',
        '|---|---:|---:|---:|---:|---:|---:|',
        '| main | 1 | 400 bytes | 1.6 MiB | 1.6 MiB | 110 KiB | 1.6 MiB |',
        '| store-branch | 2 | 170 bytes | 15 KiB | 170 bytes | 93 KiB | 32 KiB |',
        '| oci | 1 | 1.5 KiB | 13 KiB | 1.5 KiB | 140 KiB | 13 KiB |',
      ]);
      expect(downloads).toContain(
        '"main", the fleet\'s branch: every commit to it, whatever store it changes, makes every store on it download the whole repository at ' +
          "that commit, of which the synthesized tree alone, which the table counts, is 1,563 files, 1.6 MiB before Git's compression; each " +
          'keeps only its own two folders in its artifact. An idle poll lists a handful of refs, and the store branches too (170 bytes more, ' +
          'which the table leaves out) unless repository.storeBranchesUrl keeps them in a repository of their own.',
      );
      expect(downloads).toContain(
        '"store-branch", the store\'s own branch written by edgefleet publish: a release downloads a store\'s two folders only when they ' +
          "change, and nothing else (16 files, 15 KiB for the median store, before Git's compression). Every poll lists every branch of the " +
          "repository that holds them, whether or not anything changed, since Flux's Git client speaks protocol v0: 170 bytes for 2 store " +
          'branches, growing with every store on its own branch.',
      );
      expect(downloads).toContain(
        '"oci", the store\'s own signed OCI artifact in its own repository under ociArtifacts.url, written by edgefleet publish --oci: an idle ' +
          "poll is one manifest request to that repository, the same whatever the fleet's size; a release of the store downloads its artifact, " +
          'a gzipped tarball of its two folders (at most their size before compression: 14 files, 12 KiB for the median store), and a release ' +
          'of another store nothing.',
      );
      expect(downloads).toContain('Rancher Fleet stores (1) are not in the table: their bundles come from the Fleet manager.');
    },
  );

  test('GIVEN Flux stores whose sizes the report does not know WHEN rendered THEN their release figures say unknown, not zero', () => {
    // GIVEN
    const report = threeStores();
    const stores = report.stores.map((s) => ({ ...s, sync: { ...FLUX, source: 'main' as const } }));

    // WHEN
    const downloads = sectionOf(renderReportMarkdown({ ...report, stores }), '### What the Flux stores download');

    // THEN
    expect(downloads).toContain('| main | 3 | 400 bytes | unknown | unknown | 340 KiB | unknown |');
  });

  test('GIVEN no Flux store with a source WHEN rendered THEN there is no download table', () => {
    expect(renderReportMarkdown(threeStores())).not.toContain('### What the Flux stores download');
  });

  test('GIVEN an app scaled to zero WHEN rendered THEN the totals count it as a workload scaled to zero', () => {
    const report = threeStores();
    const scaled = { ...report.stores[2], workloads: [{ name: 'edge-monitor', kind: 'Deployment', replicas: 0, cpuMillis: 0, memoryBytes: 0 }] };
    const markdown = renderReportMarkdown({ ...report, stores: [report.stores[0], report.stores[1], scaled] });
    expect(sectionOf(markdown, '## Fleet totals')).toContain('3 stores, 5 workloads (1 scaled to zero), 2 VMs.');
  });
});

describe('renderReportHtml', () => {
  test('GIVEN a waiver reason with a script tag WHEN rendered THEN it is escaped and the page has no script', () => {
    // WHEN
    const html = renderReportHtml(threeStores());

    // THEN
    expect(html).toContain('<td>vendor &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; build &amp; no digest');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)=/);
  });

  test('GIVEN Flux stores on every source WHEN rendered THEN what they download is a table under its own heading, its figures aligned right', () => {
    // WHEN
    const html = renderReportHtml(storesOnEverySource());

    // THEN
    expect(html).toContain('<h3>What the Flux stores download</h3>');
    expect(html).toContain('<th>sync.source</th><th class="n">Flux stores</th><th class="n">per store: idle poll</th>');
    expect(html).toContain(
      '<tr><td>store-branch<td class="n">2<td class="n">170 bytes<td class="n">15 KiB<td class="n">170 bytes<td class="n">93 KiB' +
        '<td class="n">32 KiB\n',
    );
  });

  test('GIVEN three stores WHEN rendered THEN each has a memory and a CPU bar, colored by level, its figures beside the bar, not on it', () => {
    // WHEN
    const html = renderReportHtml(threeStores());

    // THEN
    expect(html).toContain(
      '<span>store-001</span><div class="bar a"><i style="width:75.0%"></i></div><small>3.00 / 4.00 GiB · 75.0%</small>' +
        '<div class="bar g"><i style="width:37.5%"></i></div><small>1.50 / 4.00 cores · 37.5%</small>',
    );
    expect(html).toContain('<div class="bar r"><i style="width:95.0%"></i></div><small>3.80 / 4.00 cores · 95.0%</small>');
    expect(html).not.toMatch(/<div class="bar [gar]"><i [^>]*><\/i>[^<]/);
    expect(html).toContain('<details><summary>Every store (3 rows)</summary>');
  });

  test('GIVEN more than 500 stores WHEN rendered THEN the bars are a dense grid with a title per store', () => {
    // WHEN
    const html = renderReportHtml(generatedReport(1000));

    // THEN
    expect(html).not.toContain('class="bars"');
    expect(html.match(/<i class="[gar] h\d+" title="store-\d+( \(suspended\))?: (memory|CPU) /g)).toHaveLength(2000);
    expect(html).toContain('<div><b>store-0901</b>');
    expect(html).toContain('title="store-0097 (suspended): memory ');
  });
});

describe('both renderers', () => {
  test.each([
    ['Markdown', renderReportMarkdown],
    ['HTML', renderReportHtml],
  ])('GIVEN the same report, its stores in another order WHEN rendered as %s THEN the output is byte-identical', (_, render) => {
    // GIVEN
    const report = storesOnEverySource();
    const reversed = { ...report, stores: [...report.stores].reverse() };

    // WHEN
    const first = render(report);

    // THEN
    expect(render(report)).toBe(first);
    expect(render(reversed)).toBe(first);
  });

  test.each([
    ['Markdown', renderReportMarkdown, 3 * 2 ** 20],
    ['HTML', renderReportHtml, 5 * 2 ** 20],
  ])(
    'GIVEN 10,000 stores WHEN rendered as %s THEN it stays under its size bound (its time is measured by npm run bench:report)',
    (_, render, bound) => {
      // GIVEN
      const report = generatedReport(10000);

      // WHEN
      const output = render(report);

      // THEN
      expect(Buffer.byteLength(output)).toBeLessThan(bound);
    },
  );
});
