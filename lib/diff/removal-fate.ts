import * as path from 'path';
import type { SyncAgent } from '../model/sync-policy';
import { KEEP_ANNOTATIONS, STATEFUL_KINDS } from '../policies/keep-annotations';

/** The annotation with which each agent leaves an object on the store when it leaves Git. */
const KEEP_ANNOTATION_OF: Record<SyncAgent, string> = {
  flux: 'kustomize.toolkit.fluxcd.io/prune',
  fleet: 'helm.sh/resource-policy',
};

/** How a store's agent treats the objects that leave its folder in this change. */
export interface RemovalPolicy {
  /** The agent that synced the store at the base, which decides what leaving Git does to an object. */
  readonly agent: SyncAgent;
  /**
   * Set when the agent stops applying the folder altogether and so deletes nothing: why. A Flux
   * Kustomization whose path is gone fails and changes nothing; a Fleet bundle removed with
   * `keepResources: true` leaves its objects behind.
   */
  readonly keepsEverything?: string;
}

/** Why an object that leaves the store's folder stays on the store; undefined when the store deletes it. */
export function keptReason(value: any, policy: RemovalPolicy): string | undefined {
  if (policy.keepsEverything) return policy.keepsEverything;
  const key = KEEP_ANNOTATION_OF[policy.agent];
  return value?.metadata?.annotations?.[key] === KEEP_ANNOTATIONS[key] ? `${key}: ${KEEP_ANNOTATIONS[key]}` : undefined;
}

/** A Flux Kustomization that leaves Git with `deletionPolicy: Orphan`: Flux deletes it and leaves what it applied. */
export interface OrphaningKustomization {
  /** Its name. */
  readonly name: string;
  /** The folder it applied, relative to the compared tree. */
  readonly folder: string;
}

/**
 * `value` as an {@link OrphaningKustomization}, if it is a Flux Kustomization with `deletionPolicy:
 * Orphan` whose path lies in the compared tree (`treePrefix`: the tree's path in the repository).
 */
export function asOrphaningKustomization(value: any, treePrefix: string): OrphaningKustomization | undefined {
  const isFlux = value?.kind === 'Kustomization' && String(value.apiVersion ?? '').startsWith('kustomize.toolkit.fluxcd.io/');
  if (!isFlux || value.spec?.deletionPolicy !== 'Orphan' || typeof value.spec?.path !== 'string') return undefined;
  const inRepository = path.posix.normalize(value.spec.path);
  if (!treePrefix) return { name: value.metadata.name, folder: inRepository };
  return inRepository.startsWith(`${treePrefix}/`) ? { name: value.metadata.name, folder: inRepository.slice(treePrefix.length + 1) } : undefined;
}

/** Why the objects of a folder whose Flux Kustomization is deleted with `deletionPolicy: Orphan` stay. */
export function orphanedReason(k: OrphaningKustomization): string {
  return `its Flux Kustomization "${k.name}" is deleted with deletionPolicy: Orphan`;
}

/** Why an object removed from the Fleet manager's folder (dist/fleet/) stays on the manager. */
export const KEPT_ON_MANAGER = 'kubectl apply -k does not prune: delete it by hand once unused';

/** Whether objects of `kind` hold a store's data (the POS VM, its claims and DataVolumes). */
export function isStateful(kind: string): boolean {
  return STATEFUL_KINDS.includes(kind);
}

/** What names an API object in a store: its kind, namespace and name. */
export interface ObjectId {
  /** `kind`, e.g. `PersistentVolumeClaim`. */
  readonly kind: string;
  /** `metadata.namespace`; undefined for a cluster-scoped object. */
  readonly namespace?: string;
  /** `metadata.name`. */
  readonly name: string;
}

/** What happened to the old object of a move: kept (and why) or deleted (and with what). */
export interface OldObjectFate {
  /** Why it stays on the store. */
  readonly kept?: string;
  /** What deletes it besides its own removal, e.g. `Namespace "edge"`. */
  readonly deletedWith?: string;
}

/**
 * The warning for a stateful object that moves to another namespace or kind: Kubernetes cannot move
 * an object, so the change is a delete and a create, and the data does not follow.
 */
export function movedStatefulWarning(old: ObjectId, now: ObjectId, fate: OldObjectFate): string {
  const what =
    old.kind === now.kind
      ? `${now.kind} "${now.name}" moves from namespace "${old.namespace ?? ''}" to "${now.namespace ?? ''}"`
      : `"${now.name}" changes from ${old.kind} to ${now.kind}`;
  const created =
    now.kind === 'VirtualMachine'
      ? `the new VirtualMachine starts on the volumes it finds in "${now.namespace ?? ''}" (a claim created there starts empty)`
      : `the new ${now.kind} starts empty`;
  return (
    `STATEFUL DATA: ${what}, which is a delete and a create: ${created}, and ${oldFate(fate)}. Migrate the data deliberately, or keep the old ` +
    `namespace and kind.`
  );
}

/** The warning for a stateful object that the store deletes. */
export function deletedStatefulWarning(old: ObjectId, deletedWith: string | undefined): string {
  const protection = Object.entries(KEEP_ANNOTATIONS)
    .map(([k, v]) => `${k}: ${v}`)
    .join(' and ');
  const how = deletedWith ? ` with its ${deletedWith}` : '';
  return (
    `STATEFUL DATA: ${old.kind} "${old.name}" is deleted on the store${how}, and its data with it ` +
    `(protect it with ${protection}, or decommission deliberately).`
  );
}

function oldFate(fate: OldObjectFate): string {
  if (fate.kept) return `the old one stays, with its data, now unmanaged (${fate.kept})`;
  return `the old one is deleted${fate.deletedWith ? ` with its ${fate.deletedWith}` : ''}, and its data with it`;
}
