import { Lazy } from 'cdk8s';
import { POD_MAKING_KINDS, PodSecurityLevel, podSecurityLevel } from './pod-security-level';
import { IEdgeStore } from '../model/contract';
import { ManifestFile } from '../model/manifest-file';
import { renderedJson } from '../util/rendered-json';

/** Pod Security Admission's label that it enforces (kubernetes.io/docs/concepts/security/pod-security-admission). */
export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/**
 * The Pod Security Admission labels of one of the store's namespaces: it enforces the strictest level
 * that the pods the store puts there meet, decided when the store is rendered (after every workload is
 * added); with `warnRestricted`, the API server also warns of, and audits, what stops it from enforcing
 * `restricted`.
 */
export function podSecurityLabels(store: IEdgeStore, namespace: string, warnRestricted: boolean): Record<string, string> {
  const enforce = Lazy.any({ produce: (): PodSecurityLevel => podSecurityLevel(objectsIn(store, namespace)) }) as unknown as string;
  return {
    [ENFORCE_LABEL]: enforce,
    ...(warnRestricted ? { 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' } : {}),
  };
}

/** The objects that make pods, or VMs, that the store writes into `namespace`, as they will be written (never the Namespace itself). */
function objectsIn(store: IEdgeStore, namespace: string): any[] {
  return store.node
    .findAll()
    .filter(ManifestFile.isManifestFile)
    .filter((f) => f.tree === 'stores')
    .flatMap((f) => f.apiObjects())
    .filter((o) => POD_MAKING_KINDS.has(o.kind))
    .map(renderedJson)
    .filter((o) => o.metadata?.namespace === namespace);
}
