import { k8s } from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { HealthCheck, NO_HEALTH_CHECK_ANNOTATION } from './health-check';
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
  /** Ephemeral storage request: the container's writable layer, its logs and its scratch space. @default '64Mi' */
  readonly ephemeralStorage?: string;
  /**
   * Ephemeral storage limit: past it the kubelet evicts the pod, so that a runaway log or temporary
   * file cannot fill the store node's small disk.
   * @default '256Mi'
   */
  readonly ephemeralStorageLimit?: string;
  /**
   * User (and group) the container runs as. Not root by default, as the `restricted` Pod Security
   * level asks: the image's files must be readable by that user. 0 runs it as root.
   * @default 65532
   */
  readonly runAsUser?: number;
  /** Whether the container's root filesystem is read-only; a scratch emptyDir is mounted at `/tmp` either way. @default true */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * How the kubelet checks that the container is ready and alive.
   * @default - a TCP check of its first port (ports in name order); none for a container without ports
   */
  readonly healthCheck?: HealthCheck;
}

/** A container, and what its pod needs for it. */
export interface ContainerParts {
  /** The container. */
  readonly container: k8s.Container;
  /** The volumes it mounts that the pod must have: its scratch space. */
  readonly volumes: k8s.Volume[];
  /** Pod annotations it asks for (why it has no probes). */
  readonly annotations: Record<string, string>;
}

/** The user of a container that sets none: not root, and the UID distroless images name `nonroot`. */
const NON_ROOT_USER = 65532;

/** Where every container gets its scratch space, so that its root filesystem can be read-only. */
const SCRATCH = { name: 'tmp', mountPath: '/tmp' };

/** What every pod of edgefleet's workloads runs with: the container runtime's default seccomp profile. */
export const POD_SECURITY_CONTEXT: k8s.PodSecurityContext = { seccompProfile: { type: 'RuntimeDefault' } };

/** Kubernetes port names: lower-case alphanumerics and `-`, at least one letter. */
const IANA_SERVICE_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** An environment variable's value: Kubernetes takes strings only (a number from untyped code would be refused by the API). */
function envValue(scope: IConstruct, name: string, value: unknown): string {
  if (typeof value !== 'string') fail(scope, `env "${name}" is ${JSON.stringify(value)}, not a string (use "${String(value)}")`);
  return value;
}

/**
 * A container that survives the WAN being down: `IfNotPresent` pulls (a restart uses the cached
 * image), CPU, memory and ephemeral-storage requests, a memory limit no lower than the request and
 * an ephemeral-storage limit; hardened: not root, no privilege escalation, no capabilities, the
 * runtime's seccomp profile, a read-only root filesystem with a scratch emptyDir at `/tmp`; with
 * readiness and liveness probes (see {@link HealthCheck}). `extra` adds what the props don't cover
 * (volume mounts, and environment from Secrets after the props' `env`).
 */
export function containerSpec(scope: IConstruct, name: string, props: ContainerProps, extra: Partial<k8s.Container> = {}): ContainerParts {
  const memory = checkQuantity(scope, 'memory', props.memory ?? '128Mi', '128Mi', 'bytes');
  // A limit that is the request (by default, or set to it) is checked once, as the request.
  const memoryLimit = (props.memoryLimit ?? memory) === memory ? memory : checkQuantity(scope, 'memoryLimit', props.memoryLimit!, '256Mi', 'bytes');
  if (quantityValue(memoryLimit) < quantityValue(memory)) {
    failLate(
      scope,
      `memoryLimit "${memoryLimit}" is below the memory request "${memory}" (Kubernetes rejects that; raise memoryLimit to at least "${memory}")`,
    );
  }
  const storage = checkQuantity(scope, 'ephemeralStorage', props.ephemeralStorage ?? '64Mi', '64Mi', 'bytes');
  const storageLimit = checkQuantity(scope, 'ephemeralStorageLimit', props.ephemeralStorageLimit ?? '256Mi', '256Mi', 'bytes');
  if (quantityValue(storageLimit) < quantityValue(storage)) {
    failLate(scope, `ephemeralStorageLimit "${storageLimit}" is below the ephemeralStorage request "${storage}" (raise it to at least "${storage}")`);
  }
  const ports = containerPorts(scope, props.ports ?? {});
  const probes = (props.healthCheck ?? defaultHealthCheck(ports))._probes(scope);
  const container: k8s.Container = {
    name,
    image: checkImage(scope, 'image', props.image),
    imagePullPolicy: 'IfNotPresent',
    command: props.command,
    args: props.args,
    ports: nonEmpty(ports),
    resources: {
      requests: {
        cpu: k8s.Quantity.fromString(checkQuantity(scope, 'cpu', props.cpu ?? '100m', '100m', 'cpu')),
        memory: k8s.Quantity.fromString(memory),
        'ephemeral-storage': k8s.Quantity.fromString(storage),
      },
      limits: {
        memory: k8s.Quantity.fromString(memoryLimit),
        'ephemeral-storage': k8s.Quantity.fromString(storageLimit),
        ...(props.cpuLimit ? { cpu: k8s.Quantity.fromString(checkQuantity(scope, 'cpuLimit', props.cpuLimit, '500m', 'cpu')) } : {}),
      },
    },
    securityContext: securityContext(scope, props),
    readinessProbe: probes.readinessProbe,
    livenessProbe: probes.livenessProbe,
    ...extra,
    env: nonEmpty([
      ...Object.keys(props.env ?? {})
        .sort()
        .map((key) => ({ name: key, value: envValue(scope, key, props.env![key]) })),
      ...(extra.env ?? []),
    ]),
    volumeMounts: [...(extra.volumeMounts ?? []), SCRATCH],
  };
  return {
    container,
    volumes: [{ name: SCRATCH.name, emptyDir: { sizeLimit: k8s.Quantity.fromString(storageLimit) } }],
    annotations: probes.noProbeReason ? { [NO_HEALTH_CHECK_ANNOTATION]: probes.noProbeReason } : {},
  };
}

/** A TCP check of the first port in name order; none for a container without ports. */
function defaultHealthCheck(ports: k8s.ContainerPort[]): HealthCheck {
  return ports.length > 0
    ? HealthCheck.tcp(ports[0].name!)
    : HealthCheck.none('the container serves no port to check (give it a healthCheck to have it probed)');
}

function securityContext(scope: IConstruct, props: ContainerProps): k8s.SecurityContext {
  const user = checkInteger(scope, 'runAsUser', props.runAsUser ?? NON_ROOT_USER, 0);
  return {
    runAsUser: user,
    runAsGroup: user,
    runAsNonRoot: user !== 0,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: props.readOnlyRootFilesystem ?? true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
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
