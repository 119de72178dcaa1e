import { k8s } from 'cdk8s-plus-28';
import { ContainerProps, containerSpec } from './container-spec';
import { EdgeWorkload } from './edge-workload';
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
 * restart with the WAN down uses the cached image, and explicit requests and memory limit.
 */
export class EdgeApp extends EdgeWorkload {
  /** The generated Deployment: the place for JSON patches. */
  public readonly resource: k8s.KubeDeployment;

  constructor(store: IEdgeStore, id: string, props: EdgeAppProps, runtime: EdgeAppRuntime = {}) {
    super(store, id);
    const replicas = checkInteger(this, 'replicas', props.replicas ?? 1, 0);
    const labels = { ...checkLabels(this, 'labels', { ...props.labels }), ...this.selectorLabels };
    this.resource = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: this.name, namespace: store.workloadNamespace, labels },
      spec: {
        replicas,
        revisionHistoryLimit: 3,
        selector: { matchLabels: this.selectorLabels },
        template: {
          metadata: { labels, annotations: props.podAnnotations && Object.keys(props.podAnnotations).length > 0 ? props.podAnnotations : undefined },
          spec: {
            ...podPlacement(store.nodeProfile),
            runtimeClassName: runtime.runtimeClassName,
            containers: [containerSpec(this, this.name, props)],
          },
        },
      },
    });
  }
}
