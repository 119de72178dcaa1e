import { FleetReport, StoreReport, StoreSync, TreeSize } from './report-model';
import { SourceDownloads, sourceDownloads } from './sync-downloads';
import { SyncSource } from '../model/sync-policy';
import { LocalStorageDemand, ReservationItem, Resources, StorePlan } from '../planner/store-plan';
import { compareStrings } from '../util/compare-strings';

/** How many stores the "most loaded" table lists. */
const MOST_LOADED_COUNT = 10;

/** How many distinct messages each kind of warning shows, most frequent first. */
const EXAMPLE_MESSAGES = 5;

/** How many store ids a grouped row names before `…`. */
const EXAMPLE_STORES = 5;

const MIB = 2 ** 20;
const GIB = 2 ** 30;

/** The units of {@link formatSize}, largest first. */
const SIZE_UNITS: Array<[string, number]> = [
  ['TiB', 2 ** 40],
  ['GiB', GIB],
  ['MiB', MIB],
  ['KiB', 1024],
];

/** A utilization level: below 70 %, below 90 %, or 90 % and more. */
export type Level = 'green' | 'amber' | 'red';

/** A table cell: plain text, or a figure (or state) with its level. */
export type Cell = string | { readonly text: string; readonly level: Level };

/** A column of a report table. */
export interface Column {
  /** The header. */
  readonly title: string;
  /** Whether the column holds figures, aligned right. */
  readonly numeric?: boolean;
}

/** A table, independent of the output format. */
export interface ReportTable {
  /** The columns. */
  readonly columns: Column[];
  /** The rows, one cell per column. */
  readonly rows: Cell[][];
}

/** A titled part of the report, independent of the output format. */
export interface ReportSection {
  /** The heading. */
  readonly title: string;
  /** Heading depth: 2 for a section, 3 for a part of the section before it. */
  readonly depth: 2 | 3;
  /** Plain-text paragraphs under the heading. */
  readonly paragraphs: string[];
  /** The section's table, if any. */
  readonly table?: ReportTable;
  /** When set, the table is folded under this summary, for a table too long to show open. */
  readonly folded?: string;
}

/** One store's plan and the figures derived from it. */
export interface StoreFigures {
  /** The store's plan and sync state. */
  readonly plan: StoreReport;
  /** CPU utilization: requested / allocatable. */
  readonly cpu: number;
  /** Memory utilization: requested / allocatable. */
  readonly memory: number;
  /** The higher of the CPU and memory utilization. */
  readonly peak: number;
  /** Allocatable minus requested; negative when overcommitted. */
  readonly headroom: Resources;
  /** The letter of the store's reservation model. */
  readonly model: string;
}

/** A reservation breakdown shared by one or more stores. */
export interface ReservationModel {
  /** The model's letter: A for the most used, then B, ..., Z, AA, ... */
  readonly letter: string;
  /** The reservation items, as the first store (by id) lists them. */
  readonly items: ReservationItem[];
  /** The stores using it, by id. */
  readonly stores: string[];
}

/** A fleet report with its stores sorted by id and every figure the renderers show. */
export interface ReportFigures {
  /** The report rendered. */
  readonly report: FleetReport;
  /** Every store, by id. */
  readonly stores: StoreFigures[];
  /** The distinct reservation breakdowns, most used first. */
  readonly models: ReservationModel[];
}

/** Sorts the report's stores and derives utilization, headroom and reservation models. */
export function reportFigures(report: FleetReport): ReportFigures {
  const plans = [...report.stores].sort((a, b) => compareStrings(a.store, b.store));
  const models = reservationModels(plans);
  const modelOf = new Map(models.flatMap((m) => m.stores.map((s): [string, string] => [s, m.letter])));
  const stores = plans.map((plan): StoreFigures => {
    const cpu = utilization(plan.requested.cpuMillis, plan.allocatable.cpuMillis);
    const memory = utilization(plan.requested.memoryBytes, plan.allocatable.memoryBytes);
    return { plan, cpu, memory, peak: Math.max(cpu, memory), headroom: minus(plan.allocatable, plan.requested), model: modelOf.get(plan.store)! };
  });
  return { report, stores, models };
}

