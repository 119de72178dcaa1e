import { EdgeApp, EdgeAppProps } from './edge-app';
import type { EdgeStore } from '../fleet/edge-store';

/** Properties of an {@link EdgeMonitor}. */
export interface EdgeMonitorProps extends EdgeAppProps {
  /** Memory limit. @default - '256Mi', or the memory request when that is set */
  readonly memoryLimit?: string;
}

/**
 * The customer's edge monitor: a Deployment with `OFFLINE_MODE=true`, so that it keeps working
 * while the store's WAN link is down, and 100m CPU / 128Mi memory requests.
 */
export class EdgeMonitor extends EdgeApp {
  constructor(store: EdgeStore, id: string, props: EdgeMonitorProps) {
    super(store, id, {
      ...props,
      memoryLimit: props.memoryLimit ?? props.memory ?? '256Mi',
      env: { ...props.env, OFFLINE_MODE: 'true' },
    });
  }
}
