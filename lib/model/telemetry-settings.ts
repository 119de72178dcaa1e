import { IConstruct } from 'constructs';
import { fail } from '../errors/edgefleet-error';
import { checkDnsLabel, checkDuration, checkImage, checkQuantity, durationSeconds } from '../prop-checks/checks';
import { quantityValue } from '../prop-checks/quantity';
import { overlay } from '../util/overlay';

/** Where a store's logs and metrics go, how much it produces, and how long an outage it must outlast. */
export interface TelemetrySettings {
  /**
   * OTLP/HTTP logs endpoint of the central log store, e.g. `https://logs.example.com/insert/opentelemetry/v1/logs`
   * (VictoriaLogs), `https://logs.example.com/otlp/v1/logs` (Loki 3), or an OpenTelemetry Collector's `/v1/logs`.
   */
  readonly logsUrl?: string;
  /** Prometheus remote-write endpoint of the central metrics store (Prometheus, Mimir, Thanos, VictoriaMetrics). */
  readonly metricsUrl?: string;
  /**
   * Secret in the telemetry namespace (`namespace`) with the keys `username` and `password` for both
   * endpoints (basic auth): committed encrypted for the store with `EncryptedSecret`, or created on the store.
   * @default - no authentication
   */
  readonly credentialsSecretName?: string;
  /** How long the store must keep buffering while its WAN link is down, as a Go duration. @default '24h' */
  readonly retention?: string;
  /** Log volume the store produces per hour, as a quantity. @default '20Mi' */
  readonly logsPerHour?: string;
  /** Metric samples the store scrapes per second (series / scrape interval). @default 500 */
  readonly samplesPerSecond?: number;
  /** How often the metrics agent scrapes, as a Go duration. @default '30s' */
  readonly scrapeInterval?: string;
  /** Host folder of the agents' on-disk buffers; they survive pod restarts and node reboots. @default '/var/lib/edgefleet' */
  readonly bufferHostPath?: string;
  /**
   * Namespace of the agents, of their own: they read host folders, which only the `privileged` Pod Security
   * level allows, so that the workload namespace can enforce a stricter one.
   * @default 'edgefleet-telemetry'
   */
  readonly namespace?: string;
  /**
   * OpenTelemetry Collector image, the log agent: its Kubernetes distribution has every component the configuration uses.
   * @default 'otel/opentelemetry-collector-k8s:0.165.0'
   */
  readonly logAgentImage?: string;
  /** vmagent image, the metrics agent: scrapes and remote-writes through an on-disk queue. @default 'victoriametrics/vmagent:v1.151.0' */
  readonly metricsAgentImage?: string;
}

/** Telemetry settings with every field decided. */
export type ResolvedTelemetry = Required<Omit<TelemetrySettings, 'credentialsSecretName'>> & Pick<TelemetrySettings, 'credentialsSecretName'>;

/** The settings a fleet that declares telemetry gets where it states none. */
export const TELEMETRY_DEFAULTS: Omit<ResolvedTelemetry, 'logsUrl' | 'metricsUrl'> = {
  retention: '24h',
  logsPerHour: '20Mi',
  samplesPerSecond: 500,
  scrapeInterval: '30s',
  bufferHostPath: '/var/lib/edgefleet',
  namespace: 'edgefleet-telemetry',
  logAgentImage: 'otel/opentelemetry-collector-k8s:0.165.0',
  metricsAgentImage: 'victoriametrics/vmagent:v1.151.0',
};

/**
 * Bytes of the log agent's on-disk queue per byte of container log: OTLP's encoding of a log record
 * with its attributes. Measured 2.25 with the end-to-end suite's load (CRI lines of about 100 bytes),
 * rounded up.
 */
export const LOG_QUEUE_BYTES_PER_LOG_BYTE = 2.5;

/** Bytes of vmagent's on-disk queue per sample. Measured about 13 at 500 samples/s (15,000 series every 30 s), rounded up. */
export const METRICS_QUEUE_BYTES_PER_SAMPLE = 14;

/** Headroom over the expected volume, for bursts (judgement). */
export const BUFFER_HEADROOM = 1.25;

/** Store labels every log record and series carries. */
export const TELEMETRY_LABELS = ['store', 'region', 'ring'];