function reservationModels(plans: StorePlan[]): Array<ReservationModel> {
  const byKey = new Map<string, { items: ReservationItem[]; stores: string[] }>();
  for (const plan of plans) {
    const key = JSON.stringify(plan.reservations.map((r) => [r.item, r.source, r.cpuMillis, r.memoryBytes]));
    const model = byKey.get(key) ?? { items: plan.reservations, stores: [] };
    model.stores.push(plan.store);
    byKey.set(key, model);
  }
  return [...byKey.values()]
    .sort((a, b) => b.stores.length - a.stores.length || compareStrings(a.stores[0], b.stores[0]))
    .map((m, i) => ({ ...m, letter: modelLetter(i) }));
}

/** 0 -> A, 25 -> Z, 26 -> AA, like spreadsheet columns. */
function modelLetter(index: number): string {
  const prefix = index >= 26 ? modelLetter(Math.floor(index / 26) - 1) : '';
  return prefix + String.fromCharCode(65 + (index % 26));
}

/** Requested / allocatable; infinite when something is requested of nothing allocatable. */
function utilization(requested: number, allocatable: number): number {
  if (allocatable > 0) return requested / allocatable;
  return requested > 0 ? Infinity : 0;
}

/** The level of a utilization: green below 70 %, amber below 90 %, red from 90 %. */
export function levelOf(u: number): Level {
  return u >= 0.9 ? 'red' : u >= 0.7 ? 'amber' : 'green';
}

function sum(items: Resources[]): Resources {
  return { cpuMillis: items.reduce((n, r) => n + r.cpuMillis, 0), memoryBytes: items.reduce((n, r) => n + r.memoryBytes, 0) };
}

function minus(a: Resources, b: Resources): Resources {
  return { cpuMillis: a.cpuMillis - b.cpuMillis, memoryBytes: a.memoryBytes - b.memoryBytes };
}

/** `value` with `decimals` fixed decimals and `,` between thousands, the same on every machine. */
export function formatNumber(value: number, decimals = 0): string {
  const scale = 10 ** decimals;
  const scaled = Math.round(Math.abs(value) * scale);
  const whole = String(Math.floor(scaled / scale)).replace(/\B(?=(\d{3})+$)/g, ',');
  const fraction = decimals > 0 ? `.${String(scaled % scale).padStart(decimals, '0')}` : '';
  return `${value < 0 && scaled > 0 ? '-' : ''}${whole}${fraction}`;
}

/** Millicores as cores with 2 decimals, e.g. `2.50`. */
export function formatCores(millis: number): string {
  return formatNumber(millis / 1000, 2);
}

/** Bytes as GiB with 2 decimals, e.g. `5.25`. */
export function formatGiB(bytes: number): string {
  return formatNumber(bytes / GIB, 2);
}

/** Bytes as whole MiB, e.g. `1,588`. */
function formatMiB(bytes: number): string {
  return formatNumber(bytes / MIB);
}

/** A utilization as a percentage with 1 decimal, e.g. `75.0%`; `∞` when nothing is allocatable. */
export function formatPercent(u: number): string {
  return Number.isFinite(u) ? `${formatNumber(u * 100, 1)}%` : '∞';
}

/** `1 store`, `9,800 stores`. */
function countOf(n: number, noun: string): string {
  return `${formatNumber(n)} ${noun}${n === 1 ? '' : 's'}`;
}

function percentCell(u: number): Cell {
  return { text: formatPercent(u), level: levelOf(u) };
}

/** The text of a cell. */
export function cellText(cell: Cell): string {
  return typeof cell === 'string' ? cell : cell.text;
}

/** The first store ids, then `…` if there are more. */
function examples(stores: string[]): string {
  return stores.slice(0, EXAMPLE_STORES).join(', ') + (stores.length > EXAMPLE_STORES ? ', …' : '');
}

