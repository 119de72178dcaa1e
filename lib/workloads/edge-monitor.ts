import { EdgeApp, EdgeAppProps } from './edge-app';
import { HealthCheck } from './health-check';
import { SCRAPE_ANNOTATIONS } from './scrape-annotations';
import { IEdgeStore } from '../model/contract';
import { checkInteger } from '../prop-checks/checks';

/** Properties of an {@link EdgeMonitor}. */
export interface EdgeMonitorProps extends EdgeAppProps {
  /** Memory limit. @default - '256Mi', or the memory request when that is set */
  readonly memoryLimit?: string;
  /** Port on which the monitor serves what it collects in the Prometheus format, at `/metrics`. @default 9100 */
  readonly metricsPort?: number;
}

/**
 * The customer's edge monitor, checked by an HTTP GET of its `/metrics`: a Deployment with `OFFLINE_MODE=true`, so that it keeps working
 * while the store's WAN link is down, and 100m CPU / 128Mi memory requests. Its metrics port is
 * annotated for the store's metrics agent, which ships what it collects.
 */
export class EdgeMonitor extends EdgeApp {
  constructor(store: IEdgeStore, id: string, props: EdgeMonitorProps) {
    const metricsPort = props.metricsPort ?? 9100;
    super(store, id, {
      ...props,
      memoryLimit: props.memoryLimit ?? props.memory ?? '256Mi',
      env: { ...props.env, OFFLINE_MODE: 'true' },
      ports: { ...props.ports, metrics: metricsPort },
      healthCheck: props.healthCheck ?? HealthCheck.http('/metrics', 'metrics'),
      podAnnotations: {
        ...props.podAnnotations,
        [SCRAPE_ANNOTATIONS.scrape]: 'true',
        [SCRAPE_ANNOTATIONS.port]: String(metricsPort),
        [SCRAPE_ANNOTATIONS.path]: '/metrics',
      },
    });
    checkInteger(this, 'metricsPort', metricsPort, 1);
  }
}
