import * as path from 'path';
import { binaries } from './binaries';
import { ManagedProcess, waitFor } from './processes';
import { E2E_RECEIVERS } from '../fleet/e2e-fleet';

const { service: RECEIVERS_SERVICE, ports: PORTS } = E2E_RECEIVERS;

/**
 * The central receivers a store's agents send to, run on the host at the host's end of the node's
 * link (so nothing leaves the machine): VictoriaLogs for OTLP/HTTP logs, VictoriaMetrics for
 * Prometheus remote write. Both keep their data on disk, so that stopping them stands for an outage
 * of the central side (or of the WAN) and starting them again for its end.
 */
export class TelemetryReceivers {
  private processes: ManagedProcess[] = [];

  constructor(
    private readonly dir: string,
    /** The host address they listen on. */
    public readonly address: string,
  ) {}

  /** VictoriaLogs' URL, from the host. */
  public get logsUrl(): string {
    return `http://${this.address}:${PORTS.logs}`;
  }

  /** VictoriaMetrics' URL, from the host. */
  public get metricsUrl(): string {
    return `http://${this.address}:${PORTS.metrics}`;
  }

  /**
   * The Service (no selector) and EndpointSlice that give the receivers their in-cluster name, as a
   * store's DNS would resolve its central endpoints: kube-proxy sends the agents' connections to the host.
   */
  public serviceManifest(): object[] {
    const ports = Object.entries(PORTS).map(([name, port]) => ({ name, port, protocol: 'TCP' }));
    return [
      { apiVersion: 'v1', kind: 'Service', metadata: { ...RECEIVERS_SERVICE }, spec: { ports } },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: RECEIVERS_SERVICE.name,
          namespace: RECEIVERS_SERVICE.namespace,
          labels: { 'kubernetes.io/service-name': RECEIVERS_SERVICE.name },
        },
        addressType: 'IPv4',
        endpoints: [{ addresses: [this.address] }],
        ports,
      },
    ];
  }

  /** Starts both receivers on their data folders (kept from an earlier start) and waits until they answer. */
  public async start(): Promise<void> {
    const { victoriaLogs, victoriaMetrics } = binaries().telemetry;
    const logs = path.join(this.dir, 'logs');
    const started = [
      new ManagedProcess(
        'victoria-logs',
        victoriaLogs,
        [`-httpListenAddr=${this.address}:${PORTS.logs}`, `-storageDataPath=${path.join(this.dir, 'victoria-logs')}`, '-retentionPeriod=7d'],
        path.join(logs, 'victoria-logs.log'),
      ),
      new ManagedProcess(
        'victoria-metrics',
        victoriaMetrics,
        [`-httpListenAddr=${this.address}:${PORTS.metrics}`, `-storageDataPath=${path.join(this.dir, 'victoria-metrics')}`, '-retentionPeriod=7d'],
        path.join(logs, 'victoria-metrics.log'),
      ),
    ];
    this.processes = started;
    for (const [process, url] of [
      [started[0], this.logsUrl],
      [started[1], this.metricsUrl],
    ] as const) {
      await waitFor(
        `${process.name} /health`,
        async () => {
          if (!process.alive) throw new Error(`${process.name} exited:\n${process.tail()}`);
          const response = await fetch(`${url}/health`).catch(() => undefined);
          return response?.ok ? true : undefined;
        },
        60_000,
      );
    }
  }

  /** Stops both; their data stays on disk. */
  public async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    this.processes = [];
  }

  /** Makes what each receiver holds visible to queries now (both flush on their own within seconds). */
  public async flush(): Promise<void> {
    await fetch(`${this.metricsUrl}/internal/force_flush`);
    await fetch(`${this.logsUrl}/internal/force_flush`);
  }
}
