import * as YAML from 'yaml';
import { EdgeMonitor, EdgeStore, TelemetrySettings } from '../../lib';
import { renderStore } from '../../lib/synth/render-store';
import { documents, testFleet, withLateChecks } from '../util';

const TELEMETRY: TelemetrySettings = {
  logsUrl: 'https://logs.example.com/insert/opentelemetry/v1/logs',
  metricsUrl: 'https://metrics.example.com/api/v1/write',
  credentialsSecretName: 'telemetry-credentials',
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function store(fleetTelemetry: TelemetrySettings | undefined = TELEMETRY, storeTelemetry?: TelemetrySettings | false): EdgeStore {
  return new EdgeStore(testFleet({ telemetry: fleetTelemetry }), 'store-017', {
    labels: { region: 'eu-west', ring: 'early', city: 'lyon' },
    telemetry: storeTelemetry,
  });
}

function agent(s: EdgeStore, id: 'log-agent' | 'metrics-agent') {
  const docs = documents(s, `stores/store-017/workloads/${id}.yaml`);
  const configMap = docs.find((d) => d.kind === 'ConfigMap');
  return {
    daemonSet: docs.find((d) => d.kind === 'DaemonSet'),
    config: YAML.parse(Object.values(configMap.data)[0] as string),
    docs,
  };
}

describe('telemetry', () => {
  test('GIVEN fleet telemetry WHEN synthesized THEN every log record and series carries store, region and ring', () => {
    const logs = agent(store(), 'log-agent').config;
    expect(logs.processors.resource.attributes).toEqual([
      { key: 'store', value: 'store-017', action: 'upsert' },
      { key: 'region', value: 'eu-west', action: 'upsert' },
      { key: 'ring', value: 'early', action: 'upsert' },
    ]);
    const metrics = agent(store(), 'metrics-agent').daemonSet.spec.template.spec.containers[0];
    expect(metrics.args).toEqual(
      expect.arrayContaining(['-remoteWrite.label=store=store-017', '-remoteWrite.label=region=eu-west', '-remoteWrite.label=ring=early']),
    );
  });

  test(
    'GIVEN a 24h retention and 20Mi of logs an hour WHEN synthesized THEN logs queue on disk for the whole outage and are retried without ' + 'limit',
    () => {
      // GIVEN / WHEN
      const { config, daemonSet } = agent(store(), 'log-agent');

      // THEN
      expect(config.receivers.file_log).toMatchObject({ include: ['/var/log/pods/*/*/*.log', '/var/log/pods/*/*/*.log.*'], storage: 'file_storage' });
      expect(config.extensions.file_storage).toMatchObject({ directory: '/buffer', fsync: true });
      const exporter = config.exporters.otlp_http;
      expect(exporter.logs_endpoint).toBe('https://logs.example.com/insert/opentelemetry/v1/logs');
      expect(exporter.retry_on_failure.max_elapsed_time).toBe(0);
      // 20 MiB/h x 24 h x 1.25 headroom x 2.5 bytes queued per byte of log = 1,572,864,000 bytes
      expect(exporter.sending_queue).toMatchObject({ storage: 'file_storage', sizer: 'bytes', queue_size: 1572864000, num_consumers: 1 });
      expect(daemonSet.spec.template.spec.volumes).toContainEqual({
        name: 'host-1',
        hostPath: { path: '/var/lib/edgefleet/log-buffer', type: 'DirectoryOrCreate' },
      });
      expect(daemonSet.spec.template.spec.containers[0].args).toContain('--feature-gates=stanza.synchronousLogEmitter');
    },
  );

  test('GIVEN a 24h retention and 500 samples a second WHEN synthesized THEN the metrics queue lives on the node, sized in whole queue files', () => {
    const { daemonSet, config } = agent(store(), 'metrics-agent');
    const container = daemonSet.spec.template.spec.containers[0];
    // 500 samples/s x 86,400 s x 1.25 headroom x 14 bytes = 756,000,000 bytes, rounded up to two files of 500 MB
    expect(container.args).toEqual(
      expect.arrayContaining([
        '-remoteWrite.url=https://metrics.example.com/api/v1/write',
        '-remoteWrite.tmpDataPath=/buffer',
        '-remoteWrite.maxDiskUsagePerURL=1000000000',
        '-remoteWrite.basicAuth.usernameFile=/etc/telemetry-credentials/username',
      ]),
    );
    expect(daemonSet.spec.template.spec.volumes).toContainEqual({
      name: 'host-0',
      hostPath: { path: '/var/lib/edgefleet/metrics-queue', type: 'DirectoryOrCreate' },
    });
    expect(Object.keys(config).sort()).toEqual(['global', 'scrape_configs']);
  });

  test('GIVEN the agents WHEN synthesized THEN they run in a namespace of their own; only the metrics agent reads the API, never nodes/proxy', () => {
    const s = store();
    const logs = agent(s, 'log-agent').daemonSet;
    const metrics = agent(s, 'metrics-agent').daemonSet;
    expect([logs.metadata.namespace, metrics.metadata.namespace]).toEqual(['edgefleet-telemetry', 'edgefleet-telemetry']);
    expect(logs.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(logs.spec.template.spec.serviceAccountName).toBeUndefined();
    const access = documents(s, 'stores/store-017/infrastructure/metrics-agent-access.yaml');
    expect(access.find((o) => o.kind === 'ClusterRole').rules).toEqual([
      { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
    ]);
    expect(renderStore(s).has('stores/store-017/infrastructure/log-agent-access.yaml')).toBe(false);
    const namespace = documents(s, 'stores/store-017/infrastructure/telemetry-namespace.yaml')[0];
    expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  test("GIVEN credentials WHEN synthesized THEN they come from the store's Secret and never appear in Git", () => {
    const s = store();
    const logs = agent(s, 'log-agent');
    expect(logs.daemonSet.spec.template.spec.containers[0].env).toEqual([
      { name: 'GOMEMLIMIT', value: '102MiB' },
      { name: 'TELEMETRY_USERNAME', valueFrom: { secretKeyRef: { name: 'telemetry-credentials', key: 'username' } } },
      { name: 'TELEMETRY_PASSWORD', valueFrom: { secretKeyRef: { name: 'telemetry-credentials', key: 'password' } } },
    ]);
    expect(logs.config.exporters.otlp_http.auth).toEqual({ authenticator: 'basicauth/telemetry' });
    expect([...renderStore(s).values()].join('\n')).not.toMatch(/kind: Secret/);
  });

  test('GIVEN a store that opts out or overrides WHEN synthesized THEN it has no agents, or its own retention', () => {
    expect(renderStore(store(TELEMETRY, false)).has('stores/store-017/workloads/log-agent.yaml')).toBe(false);
    const longer = agent(store(TELEMETRY, { retention: '72h' }), 'metrics-agent').daemonSet.spec.template.spec.containers[0];
    expect(longer.args).toContain('-remoteWrite.maxDiskUsagePerURL=2500000000');
  });

  test('GIVEN the edge monitor WHEN synthesized THEN its metrics port is annotated for the metrics agent', () => {
    const s = store();
    new EdgeMonitor(s, 'edge-monitor', { image: 'registry.example.com/edge-monitor:1.4.2' });
    const deployment = documents(s, 'stores/store-017/workloads/edge-monitor.yaml')[0];
    expect(deployment.spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9100',
      'prometheus.io/path': '/metrics',
    });
    expect(deployment.spec.template.spec.containers[0].ports).toEqual([{ name: 'metrics', containerPort: 9100, protocol: 'TCP' }]);
  });

  test.each([
    [{ logsUrl: 'logs.example.com' }, 'telemetry.logsUrl "logs.example.com" is not an HTTP(S) endpoint (use "https://host/path")'],
    [{ metricsUrl: 'https://metrics example.com' }, 'telemetry.metricsUrl "https://metrics example.com" is not an HTTP(S) endpoint'],
    [{ logsPerHour: '20 MB' }, 'telemetry.logsPerHour "20 MB" is not a Kubernetes quantity (use "20Mi")'],
    [{ retention: '1 day' }, 'telemetry.retention "1 day" is not a duration'],
    [{ samplesPerSecond: 0 }, 'telemetry.samplesPerSecond 0 must be a positive number'],
    [{ credentialsSecretName: 'Telemetry Creds' }, 'telemetry.credentialsSecretName "Telemetry Creds" is not an RFC 1123 label'],
  ])('GIVEN bad telemetry %j WHEN set fleet-wide THEN the fleet is named; WHEN set for one store THEN that store is', (override, message) => {
    expect(() => store({ ...TELEMETRY, ...override })).toThrow(new RegExp(`^fleet: ${escapeRegExp(message)}`));
    expect(withLateChecks(() => store(TELEMETRY, override))).toThrow(new RegExp(`^store "store-017": ${escapeRegExp(message)}`));
  });

  test('GIVEN fleet-wide telemetry without endpoints WHEN creating the fleet THEN the fleet is named, not its first store', () => {
    expect(() => testFleet({ telemetry: { logsUrl: TELEMETRY.logsUrl } })).toThrow('fleet: telemetry.metricsUrl "" is not an HTTP(S) endpoint');
  });
});
