import { IConstruct } from 'constructs';
import { fail } from '../errors/edgefleet-error';
import { checkDnsLabel, checkDuration, checkImage, checkQuantity, durationSeconds } from '../prop-checks/checks';
import { quantityValue } from '../prop-checks/quantity';
import { overlay } from '../util/overlay';

/** Where a store's logs and metrics go, how much it produces, and how long an outage it must outlast. */
export interface TelemetrySettings {
  /** Loki push endpoint of the central log store, e.g. `https://logs.example.com/loki/api/v1/push`. */
  readonly logsUrl?: string;
  /** Prometheus remote-write endpoint of the central metrics store (Prometheus, Mimir, Thanos, VictoriaMetrics). */
  readonly metricsUrl?: string;
  /**
   * Secret in the store's namespace with the keys `username` and `password` for both endpoints
   * (basic auth). The Secret is created on the store, never committed.
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
  /** Fluent Bit image, the log agent. @default 'cr.fluentbit.io/fluent/fluent-bit:3.2.10' */
  readonly logAgentImage?: string;
  /** Prometheus image, run in agent mode as the metrics agent. @default 'quay.io/prometheus/prometheus:v3.1.0' */
  readonly metricsAgentImage?: string;
}

/** Telemetry settings with every field decided. */
export type ResolvedTelemetry = Required<Omit<TelemetrySettings, 'credentialsSecretName'>> & Pick<TelemetrySettings, 'credentialsSecretName'>;

const DEFAULTS: Omit<ResolvedTelemetry, 'logsUrl' | 'metricsUrl'> = {
  retention: '24h',
  logsPerHour: '20Mi',
  samplesPerSecond: 500,
  scrapeInterval: '30s',
  bufferHostPath: '/var/lib/edgefleet',
  logAgentImage: 'cr.fluentbit.io/fluent/fluent-bit:3.2.10',
  metricsAgentImage: 'quay.io/prometheus/prometheus:v3.1.0',
};

/**
 * Bytes a Prometheus agent's write-ahead log keeps per sample. Judgement, from Prometheus's own
 * figures: about 1–2 bytes per sample once compacted into blocks (prometheus.io/docs/prometheus/latest/storage),
 * and several times that in the WAL, where samples are stored with less compression.
 */
export const WAL_BYTES_PER_SAMPLE = 8;

/** Headroom over the expected volume, for bursts (judgement). */
export const BUFFER_HEADROOM = 1.25;

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
  const base = { ...DEFAULTS, logsUrl: '', metricsUrl: '', credentialsSecretName: undefined } as unknown as Required<TelemetrySettings>;
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
  if (t.logAgentImage !== undefined) checkImage(scope, 'telemetry.logAgentImage', t.logAgentImage);
  if (t.metricsAgentImage !== undefined) checkImage(scope, 'telemetry.metricsAgentImage', t.metricsAgentImage);
  if (t.credentialsSecretName !== undefined) checkDnsLabel(scope, 'telemetry.credentialsSecretName', t.credentialsSecretName);
}

/** Seconds of a Go duration: defined beside the duration check, exported here as before. */
export { durationSeconds };

/** How long the agents keep data: `retention` with headroom, so that an outage of exactly `retention` loses nothing. */
export function bufferedFor(t: ResolvedTelemetry): string {
  const minutes = Math.ceil((durationSeconds(t.retention) * BUFFER_HEADROOM) / 60);
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

/** Bytes of log buffer that hold `retention` of the store's logs, with headroom. */
export function logBufferBytes(t: ResolvedTelemetry): number {
  return Math.ceil(quantityValue(t.logsPerHour) * (durationSeconds(t.retention) / 3600) * BUFFER_HEADROOM);
}

/** Bytes of disk the metrics WAL needs to hold `retention` of samples, with headroom. */
export function metricsWalBytes(t: ResolvedTelemetry): number {
  return Math.ceil(t.samplesPerSecond * durationSeconds(t.retention) * WAL_BYTES_PER_SAMPLE * BUFFER_HEADROOM);
}