const ENDPOINT = /^https?:\/\/[^\s/]+(\/\S*)?$/;

/** The fleet's settings resolved, for the stores that override none: the same for all of them, resolved once. */
const resolvedFleetSettings = new WeakMap<TelemetrySettings, ResolvedTelemetry>();

/** Lays the store's settings over the fleet's, validates them, and fills in the defaults. */
export function resolveTelemetry(scope: IConstruct, fleet: TelemetrySettings, store: TelemetrySettings = {}): ResolvedTelemetry {
  const overridesNothing = Object.values(store).every((v) => v === undefined);
  const resolved = overridesNothing ? resolvedFleetSettings.get(fleet) : undefined;
  if (resolved) return resolved;
  const t = resolveAndCheck(scope, fleet, store);
  if (overridesNothing) resolvedFleetSettings.set(fleet, t);
  return t;
}

function resolveAndCheck(scope: IConstruct, fleet: TelemetrySettings, store: TelemetrySettings): ResolvedTelemetry {
  const base = { ...TELEMETRY_DEFAULTS, logsUrl: '', metricsUrl: '', credentialsSecretName: undefined } as unknown as Required<TelemetrySettings>;
  const t = overlay<TelemetrySettings>(overlay<TelemetrySettings>(base, fleet), store);
  checkTelemetrySettings(scope, t, true);
  return t;
}

/**
 * Checks the telemetry fields that `t` sets, at `scope` (the fleet for its fleet-wide settings, a
 * store for its overrides). With `complete`, the endpoints are required too.
 */
export function checkTelemetrySettings(scope: IConstruct, t: TelemetrySettings, complete: boolean): void {
  for (const prop of ['logsUrl', 'metricsUrl'] as const) {
    if ((complete || t[prop] !== undefined) && !ENDPOINT.test(t[prop] ?? '')) {
      fail(scope, `telemetry.${prop} "${t[prop] ?? ''}" is not an HTTP(S) endpoint (use "https://host/path")`);
    }
  }
  if (t.retention !== undefined) checkDuration(scope, 'telemetry.retention', t.retention);
  if (t.scrapeInterval !== undefined) checkDuration(scope, 'telemetry.scrapeInterval', t.scrapeInterval);
  if (t.logsPerHour !== undefined) checkQuantity(scope, 'telemetry.logsPerHour', t.logsPerHour, '20Mi', 'bytes');
  if (t.samplesPerSecond !== undefined && (!(t.samplesPerSecond > 0) || !Number.isFinite(t.samplesPerSecond))) {
    fail(scope, `telemetry.samplesPerSecond ${t.samplesPerSecond} must be a positive number`);
  }
  if (t.bufferHostPath !== undefined && !/^\/[\w./-]*$/.test(t.bufferHostPath)) {
    fail(scope, `telemetry.bufferHostPath "${t.bufferHostPath}" is not an absolute path (use "/var/lib/edgefleet")`);
  }
  if (t.namespace !== undefined) checkDnsLabel(scope, 'telemetry.namespace', t.namespace);
  if (t.logAgentImage !== undefined) checkImage(scope, 'telemetry.logAgentImage', t.logAgentImage);
  if (t.metricsAgentImage !== undefined) checkImage(scope, 'telemetry.metricsAgentImage', t.metricsAgentImage);
  if (t.credentialsSecretName !== undefined) checkDnsLabel(scope, 'telemetry.credentialsSecretName', t.credentialsSecretName);
}

/** Bytes of the log agent's queue that hold `retention` of the store's logs, with headroom. */
export function logQueueBytes(t: ResolvedTelemetry): number {
  return Math.ceil(quantityValue(t.logsPerHour) * (durationSeconds(t.retention) / 3600) * BUFFER_HEADROOM * LOG_QUEUE_BYTES_PER_LOG_BYTE);
}

/** Bytes of the metrics agent's queue that hold `retention` of samples, with headroom. */
export function metricsQueueBytes(t: ResolvedTelemetry): number {
  return Math.ceil(t.samplesPerSecond * durationSeconds(t.retention) * BUFFER_HEADROOM * METRICS_QUEUE_BYTES_PER_SAMPLE);
}
