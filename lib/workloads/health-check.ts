import { k8s } from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { fail } from '../errors/edgefleet-error';
import { checkInteger } from '../prop-checks/checks';

/** Timing of a {@link HealthCheck}. */
export interface HealthCheckOptions {
  /** Seconds after the container starts before the first check. @default 5 */
  readonly initialDelaySeconds?: number;
  /** Seconds between two checks. @default 10 */
  readonly periodSeconds?: number;
}

/** The probes of one container, or the reason it has none. */
export interface ContainerProbes {
  /** Whether the container takes traffic: failing it only takes the pod out of its Services. */
  readonly readinessProbe?: k8s.Probe;
  /** Whether the container still works: failing it for a minute restarts the container, from the local image. */
  readonly livenessProbe?: k8s.Probe;
  /** Why the container has no probes, written as the pod annotation `edgefleet.io/no-health-check`. */
  readonly noProbeReason?: string;
}

/** Annotation of a pod whose containers have no probes, saying why. */
export const NO_HEALTH_CHECK_ANNOTATION = 'edgefleet.io/no-health-check';

/**
 * Consecutive failed liveness checks before a restart: a minute at the default period, so that a slow
 * start on a busy store node is not a restart loop.
 */
const LIVENESS_FAILURES = 6;

/**
 * How the kubelet tells whether a container is ready and alive: an HTTP GET or a TCP connect to one
 * of its ports, checked for readiness and, more patiently, for liveness; or no check, with the reason.
 */
export abstract class HealthCheck {
  /**
   * An HTTP GET of `path` on `port` (a port name or number) for readiness: 2xx and 3xx answers pass.
   * Liveness only connects to the port: a container busy answering is not restarted, one that stopped
   * listening is.
   */
  public static http(path: string, port: string | number, options: HealthCheckOptions = {}): HealthCheck {
    return new PortCheck({ httpGet: { path, port: portOf(port) } }, { tcpSocket: { port: portOf(port) } }, options);
  }

  /** A TCP connect to `port` (a port name or number): an open port passes, for readiness and liveness. */
  public static tcp(port: string | number, options: HealthCheckOptions = {}): HealthCheck {
    return new PortCheck({ tcpSocket: { port: portOf(port) } }, { tcpSocket: { port: portOf(port) } }, options);
  }

  /** No probes, for a container that offers nothing to check; `reason` is written on the pod for reviewers. */
  public static none(reason: string): HealthCheck {
    return new NoCheck(reason);
  }

  /** The container's probes, its props checked at `scope`. @internal */
  public abstract _probes(scope: IConstruct): ContainerProbes;
}

function portOf(port: string | number): k8s.IntOrString {
  return typeof port === 'number' ? k8s.IntOrString.fromNumber(port) : k8s.IntOrString.fromString(port);
}

class PortCheck extends HealthCheck {
  constructor(
    private readonly readiness: Pick<k8s.Probe, 'httpGet' | 'tcpSocket'>,
    private readonly liveness: Pick<k8s.Probe, 'httpGet' | 'tcpSocket'>,
    private readonly options: HealthCheckOptions,
  ) {
    super();
  }

  public _probes(scope: IConstruct): ContainerProbes {
    const initialDelaySeconds = checkInteger(scope, 'healthCheck initialDelaySeconds', this.options.initialDelaySeconds ?? 5, 0);
    const periodSeconds = checkInteger(scope, 'healthCheck periodSeconds', this.options.periodSeconds ?? 10, 1);
    const timing = { initialDelaySeconds, periodSeconds, timeoutSeconds: Math.min(periodSeconds, 5) };
    return {
      readinessProbe: { ...this.readiness, ...timing, failureThreshold: 3 },
      livenessProbe: { ...this.liveness, ...timing, failureThreshold: LIVENESS_FAILURES },
    };
  }
}

class NoCheck extends HealthCheck {
  constructor(private readonly reason: string) {
    super();
  }

  public _probes(scope: IConstruct): ContainerProbes {
    if (typeof this.reason !== 'string' || this.reason.trim().length < 10) {
      fail(scope, `healthCheck HealthCheck.none("${this.reason}") needs a reason a reviewer can read (say why the container has nothing to check)`);
    }
    return { noProbeReason: this.reason.trim() };
  }
}
