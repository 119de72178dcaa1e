import { NodeAgent } from './node-agent';
import { LOG_AGENT_METRICS_PORT, LOG_BUFFER_PATH, POD_LOGS_PATH, otelCollectorConfig } from './otel-collector-config';
import { IEdgeStore } from '../model/contract';
import { ResolvedTelemetry } from '../model/telemetry-settings';
import { HealthCheck } from '../workloads/health-check';

/** The log agent's memory limit; its Go runtime is told to stay within four fifths of it. */
const MEMORY_LIMIT_MIB = 128;

/**
 * The store's log agent: the OpenTelemetry Collector as a DaemonSet, reading the kubelet's pod logs,
 * with its read positions and its queue on the node (`<bufferHostPath>/log-buffer`), shipping over
 * OTLP/HTTP. It needs no Kubernetes API (the container parser reads namespace, pod and container from
 * the file's path), and runs as root to read the logs, which the container runtime writes as root
 * with mode 0640. It does not read the node's journal (the upstream images have no `journalctl`).
 */
export class LogAgent extends NodeAgent {
  constructor(store: IEdgeStore, telemetry: ResolvedTelemetry, labels: Record<string, string>) {
    const credentials = telemetry.credentialsSecretName;
    super(store, 'log-agent', {
      namespace: telemetry.namespace,
      container: {
        image: telemetry.logAgentImage,
        cpu: '50m',
        memory: '64Mi',
        memoryLimit: `${MEMORY_LIMIT_MIB}Mi`,
        args: ['--config=/etc/otelcol/edgefleet/config.yaml', '--feature-gates=stanza.synchronousLogEmitter'],
        env: { GOMEMLIMIT: `${Math.floor((MEMORY_LIMIT_MIB * 4) / 5)}MiB` },
        ports: { metrics: LOG_AGENT_METRICS_PORT },
        runAsUser: 0,
        healthCheck: HealthCheck.http('/metrics', 'metrics'),
      },
      configFile: 'config.yaml',
      config: otelCollectorConfig(telemetry, labels),
      configMountPath: '/etc/otelcol/edgefleet',
      hostPaths: {
        [POD_LOGS_PATH]: { hostPath: POD_LOGS_PATH, readOnly: true },
        [LOG_BUFFER_PATH]: { hostPath: `${telemetry.bufferHostPath}/log-buffer`, readOnly: false },
      },
      rules: [],
      containerExtra: credentials
        ? {
            env: ['username', 'password'].map((key) => ({
              name: `TELEMETRY_${key.toUpperCase()}`,
              valueFrom: { secretKeyRef: { name: credentials, key } },
            })),
          }
        : {},
      metricsPort: { port: LOG_AGENT_METRICS_PORT, path: '/metrics' },
    });
  }
}
