import * as YAML from 'yaml';
import { EdgeMonitor, EdgeStore, TelemetrySettings } from '../../lib';
import { renderStore } from '../../lib/synth/render-store';
import { documents, testFleet, withLateChecks } from '../util';

const TELEMETRY: TelemetrySettings = {
  logsUrl: 'https://logs.example.com/loki/api/v1/push',
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

/** Properties documented for each Fluent Bit section and plugin used (docs.fluentbit.io, 3.2). */
const FLUENT_BIT_DOCUMENTED: Record<string, string[]> = {
  service: [
    'flush',
    'log_level',
    'http_server',
    'http_port',
    'storage.path',
    'storage.sync',
    'storage.checksum',
    'storage.backlog.mem_limit',
    'storage.max_chunks_up',
  ],
  'input:tail': ['name', 'tag', 'path', 'multiline.parser', 'db', 'storage.type', 'skip_long_lines'],
  'input:systemd': ['name', 'tag', 'path', 'db', 'storage.type'],
  'filter:kubernetes': ['name', 'match', 'merge_log', 'labels', 'annotations'],
  'filter:modify': ['name', 'match', 'add'],
  'output:loki': [
    'name',
    'match',
    'host',
    'port',
    'uri',
    'tls',
    'labels',
    'line_format',
    'retry_limit',
    'storage.total_limit_size',
    'http_user',
    'http_passwd',
  ],
};

/** Keys documented for Prometheus's configuration file (prometheus.io/docs/prometheus/latest/configuration/configuration). */
const PROMETHEUS_DOCUMENTED = {
  top: ['global', 'scrape_configs', 'remote_write'],
  global: ['scrape_interval', 'external_labels'],
  scrape: ['job_name', 'scheme', 'metrics_path', 'kubernetes_sd_configs', 'authorization', 'tls_config', 'relabel_configs'],
  relabel: ['source_labels', 'regex', 'action', 'replacement', 'target_label'],
  remoteWrite: ['url', 'queue_config', 'basic_auth'],
};

describe('telemetry', () => {
  test('GIVEN fleet telemetry WHEN synthesized THEN every log record and stream carries store, region and ring', () => {
    const { config } = agent(store(), 'log-agent');
    expect(config.pipeline.filters.find((f: any) => f.name === 'modify').add).toEqual(['store store-017', 'region eu-west', 'ring early']);
    expect(config.pipeline.outputs[0].labels).toBe('store=store-017, region=eu-west, ring=early');
  });

  test('GIVEN fleet telemetry WHEN synthesized THEN every series carries store, region and ring', () => {
    const { config } = agent(store(), 'metrics-agent');
    expect(config.global.external_labels).toEqual({ store: 'store-017', region: 'eu-west', ring: 'early' });
  });

  test(
    'GIVEN a 24h retention and 20Mi of logs an hour WHEN synthesized THEN logs buffer on disk for the whole outage and are retried without ' +
      'limit',
    () => {
      // GIVEN / WHEN
      const { config, daemonSet } = agent(store(), 'log-agent');

      // THEN
      expect(config.service['storage.path']).toBe('/buffer');
      expect(config.pipeline.inputs.map((i: any) => i['storage.type'])).toEqual(['filesystem', 'filesystem']);
      const output = config.pipeline.outputs[0];
      expect(output.retry_limit).toBe('no_limits');
      // 20 MiB/h x 24 h x 1.25 headroom = 629,145,600 bytes
      expect(output['storage.total_limit_size']).toBe('630M');
      expect(daemonSet.spec.template.spec.volumes).toContainEqual({
        name: 'host-1',
        hostPath: { path: '/var/lib/edgefleet/log-buffer', type: 'DirectoryOrCreate' },
      });
    },
  );

  test('GIVEN a 24h retention WHEN synthesized THEN the metrics WAL lives on the node and is kept 24h plus headroom', () => {
    const { daemonSet, config } = agent(store(), 'metrics-agent');
    const container = daemonSet.spec.template.spec.containers[0];
    expect(container.args).toEqual(expect.arrayContaining(['--agent', '--storage.agent.path=/wal', '--storage.agent.retention.max-time=30h']));
    expect(daemonSet.spec.template.spec.volumes).toContainEqual({
      name: 'host-0',
      hostPath: { path: '/var/lib/edgefleet/metrics-wal', type: 'DirectoryOrCreate' },
    });
    expect(config.remote_write[0]).toMatchObject({
      url: 'https://metrics.example.com/api/v1/write',
      basic_auth: { username_file: '/etc/telemetry-credentials/username' },
    });
  });

  test('GIVEN the generated configurations WHEN parsed THEN they use only documented sections and properties', () => {
    const logs = agent(store(), 'log-agent').config;
    Object.keys(logs.service).forEach((k) => expect(FLUENT_BIT_DOCUMENTED.service).toContain(k));
    for (const [section, kind] of [
      ['inputs', 'input'],
      ['filters', 'filter'],
      ['outputs', 'output'],
    ] as const) {
      for (const plugin of logs.pipeline[section]) {
        const documented = FLUENT_BIT_DOCUMENTED[`${kind}:${plugin.name}`];
        expect(documented).toBeDefined();
        Object.keys(plugin).forEach((k) =>
          expect([`${kind}:${plugin.name}`, k]).toEqual([`${kind}:${plugin.name}`, documented.includes(k) ? k : 'undocumented']),
        );
      }
    }

    const metrics = agent(store(), 'metrics-agent').config;
    const within = (o: object, keys: string[]) => Object.keys(o).forEach((k) => expect(keys).toContain(k));
    within(metrics, PROMETHEUS_DOCUMENTED.top);
    within(metrics.global, PROMETHEUS_DOCUMENTED.global);
    metrics.scrape_configs.forEach((sc: any) => {
      within(sc, PROMETHEUS_DOCUMENTED.scrape);
      (sc.relabel_configs ?? []).forEach((r: any) => within(r, PROMETHEUS_DOCUMENTED.relabel));
      (sc.relabel_configs ?? []).forEach((r: any) => expect(() => new RegExp(`^(?:${r.regex ?? '.*'})$`)).not.toThrow());
    });
    metrics.remote_write.forEach((rw: any) => within(rw, PROMETHEUS_DOCUMENTED.remoteWrite));
    expect(metrics.global.scrape_interval).toMatch(/^((([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?|0)$/);
  });

  test("GIVEN credentials WHEN synthesized THEN they come from the store's Secret and never appear in Git", () => {
    const s = store();
    const logs = agent(s, 'log-agent').daemonSet.spec.template.spec.containers[0];
    expect(logs.env).toEqual([
      { name: 'TELEMETRY_USERNAME', valueFrom: { secretKeyRef: { name: 'telemetry-credentials', key: 'username' } } },
      { name: 'TELEMETRY_PASSWORD', valueFrom: { secretKeyRef: { name: 'telemetry-credentials', key: 'password' } } },
    ]);
    expect([...renderStore(s).values()].join('\n')).not.toMatch(/kind: Secret/);
  });

  test('GIVEN a store that opts out or overrides WHEN synthesized THEN it has no agents, or its own retention', () => {
    expect(renderStore(store(TELEMETRY, false)).has('stores/store-017/workloads/log-agent.yaml')).toBe(false);
    const longer = agent(store(TELEMETRY, { retention: '72h' }), 'metrics-agent').daemonSet.spec.template.spec.containers[0];
    expect(longer.args).toContain('--storage.agent.retention.max-time=90h');
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
