import { IConstruct } from 'constructs';
import { overlay } from './overlay';
import { checkDuration, checkOneOf } from '../prop-checks/checks';

/** The in-cluster agents a store can pull its folder with. */
export const SYNC_AGENTS = ['flux', 'fleet'] as const;

/** An in-cluster agent that pulls a store's folder: Flux, or Rancher Fleet's fleet-agent. */
export type SyncAgent = typeof SYNC_AGENTS[number];

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
}

/** A sync policy with every field decided. */
export type ResolvedSyncPolicy = Required<SyncPolicy>;

/** The sync policy a fleet gets when it says nothing. */
export const DEFAULT_SYNC_POLICY: ResolvedSyncPolicy = { autoSync: true, interval: '5m', agent: 'flux' };

/** Lays `override` over `base` field by field and validates the result. */
export function resolveSyncPolicy(scope: IConstruct, base: ResolvedSyncPolicy, override: SyncPolicy = {}): ResolvedSyncPolicy {
  const policy = overlay<SyncPolicy>(base, override);
  checkDuration(scope, 'sync.interval', policy.interval);
  checkOneOf(scope, 'sync.agent', policy.agent, SYNC_AGENTS);
  return policy;
}