/** Fleet totals, sync and what the Flux stores download, VM restarts, the most loaded stores, waivers and warnings. */
export function summarySections(f: ReportFigures): ReportSection[] {
  return [
    totalsSection(f),
    syncSection(f),
    downloadsSection(f),
    vmRestartSection(f),
    mostLoadedSection(f),
    waiversSection(f),
    ...warningsSections(f),
  ].filter((s): s is ReportSection => s !== undefined);
}

/** `flux, every 5m`, or `flux, SUSPENDED` for a store that applies nothing. */
function syncText(sync: StoreSync): string {
  return `${sync.agent}, ${sync.autoSync ? `every ${sync.interval}` : 'SUSPENDED'}`;
}

/** A store's sync as a cell: suspended stores stand out. */
function syncCell(sync: StoreSync): Cell {
  return sync.autoSync ? syncText(sync) : { text: syncText(sync), level: 'amber' };
}

/** How the stores follow Git: per agent and interval, and every suspended store by name. */
function syncSection(f: ReportFigures): ReportSection {
  const suspended = f.stores.filter((s) => !s.plan.sync.autoSync);
  const groups = new Map<string, { agent: string; interval: string; stores: string[] }>();
  for (const { plan } of f.stores) {
    const key = `${plan.sync.agent} ${plan.sync.interval}`;
    const group = groups.get(key) ?? { agent: plan.sync.agent, interval: plan.sync.interval, stores: [] };
    group.stores.push(plan.store);
    groups.set(key, group);
  }
  const rows = [...groups.values()].sort((a, b) => compareStrings(a.agent, b.agent) || compareStrings(a.interval, b.interval));
  return {
    title: 'Sync',
    depth: 2,
    paragraphs: [
      suspended.length === 0
        ? 'Every store applies what Git says (no store is suspended).'
        : `${countOf(suspended.length, 'store')} suspended (autoSync false: running what they have, applying no change from Git): ` +
          `${suspended.map((s) => s.plan.store).join(', ')}.`,
    ],
    table: {
      columns: [
        { title: 'agent' },
        { title: 'polls every' },
        { title: 'stores', numeric: true },
        { title: 'suspended', numeric: true },
        { title: 'first stores' },
      ],
      rows: rows.map((g) => {
        const paused = g.stores.filter((id) => suspended.some((s) => s.plan.store === id)).length;
        return [
          g.agent,
          g.interval,
          formatNumber(g.stores.length),
          paused ? { text: formatNumber(paused), level: 'amber' } : '0',
          examples(g.stores),
        ];
      }),
    },
  };
}

/**
 * When the stores' VMs run what Git says: a new POS OS image reaches a running VM only at its restart
 * (KubeVirt sets RestartRequired and keeps the old template), so per restart policy and boot images, the
 * stores that get it and when. Omitted when no store runs a VM.
 */
function vmRestartSection(f: ReportFigures): ReportSection | undefined {
  const groups = groupBy(
    f.stores.filter((s) => s.plan.vmRestart),
    (s) => `${s.plan.vmRestart!.images.join(' ')}\n${s.plan.vmRestart!.when}`,
  );
  if (groups.length === 0) return undefined;
  const rows = groups
    .map((g) => ({ ...g.items[0].plan.vmRestart!, stores: g.items.map((s) => s.plan.store) }))
    .sort((a, b) => compareStrings(a.images.join(' '), b.images.join(' ')) || compareStrings(a.when, b.when));
  return {
    title: 'VM restarts',
    depth: 2,
    paragraphs: [
      'A running VM boots a new POS OS image (or any change KubeVirt applies only at boot) at its next restart: KubeVirt marks it ' +
        'RestartRequired and keeps it on what it started with. Each store restarts such VMs itself, with the WAN down too, once its ' +
        "agent has applied the commit: in its maintenance window (its vm-restarter CronJob, in the store's time zone), within minutes, " +
        'or by hand. A store whose VMs boot what they already run restarts nothing.',
    ],
    table: {
      columns: [{ title: 'VMs boot (in Git)' }, { title: 'restarted' }, { title: 'stores', numeric: true }, { title: 'first stores' }],
      rows: rows.map((r) => [r.images.join(', '), r.when, formatNumber(r.stores.length), examples(r.stores)]),
    },
  };
}

