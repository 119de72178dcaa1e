import { NodeAgent } from './node-agent';
import { CREDENTIALS_PATH, prometheusAgentConfig } from './prometheus-agent-config';
import { IEdgeStore } from '../model/contract';
import { ResolvedTelemetry, bufferedFor } from '../model/telemetry-settings';
import { HealthCheck } from '../workloads/health-check';

/** Where the metrics agent keeps its write-ahead log inside its container. */
const WAL_PATH = '/wal';

/**
 * The store's metrics agent: Prometheus in agent mode as a DaemonSet, its write-ahead log on the
 * node (`<bufferHostPath>/metrics-wal`) kept for `retention` plus headroom, remote-writing to the central store.
 * It runs as root because the WAL lives in a host folder that root owns.
 */
export class MetricsAgent extends NodeAgent {
  constructor(store: IEdgeStore, telemetry: ResolvedTelemetry, labels: Record<string, string>) {
    const credentials = telemetry.credentialsSecretName;
    super(store, 'metrics-agent', {
      container: {
        image: telemetry.metricsAgentImage,
        cpu: '100m',
        memory: '192Mi',
        memoryLimit: '384Mi',
        args: [
          '--agent',
          '--config.file=/etc/prometheus/edgefleet/prometheus.yml',
          `--storage.agent.path=${WAL_PATH}`,
          `--storage.agent.retention.max-time=${bufferedFor(telemetry)}`,
          '--web.listen-address=:9090',
        ],
        ports: { http: 9090 },
        // Its write-ahead log is in a host folder that root owns.
        runAsUser: 0,
        healthCheck: HealthCheck.http('/-/ready', 'http'),
      },
      configFile: 'prometheus.yml',
      config: prometheusAgentConfig(telemetry, labels),
      configMountPath: '/etc/prometheus/edgefleet',
      hostPaths: { [WAL_PATH]: { hostPath: `${telemetry.bufferHostPath}/metrics-wal`, readOnly: false } },
      rules: [
        { apiGroups: [''], resources: ['nodes', 'nodes/metrics', 'nodes/proxy', 'pods'], verbs: ['get', 'list', 'watch'] },
        { nonResourceUrLs: ['/metrics', '/metrics/cadvisor'], verbs: ['get'] },
      ],
      extraVolumes: credentials ? [{ volume: { name: 'credentials', secret: { secretName: credentials } }, mountPath: CREDENTIALS_PATH }] : [],
      metricsPort: { port: 9090, path: '/metrics' },
    });
  }
}
