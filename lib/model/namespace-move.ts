import { IConstruct } from 'constructs';
import { fail } from '../errors/edgefleet-error';
import { checkDnsLabel } from '../prop-checks/checks';

/**
 * A move of the stores' stateful workloads (VirtualMachines, their claims and DataVolumes) from one
 * namespace to another, declared deliberately. Flux never deletes them (they are prune-protected, and
 * so is their namespace), so a move leaves the old VM running on its disk and starts a new one, with
 * the same firmware identity and MAC address and an empty disk, in the new namespace: declare it only
 * once each store's old VM is stopped and its data migrated (docs/tour.md, "Moving a stateful workload").
 */
export interface StatefulNamespaceMove {
  /** The namespace the stateful workloads leave. */
  readonly from: string;
  /** The namespace they move to. */
  readonly to: string;
  /** Why, and how the data was migrated: for the reviewer of the change. */
  readonly reason: string;
}

/** Checks a declared move and returns it. */
export function checkNamespaceMove(scope: IConstruct, move: StatefulNamespaceMove): StatefulNamespaceMove {
  checkDnsLabel(scope, 'statefulNamespaceMove.from', move.from);
  checkDnsLabel(scope, 'statefulNamespaceMove.to', move.to);
  if (move.from === move.to) fail(scope, `statefulNamespaceMove moves from "${move.from}" to the same namespace (drop it)`);
  if (typeof move.reason !== 'string' || move.reason.trim().length < 10) {
    fail(scope, 'statefulNamespaceMove.reason is missing (say why the move is made and how the data was migrated, for the reviewer)');
  }
  return move;
}
