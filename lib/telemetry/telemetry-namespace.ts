import { k8s } from 'cdk8s-plus-28';
import { IEdgeStore } from '../model/contract';
import { ManifestFile } from '../model/manifest-file';
import { KEEP_ANNOTATIONS } from '../policies/keep-annotations';
import { podSecurityLabels } from '../policies/pod-security-labels';

/** Properties of a {@link TelemetryNamespace}. */
export interface TelemetryNamespaceProps {
  /** The namespace's name. */
  readonly name: string;
}

/**
 * The namespace of the store's telemetry agents, in `infrastructure/telemetry-namespace.yaml`: a
 * namespace of their own, since they read host folders, which only the `privileged` Pod Security level
 * allows, so that the workload namespace can enforce a stricter level. Kept when it leaves Git, as every
 * namespace of the store is.
 */
export class TelemetryNamespace extends ManifestFile {
  constructor(store: IEdgeStore, id: string, props: TelemetryNamespaceProps) {
    super(store, id, { tree: 'stores', path: 'infrastructure/telemetry-namespace.yaml' });
    new k8s.KubeNamespace(this, 'Resource', {
      metadata: { name: props.name, labels: podSecurityLabels(store, props.name, false), annotations: KEEP_ANNOTATIONS },
    });
  }
}
