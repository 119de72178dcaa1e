import { EdgefleetError } from '../errors/edgefleet-error';
import { firstAndMore, plural } from '../util/plural';

/** A store that a change touches, with its ring where known. */
export interface ChangedStore {
  /** The store id. */
  readonly id: string;
  /** The store's ring; undefined when unknown (e.g. a store being removed). */
  readonly ring?: string;
  /** Whether the change removes the store (its folders are deleted). @default false */
  readonly removed?: boolean;
}

/** The blast-radius guard refused a change. */
export class BlastRadiusError extends EdgefleetError {}

/**
 * Fails when `changed` holds more than `max` stores outside the first ring (stores of unknown ring
 * count as outside). The message names the stores, says which of them are removals, and how to proceed.
 */
export function checkBlastRadius(changed: ChangedStore[], rings: string[], max: number | undefined): void {
  if (max === undefined) return;
  const firstRing = rings[0];
  const outside = changed.filter((s) => firstRing === undefined || s.ring !== firstRing);
  if (outside.length <= max) return;
  const removed = outside.filter((s) => s.removed).length;
  const shown = firstAndMore(
    outside.map(
      (s) => `${s.id} (${[s.removed ? 'removed' : undefined, s.ring ?? (s.removed ? undefined : 'ring unknown')].filter(Boolean).join(', ')})`,
    ),
    20,
  );
  const removals =
    removed === 0
      ? ''
      : `; ${removed === outside.length ? 'all' : removed} of them are removals (stores no longer in the fleet, whose folders synth would delete)`;
  const advice =
    removed === outside.length
      ? "If these stores are leaving the fleet, run again with --allow-wide-change; if this is a new fleet written over another fleet's output, " +
        'delete its store folders (stores/ and clusters/ of the output folder) first.'
      : `Promote one ring at a time, or, if this is intended, run again with ` +
        `--allow-wide-change${removed > 0 ? ' (check that the removed stores are meant to leave the fleet)' : ''}.`;
  throw new BlastRadiusError(
    `blast-radius guard: this change touches ${outside.length} existing stores outside the first ring${firstRing ? ` "${firstRing}"` : ''}, ` +
      `more than the ${max} allowed${removals}: ${shown}. ${advice}`,
  );
}

/**
 * Fails when the output folder holds stores and the fleet has none of them: the tree of another
 * fleet (for instance a new fleet repository created inside another one's Git work tree, whose
 * `dist/` synth would otherwise write into), which synth would delete whatever the guard's limit.
 */
export function checkNotAnotherFleetsTree(outdir: string, existingStores: string[], fleetStores: ReadonlySet<string>): void {
  if (existingStores.length === 0 || existingStores.some((id) => fleetStores.has(id))) return;
  throw new BlastRadiusError(
    `${outdir} holds ${plural(existingStores.length, 'store')} (${firstAndMore(existingStores, 5)}) and this fleet has none of them: it looks ` +
      `like another fleet's tree, which synth would delete. ` +
      'Synth writes to repository.path at the top of the Git work tree that holds the current folder: give a new fleet repository its own (git ' +
      'init), ' +
      'or set repository.path to its folder in a shared one. To replace that tree on purpose, run again with --allow-wide-change.',
  );
}
