import { ResolvedTelemetry, logBufferBytes } from '../model/telemetry-settings';

/** Where the log agent keeps its buffer inside its container. */
export const LOG_BUFFER_PATH = '/buffer';

/** Store labels every log record and stream carries. */
export const TELEMETRY_LABELS = ['store', 'region', 'ring'];

/**
 * Fluent Bit's configuration, in its YAML format (fluent-bit.yaml, Fluent Bit 2.0 and later):
 * container logs and the journal, read into filesystem-backed chunks so that they survive restarts;
 * every record labelled with the store; shipped to Loki with retries that never give up, and the
 * oldest chunks dropped only when the buffer, sized for `retention`, is full.
 * Keys as documented at docs.fluentbit.io (Administration > Configuring Fluent Bit > YAML).
 */
export function fluentBitConfig(t: ResolvedTelemetry, labels: Record<string, string>): object {
  const url = new URL(t.logsUrl);
  const auth = t.credentialsSecretName ? { http_user: '${TELEMETRY_USERNAME}', http_passwd: '${TELEMETRY_PASSWORD}' } : {};
  return {
    service: {
      flush: 5,
      log_level: 'info',
      http_server: 'on',
      http_port: 2020,
      'storage.path': LOG_BUFFER_PATH,
      'storage.sync': 'normal',
      'storage.checksum': 'off',
      'storage.backlog.mem_limit': '16M',
      'storage.max_chunks_up': 64,
    },
    pipeline: {
      inputs: [
        {
          name: 'tail',
          tag: 'kube.*',
          path: '/var/log/containers/*.log',
          'multiline.parser': 'cri',
          db: `${LOG_BUFFER_PATH}/tail.db`,
          'storage.type': 'filesystem',
          skip_long_lines: 'on',
        },
        { name: 'systemd', tag: 'host.*', path: '/var/log/journal', db: `${LOG_BUFFER_PATH}/systemd.db`, 'storage.type': 'filesystem' },
      ],
      filters: [
        { name: 'kubernetes', match: 'kube.*', merge_log: 'on', labels: 'on', annotations: 'off' },
        { name: 'modify', match: '*', add: TELEMETRY_LABELS.filter((l) => labels[l]).map((l) => `${l} ${labels[l]}`) },
      ],
      outputs: [
        {
          name: 'loki',
          match: '*',
          host: url.hostname,
          port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
          uri: url.pathname,
          tls: url.protocol === 'https:' ? 'on' : 'off',
          labels: TELEMETRY_LABELS.filter((l) => labels[l])
            .map((l) => `${l}=${labels[l]}`)
            .join(', '),
          line_format: 'json',
          retry_limit: 'no_limits',
          // Fluent Bit reads "M" as 10^6 bytes; rounded up so that the buffer never holds less than planned.
          'storage.total_limit_size': `${Math.ceil(logBufferBytes(t) / 1e6)}M`,
          ...auth,
        },
      ],
    },
  };
}