/** Bytes with two significant digits, e.g. `15 KiB`, `1.6 MiB`, `2.1 GiB`. */
function formatSize(bytes: number): string {
  const [unit, scale] = SIZE_UNITS.find(([, s]) => bytes >= s) ?? ['bytes', 1];
  const size = bytes / scale;
  return `${formatNumber(Number(size.toPrecision(2)), size < 10 && unit !== 'bytes' ? 1 : 0)} ${unit}`;
}

/** A size, or `unknown` when the report has none. */
function sizeCell(bytes: number | undefined): string {
  return bytes === undefined ? 'unknown' : formatSize(bytes);
}

/**
 * What the Flux stores download, per sync source, at the fleet's size: per store and for the fleet,
 * for idle polls and for releases. Omitted when no Flux store has a source.
 */
function downloadsSection(f: ReportFigures): ReportSection | undefined {
  const plans = f.stores.map((s) => s.plan);
  const sources = sourceDownloads(plans, f.report.tree);
  if (sources.length === 0) return undefined;
  const onFleet = plans.filter((p) => p.sync.agent === 'fleet').length;
  const storeBranches = sources.find((d) => d.source === 'store-branch');
  const sentences: Record<SyncSource, (d: SourceDownloads) => string> = {
    main: () => mainSentence(f.report.tree, storeBranches),
    'store-branch': storeBranchSentence,
    oci: ociSentence,
  };
  return {
    title: 'What the Flux stores download',
    depth: 3,
    paragraphs: [
      "Per sync.source, at this fleet's size. Per store: an idle poll (one that finds nothing new); the poll that finds a release of its " +
        'own folders, the same as at a fleet-wide release (for the median store); the poll that finds a release of another store only. For ' +
        'the fleet: a day of idle polls, each store at its own interval (86,400 / interval in seconds a day), and one fleet-wide release. ' +
        'Releases are counted per release, since the report does not know how many a day there are, and their files before compression.',
      ...sources.map((d) => sentences[d.source](d)),
      ...(onFleet > 0 ? [`Rancher Fleet stores (${formatNumber(onFleet)}) are not in the table: their bundles come from the Fleet manager.`] : []),
    ],
    table: {
      columns: [
        { title: 'sync.source' },
        { title: 'Flux stores', numeric: true },
        { title: 'per store: idle poll', numeric: true },
        { title: 'per store: its own or a fleet-wide release', numeric: true },
        { title: "per store: another store's release", numeric: true },
        { title: 'fleet: idle polls a day', numeric: true },
        { title: 'fleet: a fleet-wide release', numeric: true },
      ],
      rows: sources.map((d) => [
        d.source,
        formatNumber(d.stores.length),
        formatSize(d.idlePoll),
        sizeCell(d.ownRelease),
        sizeCell(d.anotherRelease),
        formatSize(d.idlePerDay),
        sizeCell(d.fleetWideRelease),
      ]),
    },
  };
}

/**
 * What drives the downloads of the stores on the fleet's branch; `storeBranches`, the stores on
 * their own branch, whose branches such a store also lists while they live in the fleet's repository.
 */
function mainSentence(tree: TreeSize | undefined, storeBranches: SourceDownloads | undefined): string {
  const whole = tree
    ? `, of which the synthesized tree alone, which the table counts, is ${formatNumber(tree.files)} files, ${formatSize(tree.bytes)} ` +
      "before Git's compression"
    : '';
  const listing = storeBranches
    ? `, and the store branches too (${formatSize(storeBranches.idlePoll)} more, which the table leaves out) unless ` +
      'repository.storeBranchesUrl keeps them in a repository of their own'
    : '';
  return (
    '"main", the fleet\'s branch: every commit to it, whatever store it changes, makes every store on it download the whole repository at ' +
    `that commit${whole}; each keeps only its own two folders in its artifact. An idle poll lists a handful of refs${listing}.`
  );
}

