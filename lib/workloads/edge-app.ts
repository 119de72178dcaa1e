import { k8s } from 'cdk8s-plus-28';
import { EdgeWorkload } from './edge-workload';
import type { EdgeStore } from '../fleet/edge-store';
import { podPlacement } from './pod-placement';
import { fail } from '../errors/edgefleet-error';
import { checkImage, checkInteger, checkLabels, checkQuantity } from '../validation/checks';
import { quantityValue } from '../validation/quantity';

/** Properties of an {@link EdgeApp}. */
export interface EdgeAppProps {
  /** Container image, pinned to a tag or a digest (`registry.example.com/team/app:1.4.2`). */
  readonly image: string;
  /** Number of pods. @default 1 */
  readonly replicas?: number;
  /** CPU request. @default '100m' */
  readonly cpu?: string;
  /** Memory request. @default '128Mi' */
  readonly memory?: string;
  /** Memory limit. @default - the memory request */
  readonly memoryLimit?: string;
  /** CPU limit. @default - none: the app may use idle CPU */
  readonly cpuLimit?: string;
  /** Environment variables, written in name order. @default {} */
  readonly env?: Record<string, string>;
  /** Container ports by name, e.g. `{ http: 8080 }`. @default {} */
  readonly ports?: Record<string, number>;
  /** Entrypoint. @default - the image's entrypoint */
  readonly command?: string[];
  /** Arguments of the entrypoint. @default - the image's arguments */
  readonly args?: string[];
  /** Extra labels of the Deployment and its pods. @default {} */
  readonly labels?: Record<string, string>;
}

/** Kubernetes port names: lower-case alphanumerics and `-`, at least one letter. */
const IANA_SERVICE_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

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

  constructor(store: EdgeStore, id: string, props: EdgeAppProps, runtime: EdgeAppRuntime = {}) {
    super(store, id);
    const replicas = checkInteger(this, 'replicas', props.replicas ?? 1, 1);
    const labels = { ...checkLabels(this, 'labels', { ...props.labels }), ...this.selectorLabels };
    this.resource = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: this.name, namespace: store.workloadNamespace, labels },
      spec: {
        replicas,
        revisionHistoryLimit: 3,
        selector: { matchLabels: this.selectorLabels },
        template: {
          metadata: { labels },
          spec: {
            ...podPlacement(store.nodeProfile),
            runtimeClassName: runtime.runtimeClassName,
            containers: [this.container(props)],
          },
        },
      },
    });
  }

  private container(props: EdgeAppProps): k8s.Container {
    const memory = checkQuantity(this, 'memory', props.memory ?? '128Mi', '128Mi');
    const memoryLimit = checkQuantity(this, 'memoryLimit', props.memoryLimit ?? memory, '256Mi');
    if (quantityValue(memoryLimit) < quantityValue(memory)) {
      fail(this, `memoryLimit "${memoryLimit}" is below the memory request "${memory}" (Kubernetes rejects that; raise memoryLimit to at least "${memory}")`);
    }
    return {
      name: this.name,
      image: checkImage(this, 'image', props.image),
      imagePullPolicy: 'IfNotPresent',
      command: props.command,
      args: props.args,
      env: nonEmpty(Object.keys(props.env ?? {}).sort().map((name) => ({ name, value: props.env![name] }))),
      ports: nonEmpty(this.ports(props.ports ?? {})),
      resources: {
        requests: {
          cpu: k8s.Quantity.fromString(checkQuantity(this, 'cpu', props.cpu ?? '100m', '100m')),
          memory: k8s.Quantity.fromString(memory),
        },
        limits: {
          memory: k8s.Quantity.fromString(memoryLimit),
          ...(props.cpuLimit ? { cpu: k8s.Quantity.fromString(checkQuantity(this, 'cpuLimit', props.cpuLimit, '500m')) } : {}),
        },
      },
    };
  }

  private ports(ports: Record<string, number>): k8s.ContainerPort[] {
    return Object.keys(ports).sort().map((name) => {
      if (!IANA_SERVICE_NAME.test(name) || name.length > 15 || name.includes('--')) {
        fail(this, `ports name "${name}" is not an IANA service name (use at most 15 lower-case letters, digits and single "-", with at least one letter, such as "http")`);
      }
      checkInteger(this, `ports "${name}"`, ports[name], 1);
      if (ports[name] > 65535) {
        fail(this, `ports "${name}" ${ports[name]} is not a port number (use 1 to 65535)`);
      }
      return { name, containerPort: ports[name], protocol: 'TCP' };
    });
  }
}

/** `undefined` for an empty list, so that the YAML carries no `[]`. */
function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}
