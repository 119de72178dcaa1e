import { LOG_BUFFER_PATH, fluentBitConfig } from './fluent-bit-config';
import { NodeAgent } from './node-agent';
import { IEdgeStore } from '../model/contract';
import { ResolvedTelemetry } from '../model/telemetry-settings';
import { HealthCheck } from '../workloads/health-check';

/**
 * The store's log agent: Fluent Bit as a DaemonSet, reading container logs and the journal, with
 * its filesystem buffer on the node (`<bufferHostPath>/log-buffer`), shipping to Loki.
 */
export class LogAgent extends NodeAgent {
  constructor(store: IEdgeStore, telemetry: ResolvedTelemetry, labels: Record<string, string>) {
    const credentials = telemetry.credentialsSecretName;
    super(store, 'log-agent', {
      container: {
        image: telemetry.logAgentImage,
        cpu: '50m',
        memory: '64Mi',
        memoryLimit: '128Mi',
        args: ['--config=/fluent-bit/etc/edgefleet/fluent-bit.yaml'],
        ports: { http: 2020 },
        // It reads the containers' logs, which root owns (mode 0640), and keeps its buffer in a host folder.
        runAsUser: 0,
        healthCheck: HealthCheck.http('/api/v1/health', 'http'),
      },
      configFile: 'fluent-bit.yaml',
      config: fluentBitConfig(telemetry, labels),
      configMountPath: '/fluent-bit/etc/edgefleet',
      hostPaths: {
        '/var/log': { hostPath: '/var/log', readOnly: true },
        [LOG_BUFFER_PATH]: { hostPath: `${telemetry.bufferHostPath}/log-buffer`, readOnly: false },
      },
      rules: [{ apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['get', 'list', 'watch'] }],
      containerExtra: credentials
        ? {
            env: ['username', 'password'].map((key) => ({
              name: `TELEMETRY_${key.toUpperCase()}`,
              valueFrom: { secretKeyRef: { name: credentials, key } },
            })),
          }
        : {},
      metricsPort: { port: 2020, path: '/api/v2/metrics/prometheus' },
    });
  }
}