/** What drives the downloads of the stores on their own branch. */
function storeBranchSentence(d: SourceDownloads): string {
  const own = d.ownFiles ? ` (${medianFolders(d.ownFiles)}, before Git's compression)` : '';
  const branches = `${formatNumber(d.stores.length)} store branch${d.stores.length === 1 ? '' : 'es'}`;
  return (
    '"store-branch", the store\'s own branch written by edgefleet publish: a release downloads a store\'s two folders only when they ' +
    `change, and nothing else${own}. Every poll lists every branch of the repository that holds them, whether or not anything changed, ` +
    `since Flux's Git client speaks protocol v0: ${formatSize(d.idlePoll)} for ${branches}, growing with every store on its own branch.`
  );
}

/** What drives the downloads of the stores on OCI. */
function ociSentence(d: SourceDownloads): string {
  const own = d.ownFiles ? ` (at most their size before compression: ${medianFolders(d.ownFiles)})` : '';
  return (
    '"oci", the store\'s own signed OCI artifact in its own repository under ociArtifacts.url, written by edgefleet publish --oci: an ' +
    "idle poll is one manifest request to that repository, the same whatever the fleet's size; a release of the store downloads its " +
    `artifact, a gzipped tarball of its two folders${own}, and a release of another store nothing.`
  );
}

/** `16 files, 15 KiB for the median store`. */
function medianFolders(size: TreeSize): string {
  return `${formatNumber(size.files)} files, ${formatSize(size.bytes)} for the median store`;
}

function totalsSection(f: ReportFigures): ReportSection {
  const plans = f.stores.map((s) => s.plan);
  const capacity = sum(plans.map((p) => p.capacity));
  const reserved = sum(plans.flatMap((p) => p.reservations));
  const allocatable = sum(plans.map((p) => p.allocatable));
  const requested = sum(plans.map((p) => p.requested));
  const atLevel = (level: Level) => f.stores.filter((s) => levelOf(s.peak) === level).length;
  const workloads = plans.flatMap((p) => p.workloads);
  const scaledToZero = workloads.filter((w) => w.replicas === 0).length;
  const row = (name: string, r: Resources): Cell[] => [name, formatCores(r.cpuMillis), formatGiB(r.memoryBytes)];
  const scaled = scaledToZero ? ` (${formatNumber(scaledToZero)} scaled to zero)` : '';
  const vms = countOf(
    plans.reduce((n, p) => n + p.vms, 0),
    'VM',
  );
  return {
    title: 'Fleet totals',
    depth: 2,
    paragraphs: [
      `${countOf(plans.length, 'store')}, ${countOf(workloads.length, 'workload')}${scaled}, ${vms}.`,
      `Stores by utilization (the higher of CPU and memory): ${formatNumber(atLevel('red'))} at 90% or more, ${formatNumber(atLevel('amber'))} ` +
        `at 70% to 90%, ${formatNumber(atLevel('green'))} below 70%.`,
      ...savingParagraphs(plans),
    ],
    table: {
      columns: [{ title: '' }, { title: 'CPU (cores)', numeric: true }, { title: 'memory (GiB)', numeric: true }],
      rows: [
        row('capacity', capacity),
        row('reserved', reserved),
        row('allocatable', allocatable),
        row('requested', requested),
        [
          'utilization',
          percentCell(utilization(requested.cpuMillis, allocatable.cpuMillis)),
          percentCell(utilization(requested.memoryBytes, allocatable.memoryBytes)),
        ],
        row('headroom', minus(allocatable, requested)),
      ],
    },
  };
}

/** Per tuned reservation item, what it saves across the fleet against the component's default install. */
function savingParagraphs(plans: StorePlan[]): string[] {
  const byItem = new Map<string, { stores: number; saved: Resources }>();
  for (const r of plans.flatMap((p) => p.reservations)) {
    if (!r.savedAgainstDefault) continue;
    const entry = byItem.get(r.item) ?? { stores: 0, saved: { cpuMillis: 0, memoryBytes: 0 } };
    byItem.set(r.item, { stores: entry.stores + 1, saved: sum([entry.saved, r.savedAgainstDefault]) });
  }
  return [...byItem]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(
      ([item, { stores, saved }]) =>
        `${item} reserve ${formatMiB(saved.memoryBytes / stores)} MiB of memory and ${formatNumber(saved.cpuMillis / stores)}m of CPU less per ` +
        `store than the default install: ${formatGiB(saved.memoryBytes)} GiB and ${formatCores(saved.cpuMillis)} cores across ` +
        `${countOf(stores, 'store')}.`,
    );
}

