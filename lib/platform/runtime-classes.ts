import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ManifestFile } from '../model/manifest-file';

/** Properties of {@link RuntimeClasses}. */
export interface RuntimeClassesProps {
  /** The RuntimeClasses, each named after its containerd handler (e.g. `wasmedge`). */
  readonly names: string[];
}

/**
 * The store node's RuntimeClasses (node.k8s.io/v1), in `dist/stores/<id>/infrastructure/runtime-classes.yaml`,
 * for a store whose K3s does not publish them itself (`nodeProfile.runtimeClassSource: 'edgefleet'`).
 * Each is named after its handler, as K3s names its own (k3s manifests/runtimes.yaml).
 */
export class RuntimeClasses extends ManifestFile {
  constructor(scope: Construct, id: string, props: RuntimeClassesProps) {
    super(scope, id, { tree: 'stores', path: 'infrastructure/runtime-classes.yaml' });
    for (const name of props.names) {
      new k8s.KubeRuntimeClass(this, name, { metadata: { name }, handler: name });
    }
  }
}
