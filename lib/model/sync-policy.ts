import { IConstruct } from 'constructs';
import { checkDuration, checkOneOf } from '../prop-checks/checks';
import { overlay } from '../util/overlay';

/** The in-cluster agents a store can pull its folder with. */
export const SYNC_AGENTS = ['flux', 'fleet'] as const;

/** An in-cluster agent that pulls a store's folder: Flux, or Rancher Fleet's fleet-agent. */
export type SyncAgent = (typeof SYNC_AGENTS)[number];

/** Where a Flux store fetches from. */
export const SYNC_SOURCES = ['store-branch', 'main', 'oci'] as const;

/**
 * Where a Flux store fetches its folders from: `store-branch`, its own branch holding only its two
 * folders (`edgefleet/stores/<id>`, written by `edgefleet publish`), `main`, the fleet's branch
 * (`repository.branch`) with the whole repository, or `oci`, its own signed OCI artifact with its two
 * folders (written by `edgefleet publish --oci`).
 */
export type SyncSource = (typeof SYNC_SOURCES)[number];

/** How a store follows Git: the customer's `syncPolicy`. Set fleet-wide, override per store. */
export interface SyncPolicy {
  /** Apply what Git says. `false` suspends the store's Kustomizations; the store keeps what it runs. @default true */
  readonly autoSync?: boolean;
  /** How often the store polls Git and re-applies its folder, as a Go duration. @default '5m' */
  readonly interval?: string;
  /**
   * The agent that pulls the store's folder: `flux` (the store's own Flux reads `dist/clusters/<id>/`)
   * or `fleet` (Rancher Fleet's agent gets the store's bundle from the Fleet manager, which reads
   * `dist/fleet/`). The files in `dist/stores/<id>/` are the same for both.
   * @default 'flux'
   */
  readonly agent?: SyncAgent;
  /**
   * Where a Flux store fetches from. `'store-branch'`: its own branch, which `edgefleet publish`
   * (run by CI after each merge) keeps holding only the store's two folders, so that a store
   * downloads a release only when its own folders change, and only them. `'main'`: the fleet's
   * branch, so that every commit to it makes every store download the whole repository (the
   * GitRepository's `spec.ignore` then keeps the store's artifact to its own folders). `'oci'`: its
   * own repository of the fleet's `ociArtifacts` registry, which `edgefleet publish --oci` fills with
   * one signed artifact per release of the store's two folders: an idle poll is one manifest request,
   * whatever the fleet's size, and the store's credentials read only its own repository. Fleet stores
   * ignore it: Fleet's manager clones the repository centrally.
   * @default 'main'
   */
  readonly source?: SyncSource;
}

/** A sync policy with every field decided. */
export type ResolvedSyncPolicy = Required<SyncPolicy>;

/** The sync policy a fleet gets when it says nothing. */
export const DEFAULT_SYNC_POLICY: ResolvedSyncPolicy = { autoSync: true, interval: '5m', agent: 'flux', source: 'main' };

/** Lays `override` over `base` field by field and validates the result. */
export function resolveSyncPolicy(scope: IConstruct, base: ResolvedSyncPolicy, override: SyncPolicy = {}): ResolvedSyncPolicy {
  const policy = overlay<SyncPolicy>(base, override);
  checkDuration(scope, 'sync.interval', policy.interval);
  checkOneOf(scope, 'sync.agent', policy.agent, SYNC_AGENTS);
  checkOneOf(scope, 'sync.source', policy.source, SYNC_SOURCES);
  return policy;
}
