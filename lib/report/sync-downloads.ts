import { OCI_IDLE_POLL_BYTES } from './oci-poll-cost';
import { StoreReport, TreeSize } from './report-model';
import { storeBranch } from '../model/dist-layout';
import { SyncSource } from '../model/sync-policy';
import { durationSeconds } from '../prop-checks/checks';

const SECONDS_PER_DAY = 86_400;

/**
 * Bytes a store on the fleet's branch downloads at a poll that finds nothing new: the ref listing of a
 * repository with a handful of refs. Measured by `npm run bench:downloads` (go-git's protocol v0 over
 * smart HTTP): 0.4 KiB, at 100 and at 10,000 stores; see docs/store-branches-and-publish.md, "What a
 * store downloads, measured".
 */
const MAIN_IDLE_POLL_BYTES = 400;

/** No file at all. */
const NOTHING: TreeSize = { files: 0, bytes: 0 };

/** What the stores of one sync source download at a poll, and for a release, after the poll that finds it. */
interface DownloadModel {
  /** Bytes each store downloads at a poll that finds nothing new, given every store on the source. */
  readonly idlePoll: (stores: StoreReport[]) => number;
  /** Files a store downloads for a release that changes its own folders; undefined when their size is unknown. */
  readonly ownRelease: (store: StoreReport, tree: TreeSize | undefined) => TreeSize | undefined;
  /** Files a store downloads for a release that changes only another store's folders; undefined when their size is unknown. */
  readonly anotherRelease: (tree: TreeSize | undefined) => TreeSize | undefined;
}

/** Per sync source, in the order the report shows them, where its downloads come from. */
const DOWNLOAD_MODELS: Record<SyncSource, DownloadModel> = {
  // Every commit to the fleet's branch is a new revision for every store on it, which downloads the
  // whole repository at that commit (a shallow clone). The report knows the synthesized tree before
  // Git's compression (the repository also holds the fleet's definitions): that is what it counts.
  main: { idlePoll: () => MAIN_IDLE_POLL_BYTES, ownRelease: (_, tree) => tree, anotherRelease: (tree) => tree },
  // go-git speaks protocol v0: every poll lists every branch of the repository that holds the store
  // branches (refListingBytes each). A new revision of the store's own branch brings its two folders.
  'store-branch': {
    idlePoll: (stores) => sum(stores.map((s) => refListingBytes(s.store))),
    ownRelease: (store) => store.folders,
    anotherRelease: () => NOTHING,
  },
  // Each store polls its own repository of the registry (OCI_IDLE_POLL_BYTES, measured). A release of
  // the store brings its artifact, a gzipped tarball of its two folders: at most their size.
  oci: { idlePoll: () => OCI_IDLE_POLL_BYTES, ownRelease: (store) => store.folders, anotherRelease: () => NOTHING },
};

/** What the Flux stores of one sync source download, at the fleet's size. File sizes are before compression. */
export interface SourceDownloads {
  /** The sync source. */
  readonly source: SyncSource;
  /** Its stores, in the report's order. */
  readonly stores: StoreReport[];
  /** Bytes a store downloads at a poll that finds nothing new. */
  readonly idlePoll: number;
  /** Bytes the source's stores download in a day of polls that find nothing new, each store at its own interval. */
  readonly idlePerDay: number;
  /** The files that the median store downloads for a release of its own. @default - a size is unknown */
  readonly ownFiles?: TreeSize;
  /**
   * Bytes the median store downloads at the poll that finds a release of its own (or a fleet-wide one): the poll, then its files.
   * @default - a size is unknown
   */
  readonly ownRelease?: number;
  /** Bytes a store downloads at the poll that finds a release of another store only. @default - a size is unknown */
  readonly anotherRelease?: number;
  /** Bytes the source's stores download for a fleet-wide release: each its poll, then its own files. @default - a size is unknown */
  readonly fleetWideRelease?: number;
}

/**
 * What the Flux stores download, per sync source that at least one of them uses: `main`, then
 * `store-branch`, then `oci`. Stores without a source (Rancher Fleet's) are left out. `tree` is the
 * whole synthesized tree.
 */
export function sourceDownloads(stores: StoreReport[], tree: TreeSize | undefined): SourceDownloads[] {
  return (Object.keys(DOWNLOAD_MODELS) as SyncSource[])
    .map((source) =>
      downloadsOf(
        source,
        stores.filter((s) => s.sync.source === source),
        tree,
      ),
    )
    .filter((d): d is SourceDownloads => d !== undefined);
}

/** What `stores`, all on `source`, download; undefined when there are none. */
function downloadsOf(source: SyncSource, stores: StoreReport[], tree: TreeSize | undefined): SourceDownloads | undefined {
  if (stores.length === 0) return undefined;
  const model = DOWNLOAD_MODELS[source];
  const idlePoll = model.idlePoll(stores);
  const own = allKnown(stores.map((s) => model.ownRelease(s, tree)));
  const another = model.anotherRelease(tree);
  const ownFiles = own && medianBySize(own);
  return {
    source,
    stores,
    idlePoll,
    idlePerDay: sum(stores.map((s) => pollsPerDay(s.sync.interval) * idlePoll)),
    ownFiles,
    ownRelease: ownFiles && idlePoll + ownFiles.bytes,
    anotherRelease: another && idlePoll + another.bytes,
    fleetWideRelease: own && sum(own.map((files) => idlePoll + files.bytes)),
  };
}

/** Bytes of one ref of a store branch in the ref listing that Flux's Git client (go-git, protocol v0) downloads at every poll. */
function refListingBytes(store: string): number {
  return 4 + 40 + 1 + `refs/heads/${storeBranch(store)}`.length + 1;
}

/** How many times a day a store polls at `interval`, a Go duration. */
function pollsPerDay(interval: string): number {
  return SECONDS_PER_DAY / durationSeconds(interval);
}

/** `sizes`, or undefined when one of them is unknown. */
function allKnown(sizes: Array<TreeSize | undefined>): TreeSize[] | undefined {
  return sizes.every((s) => s !== undefined) ? (sizes as TreeSize[]) : undefined;
}

/** The size of the median bytes (the lower middle one for an even count). */
function medianBySize(sizes: TreeSize[]): TreeSize {
  return [...sizes].sort((a, b) => a.bytes - b.bytes)[Math.floor((sizes.length - 1) / 2)];
}

function sum(values: number[]): number {
  return values.reduce((n, v) => n + v, 0);
}
