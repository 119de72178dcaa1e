import { IConstruct } from 'constructs';
import { overlay } from './overlay';
import { checkDuration } from '../validation/checks';

/** How a store follows Git: the customer's `syncPolicy`. Set fleet-wide, override per store. */
export interface SyncPolicy {
  /** Apply what Git says. `false` suspends the store's Kustomizations; the store keeps what it runs. @default true */
  readonly autoSync?: boolean;
  /** How often the store polls Git and re-applies its folder, as a Go duration. @default '5m' */
  readonly interval?: string;
}

/** A sync policy with every field decided. */
export type ResolvedSyncPolicy = Required<SyncPolicy>;

/** The sync policy a fleet gets when it says nothing. */
export const DEFAULT_SYNC_POLICY: ResolvedSyncPolicy = { autoSync: true, interval: '5m' };

/** Lays `override` over `base` field by field and validates the result. */
export function resolveSyncPolicy(scope: IConstruct, base: ResolvedSyncPolicy, override: SyncPolicy = {}): ResolvedSyncPolicy {
  const policy = overlay<SyncPolicy>(base, override);
  checkDuration(scope, 'sync.interval', policy.interval);
  return policy;
}
