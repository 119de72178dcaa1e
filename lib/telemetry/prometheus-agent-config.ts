import { TELEMETRY_LABELS } from './fluent-bit-config';
import { ResolvedTelemetry } from '../model/telemetry-settings';
import { SCRAPE_ANNOTATIONS } from '../workloads/scrape-annotations';

/** Where the metrics agent mounts the remote-write credentials. */
export const CREDENTIALS_PATH = '/etc/telemetry-credentials';

/**
 * Prometheus's configuration for agent mode (prometheus.io/docs/prometheus/latest/configuration/configuration):
 * scrape the kubelet's cAdvisor and every pod annotated `prometheus.io/scrape: "true"`, label every
 * series with the store, and remote-write to the central store. Prometheus retries recoverable
 * remote-write failures without a limit while the samples are in its WAL, which `--storage.agent.retention.max-time`
 * keeps for `retention`.
 */
export function prometheusAgentConfig(t: ResolvedTelemetry, labels: Record<string, string>): object {
  const auth = t.credentialsSecretName
    ? { basic_auth: { username_file: `${CREDENTIALS_PATH}/username`, password_file: `${CREDENTIALS_PATH}/password` } }
    : {};
  return {
    global: {
      scrape_interval: t.scrapeInterval,
      external_labels: Object.fromEntries(TELEMETRY_LABELS.filter((l) => labels[l]).map((l) => [l, labels[l]])),
    },
    scrape_configs: [
      {
        job_name: 'kubelet-cadvisor',
        scheme: 'https',
        metrics_path: '/metrics/cadvisor',
        kubernetes_sd_configs: [{ role: 'node' }],
        authorization: { credentials_file: '/var/run/secrets/kubernetes.io/serviceaccount/token' },
        // The kubelet serves a self-signed certificate on K3s.
        tls_config: { insecure_skip_verify: true },
      },
      {
        job_name: 'pods',
        kubernetes_sd_configs: [{ role: 'pod' }],
        relabel_configs: [
          { source_labels: [meta(SCRAPE_ANNOTATIONS.scrape)], regex: 'true', action: 'keep' },
          { source_labels: [meta(SCRAPE_ANNOTATIONS.path)], regex: '(.+)', target_label: '__metrics_path__' },
          {
            source_labels: ['__address__', meta(SCRAPE_ANNOTATIONS.port)],
            regex: '([^:]+)(?::\\d+)?;(\\d+)',
            replacement: '$1:$2',
            target_label: '__address__',
          },
          { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
          { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
        ],
      },
    ],
    remote_write: [
      {
        url: t.metricsUrl,
        queue_config: { max_backoff: '5m', min_backoff: '1s' },
        ...auth,
      },
    ],
  };
}

/** The service-discovery meta label of a pod annotation. */
function meta(annotation: string): string {
  return `__meta_kubernetes_pod_annotation_${annotation.replace(/[^a-zA-Z0-9]/g, '_')}`;
}
