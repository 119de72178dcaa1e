import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** Properties of {@link ingressPolicy}. */
export interface IngressPolicyProps {
  /** The pods' namespace. */
  readonly namespace: string;
  /** The labels that select the pods. */
  readonly selector: Record<string, string>;
  /** The container ports the pods serve, by name. */
  readonly ports: k8s.ContainerPort[];
}

/**
 * A NetworkPolicy that lets traffic reach a workload's pods on the ports it declares, and on no other;
 * their own connections are not restricted (a store's apps reach the store's network and the central
 * services). On K3s, whose network policy controller enforces it, an app listening on a port it does
 * not declare is not reachable: declare every port the app serves. A workload without ports gets no
 * `ingress` rule at all (no ingress allowed): written as an empty list, the API server would drop it
 * and the live object would differ from Git.
 */
export function ingressPolicy(scope: Construct, props: IngressPolicyProps): k8s.KubeNetworkPolicy {
  const name = props.selector['app.kubernetes.io/name'];
  return new k8s.KubeNetworkPolicy(scope, 'IngressPolicy', {
    metadata: { name, namespace: props.namespace },
    spec: {
      podSelector: { matchLabels: props.selector },
      policyTypes: ['Ingress', 'Egress'],
      ingress:
        props.ports.length > 0 ? [{ ports: props.ports.map((p) => ({ port: k8s.IntOrString.fromString(p.name!), protocol: 'TCP' })) }] : undefined,
      egress: [{}],
    },
  });
}
