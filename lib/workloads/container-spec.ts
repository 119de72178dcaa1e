import { k8s } from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { fail, failLate } from '../errors/edgefleet-error';
import { checkImage, checkInteger, checkQuantity } from '../prop-checks/checks';
import { quantityValue } from '../prop-checks/quantity';

/** What a container of an edgefleet workload is made of. */
export interface ContainerProps {
  /** Container image, pinned to a tag or a digest (`registry.example.com/team/app:1.4.2`). */
  readonly image: string;
  /** CPU request. @default '100m' */
  readonly cpu?: string;
  /** Memory request. @default '128Mi' */
  readonly memory?: string;
  /** Memory limit. @default - the memory request */
  readonly memoryLimit?: string;
  /** CPU limit. @default - none: the container may use idle CPU */
  readonly cpuLimit?: string;
  /** Environment variables, written in name order. @default {} */
  readonly env?: Record<string, string>;
  /** Container ports by name, e.g. `{ http: 8080 }`. @default {} */
  readonly ports?: Record<string, number>;
  /** Entrypoint. @default - the image's entrypoint */
  readonly command?: string[];
  /** Arguments of the entrypoint. @default - the image's arguments */
  readonly args?: string[];
}

/** Kubernetes port names: lower-case alphanumerics and `-`, at least one letter. */
const IANA_SERVICE_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** An environment variable's value: Kubernetes takes strings only (a number from untyped code would be refused by the API). */
function envValue(scope: IConstruct, name: string, value: unknown): string {
  if (typeof value !== 'string') fail(scope, `env "${name}" is ${JSON.stringify(value)}, not a string (use "${String(value)}")`);
  return value;
}

/**
 * A container that survives the WAN being down: `IfNotPresent` pulls (a restart uses the cached
 * image), CPU and memory requests and a memory limit no lower than the request. `extra` adds what
 * the props don't cover (volume mounts, a security context).
 */
export function containerSpec(scope: IConstruct, name: string, props: ContainerProps, extra: Partial<k8s.Container> = {}): k8s.Container {
  const memory = checkQuantity(scope, 'memory', props.memory ?? '128Mi', '128Mi', 'bytes');
  // A limit that is the request (by default, or set to it) is checked once, as the request.
  const memoryLimit = (props.memoryLimit ?? memory) === memory ? memory : checkQuantity(scope, 'memoryLimit', props.memoryLimit!, '256Mi', 'bytes');
  if (quantityValue(memoryLimit) < quantityValue(memory)) {
    failLate(
      scope,
      `memoryLimit "${memoryLimit}" is below the memory request "${memory}" (Kubernetes rejects that; raise memoryLimit to at least "${memory}")`,
    );
  }
  return {
    name,
    image: checkImage(scope, 'image', props.image),
    imagePullPolicy: 'IfNotPresent',
    command: props.command,
    args: props.args,
    env: nonEmpty(
      Object.keys(props.env ?? {})
        .sort()
        .map((key) => ({ name: key, value: envValue(scope, key, props.env![key]) })),
    ),
    ports: nonEmpty(containerPorts(scope, props.ports ?? {})),
    resources: {
      requests: {
        cpu: k8s.Quantity.fromString(checkQuantity(scope, 'cpu', props.cpu ?? '100m', '100m', 'cpu')),
        memory: k8s.Quantity.fromString(memory),
      },
      limits: {
        memory: k8s.Quantity.fromString(memoryLimit),
        ...(props.cpuLimit ? { cpu: k8s.Quantity.fromString(checkQuantity(scope, 'cpuLimit', props.cpuLimit, '500m', 'cpu')) } : {}),
      },
    },
    ...extra,
  };
}

function containerPorts(scope: IConstruct, ports: Record<string, number>): k8s.ContainerPort[] {
  return Object.keys(ports)
    .sort()
    .map((name) => {
      if (!IANA_SERVICE_NAME.test(name) || name.length > 15 || name.includes('--')) {
        fail(
          scope,
          `ports name "${name}" is not an IANA service name (use at most 15 lower-case letters, digits and single "-", with at least one ` +
            `letter, such as "http")`,
        );
      }
      checkInteger(scope, `ports "${name}"`, ports[name], 1);
      if (ports[name] > 65535) {
        fail(scope, `ports "${name}" ${ports[name]} is not a port number (use 1 to 65535)`);
      }
      return { name, containerPort: ports[name], protocol: 'TCP' };
    });
}

/** `undefined` for an empty list, so that the YAML carries no `[]`. */
function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}