function mostLoadedSection(f: ReportFigures): ReportSection {
  const top = [...f.stores].sort((a, b) => b.peak - a.peak || compareStrings(a.plan.store, b.plan.store)).slice(0, MOST_LOADED_COUNT);
  return {
    title: `${top.length} most loaded stores`,
    depth: 2,
    paragraphs: ['By the higher of CPU and memory utilization (requested / allocatable); headroom is allocatable minus requested.'],
    table: {
      columns: [
        { title: 'store' },
        { title: 'ring' },
        { title: 'region' },
        { title: 'CPU util', numeric: true },
        { title: 'memory util', numeric: true },
        { title: 'CPU headroom (cores)', numeric: true },
        { title: 'memory headroom (GiB)', numeric: true },
        { title: 'reservations' },
      ],
      rows: top.map((s) => [
        s.plan.store,
        s.plan.labels.ring ?? '',
        s.plan.labels.region ?? '',
        percentCell(s.cpu),
        percentCell(s.memory),
        formatCores(s.headroom.cpuMillis),
        formatGiB(s.headroom.memoryBytes),
        s.model,
      ]),
    },
  };
}

function waiversSection(f: ReportFigures): ReportSection {
  const waivers = [...f.report.waivers].sort(
    (a, b) => compareStrings(a.store, b.store) || compareStrings(a.object, b.object) || compareStrings(a.rule, b.rule),
  );
  return {
    title: `Waivers (${formatNumber(waivers.length)})`,
    depth: 2,
    paragraphs: waivers.length ? [] : ['No rule is waived.'],
    table: waivers.length
      ? {
          columns: [{ title: 'store' }, { title: 'rule' }, { title: 'object' }, { title: 'reason' }],
          rows: waivers.map((w) => [w.store, w.rule, w.object, w.reason]),
        }
      : undefined,
  };
}

/**
 * Warnings grouped by kind, most frequent kind first: an overview, then per kind its most frequent
 * distinct messages with the stores they occur in, so that hundreds of warnings of one kind never
 * bury a rare one.
 */
function warningsSections(f: ReportFigures): ReportSection[] {
  const warnings = f.report.warnings;
  const stores = new Set(warnings.map((w) => w.store));
  const title = `Warnings (${formatNumber(warnings.length)}${warnings.length ? ` in ${countOf(stores.size, 'store')}` : ''})`;
  if (warnings.length === 0) return [{ title, depth: 2, paragraphs: ['No warnings.'] }];
  const kinds = groupBy(warnings, (w) => w.kind).sort((a, b) => b.items.length - a.items.length || compareStrings(a.key, b.key));
  const overview: ReportSection = {
    title,
    depth: 2,
    paragraphs: ['By kind, most frequent first; each kind lists its most frequent messages.'],
    table: {
      columns: [
        { title: 'kind' },
        { title: 'warnings', numeric: true },
        { title: 'stores', numeric: true },
        { title: 'distinct messages', numeric: true },
      ],
      rows: kinds.map((k) => [
        k.key,
        formatNumber(k.items.length),
        formatNumber(new Set(k.items.map((w) => w.store)).size),
        formatNumber(new Set(k.items.map((w) => w.message)).size),
      ]),
    },
  };
  return [
    overview,
    ...kinds.map((k): ReportSection => {
      const messages = groupBy(k.items, (w) => w.message).sort((a, b) => b.items.length - a.items.length || compareStrings(a.key, b.key));
      const more = messages.length - EXAMPLE_MESSAGES;
      return {
        title: `${k.key}: ${formatNumber(k.items.length)} in ${countOf(new Set(k.items.map((w) => w.store)).size, 'store')}`,
        depth: 3,
        paragraphs: more > 0 ? [`The ${EXAMPLE_MESSAGES} most frequent of ${formatNumber(messages.length)} distinct messages.`] : [],
        table: {
          columns: [{ title: 'stores', numeric: true }, { title: 'message' }, { title: 'objects' }, { title: 'in stores' }],
          rows: messages.slice(0, EXAMPLE_MESSAGES).map((m) => {
            const ids = [...new Set(m.items.map((w) => w.store))].sort(compareStrings);
            return [formatNumber(ids.length), m.key, examples([...new Set(m.items.map((w) => w.object))].sort(compareStrings)), examples(ids)];
          }),
        },
      };
    }),
  ];
}

