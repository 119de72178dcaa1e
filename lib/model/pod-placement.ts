import { ResolvedNodeProfile } from './node-profile';

/** Kubernetes spelling of a toleration that matches a node taint by key and effect, whatever its value. */
export interface TaintToleration {
  /** Taint key. */
  readonly key: string;
  /** Matches any value of the key. */
  readonly operator: 'Exists';
  /** Taint effect. */
  readonly effect: string;
}

/**
 * Where a store's pods and VMs run: on a node of the profile's architecture, tolerating the
 * node's taints (a store has one node, so a workload that does not tolerate them never runs).
 */
export function podPlacement(profile: ResolvedNodeProfile): {
  nodeSelector: Record<string, string>;
  tolerations: TaintToleration[];
} {
  return {
    nodeSelector: { 'kubernetes.io/arch': profile.arch },
    tolerations: profile.taints.map((t) => ({ key: t.key, operator: 'Exists', effect: t.effect ?? 'NoSchedule' })),
  };
}
