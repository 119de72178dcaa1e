import { k8s } from 'cdk8s-plus-28';
import { ContainerProps, POD_SECURITY_CONTEXT, containerSpec } from './container-spec';
import { EdgeWorkload } from './edge-workload';
import { ingressPolicy } from './ingress-policy';
import { IEdgeStore } from '../model/contract';
import { podPlacement } from '../model/pod-placement';
import { checkInteger, checkLabels } from '../prop-checks/checks';

/** Properties of an {@link EdgeApp}. */
export interface EdgeAppProps extends ContainerProps {
  /** Number of pods; 0 scales the app to zero in this store (its image is still listed for pre-loading). @default 1 */
  readonly replicas?: number;
  /** Extra labels of the Deployment and its pods. @default {} */
  readonly labels?: Record<string, string>;
  /** Annotations of the pods, e.g. to have them scraped by the metrics agent. @default {} */
  readonly podAnnotations?: Record<string, string>;
}

/** How a subclass runs the app's pods. */
export interface EdgeAppRuntime {
  /** RuntimeClass of the pods. @default - the node's default container runtime */
  readonly runtimeClassName?: string;
}

/**
 * A container workload: a Deployment pinned to the store node, with `IfNotPresent` pulls so that a
 * restart with the WAN down uses the cached image, explicit requests and limits, a hardened
 * container (see `ContainerProps`), readiness and liveness probes, and no ServiceAccount token: an
 * app of the store does not call the Kubernetes API.
 */
export class EdgeApp extends EdgeWorkload {
  /** The generated Deployment: the place for JSON patches. */
  public readonly resource: k8s.KubeDeployment;

  constructor(store: IEdgeStore, id: string, props: EdgeAppProps, runtime: EdgeAppRuntime = {}) {
    super(store, id);
    const replicas = checkInteger(this, 'replicas', props.replicas ?? 1, 0);
    const labels = { ...checkLabels(this, 'labels', { ...props.labels }), ...this.selectorLabels };
    const parts = containerSpec(this, this.name, props);
    const annotations = { ...props.podAnnotations, ...parts.annotations };
    ingressPolicy(this, { namespace: store.workloadNamespace, selector: this.selectorLabels, ports: parts.container.ports ?? [] });
    this.resource = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: this.name, namespace: store.workloadNamespace, labels },
      spec: {
        replicas,
        revisionHistoryLimit: 3,
        selector: { matchLabels: this.selectorLabels },
        template: {
          metadata: { labels, annotations: Object.keys(annotations).length > 0 ? annotations : undefined },
          spec: {
            ...podPlacement(store.nodeProfile),
            runtimeClassName: runtime.runtimeClassName,
            automountServiceAccountToken: false,
            securityContext: POD_SECURITY_CONTEXT,
            containers: [parts.container],
            volumes: parts.volumes,
          },
        },
      },
    });
  }
}