/** `items` grouped by `keyOf`, each group in the order of `items`. */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Array<{ key: string; items: T[] }> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups].map(([key, grouped]) => ({ key, items: grouped }));
}

/** The reservation models: each distinct breakdown once, item by item with its source. */
export function reservationSections(f: ReportFigures): ReportSection[] {
  const intro: ReportSection = {
    title: 'Reservation models',
    depth: 2,
    paragraphs: [
      'What each node reserves for the system before any workload (capacity minus allocatable). Stores with an identical breakdown share a ' +
        "model; the store table names each store's model.",
    ],
  };
  return [
    intro,
    ...f.models.map((m): ReportSection => {
      const row = (name: string, r: Resources, source: string): Cell[] => [name, formatNumber(r.cpuMillis), formatMiB(r.memoryBytes), source];
      return {
        title: `Reservation model ${m.letter} (used by ${countOf(m.stores.length, 'store')})`,
        depth: 3,
        paragraphs: [`Stores: ${examples(m.stores)}`],
        table: {
          columns: [{ title: 'item' }, { title: 'CPU (millicores)', numeric: true }, { title: 'memory (MiB)', numeric: true }, { title: 'source' }],
          rows: [...m.items.map((i) => row(i.item, i, i.source)), row('total', sum(m.items), '')],
        },
      };
    }),
  ];
}

/** One row per store, by id: requested against allocatable, utilization, headroom, reservation model. */
export function storeSection(f: ReportFigures): ReportSection {
  return {
    title: 'Stores',
    depth: 2,
    paragraphs: ['Utilization is requested / allocatable; headroom is allocatable minus requested, negative when overcommitted.'],
    folded: `Every store (${countOf(f.stores.length, 'row')})`,
    table: {
      columns: [
        { title: 'store' },
        { title: 'ring' },
        { title: 'region' },
        { title: 'sync' },
        { title: 'CPU req / alloc (cores)', numeric: true },
        { title: 'CPU util', numeric: true },
        { title: 'memory req / alloc (GiB)', numeric: true },
        { title: 'memory util', numeric: true },
        { title: 'CPU headroom (cores)', numeric: true },
        { title: 'memory headroom (GiB)', numeric: true },
        { title: 'local disk steady / release peak (GiB)', numeric: true },
        { title: 'reservations' },
      ],
      rows: f.stores.map(({ plan, cpu, memory, headroom, model }) => [
        plan.store,
        plan.labels.ring ?? '',
        plan.labels.region ?? '',
        syncCell(plan.sync),
        `${formatCores(plan.requested.cpuMillis)} / ${formatCores(plan.allocatable.cpuMillis)}`,
        percentCell(cpu),
        `${formatGiB(plan.requested.memoryBytes)} / ${formatGiB(plan.allocatable.memoryBytes)}`,
        percentCell(memory),
        formatCores(headroom.cpuMillis),
        formatGiB(headroom.memoryBytes),
        localDiskCell(plan.localStorage),
        model,
      ]),
    },
  };
}

/** A store's local disk use, steady and while a POS OS release is imported, and the node's room when its profile says. */
function localDiskCell({ steadyBytes, peakBytes, capacityBytes }: LocalStorageDemand): string {
  const use = `${formatGiB(steadyBytes)} / ${formatGiB(peakBytes)}`;
  return capacityBytes === undefined ? use : `${use} of ${formatGiB(capacityBytes)}`;
}
