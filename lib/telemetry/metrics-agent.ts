import { NodeAgent } from './node-agent';
import { CREDENTIALS_PATH, METRICS_AGENT_PORT, METRICS_BUFFER_PATH, SCRAPE_CONFIG_PATH, vmagentArgs, vmagentScrapeConfig } from './vmagent-config';
import { IEdgeStore } from '../model/contract';
import { ResolvedTelemetry } from '../model/telemetry-settings';
import { HealthCheck } from '../workloads/health-check';

/**
 * The store's metrics agent: vmagent as a DaemonSet, scraping the kubelet's cAdvisor and the annotated
 * pods, remote-writing to the central store through its queue on the node (`<bufferHostPath>/metrics-queue`),
 * sized for `retention`. It runs as root because its queue lives in a host folder that root owns.
 * Chosen over Prometheus in agent mode, which loses the samples it holds when it restarts during an
 * outage (its remote write starts from the samples newer than its start: prometheus/prometheus#8809).
 */
export class MetricsAgent extends NodeAgent {
  constructor(store: IEdgeStore, telemetry: ResolvedTelemetry, labels: Record<string, string>) {
    const credentials = telemetry.credentialsSecretName;
    super(store, 'metrics-agent', {
      namespace: telemetry.namespace,
      container: {
        image: telemetry.metricsAgentImage,
        cpu: '50m',
        memory: '128Mi',
        memoryLimit: '256Mi',
        args: vmagentArgs(telemetry, labels),
        ports: { http: METRICS_AGENT_PORT },
        runAsUser: 0,
        healthCheck: HealthCheck.http('/health', 'http'),
      },
      configFile: 'scrape.yml',
      config: vmagentScrapeConfig(telemetry),
      configMountPath: SCRAPE_CONFIG_PATH,
      hostPaths: { [METRICS_BUFFER_PATH]: { hostPath: `${telemetry.bufferHostPath}/metrics-queue`, readOnly: false } },
      rules: [
        // Service discovery of the node and of the annotated pods (Prometheus's documentation/examples/rbac-setup.yml, which vmagent follows).
        { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['list', 'watch'] },
        // The scrape of the kubelet's /metrics/cadvisor: the kubelet authorizes any /metrics path as `get nodes/metrics`
        // (kubernetes pkg/kubelet/server/auth.go, GetRequestAttributes). Never nodes/proxy, which allows exec into every pod.
        { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
      ],
      extraVolumes: credentials ? [{ volume: { name: 'credentials', secret: { secretName: credentials } }, mountPath: CREDENTIALS_PATH }] : [],
      metricsPort: { port: METRICS_AGENT_PORT, path: '/metrics' },
    });
  }
}
