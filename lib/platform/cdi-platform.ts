import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Cdiv1Beta1, Cdiv1Beta1SpecImagePullPolicy, Cdiv1Beta1SpecUninstallStrategy } from '../../imports/cdi-operator-cdi.kubevirt.io';
import { ManifestFile } from '../model/manifest-file';
import { ResolvedNodeProfile } from '../model/node-profile';
import { podPlacement } from '../model/pod-placement';
import { KEEP_ANNOTATIONS } from '../policies/keep-annotations';

/** Name of the CDI custom resource in CDI's release manifests (manifests/templates/release/cdi-cr.yaml.in, v1.63.1). */
export const CDI_CR_NAME = 'cdi';

/**
 * The feature gates of CDI's release custom resource (manifests/templates/release/cdi-cr.yaml.in,
 * v1.63.1), kept because ours replaces it. `HonorWaitForFirstConsumer` matters here: K3s's
 * local-path StorageClass binds a volume only once its consumer is scheduled.
 */
const RELEASE_FEATURE_GATES = ['HonorWaitForFirstConsumer', 'WebhookPvcRendering'];

/** Properties of a {@link CdiPlatform}. */
export interface CdiPlatformProps {
  /** The store's node profile: CDI's components and its importer pods are placed on its node, tolerating its taints. */
  readonly nodeProfile: ResolvedNodeProfile;
}

/**
 * The `CDI` custom resource (cdi.kubevirt.io/v1beta1, cluster-scoped) of a store with DataVolumes, in
 * `dist/stores/<id>/infrastructure/cdi.yaml`:
 * - infra (cdi-deployment, cdi-apiserver, cdi-uploadproxy) and workload (importer pods) placement on
 *   the store node, tolerating its taints: without it no DataVolume is imported on a tainted node;
 * - `imagePullPolicy: IfNotPresent`: CDI gives its pods this policy, including the pod that serves a
 *   registry disk image pulled by the node (`pullMethod: node`, pkg/controller/import-controller.go),
 *   so that the node's pre-loaded images serve an import offline;
 * - `uninstallStrategy: BlockUninstallIfWorkloadsExist`: CDI's webhook refuses to delete the custom
 *   resource (which uninstalls CDI) while DataVolumes exist (pkg/apiserver/webhooks/cdi-validate.go);
 * - kept when removed from Git (Flux prune disabled, Helm keep), like a store's VMs and disks.
 */
export class CdiPlatform extends ManifestFile {
  /** The generated CDI custom resource: the place for JSON patches. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: CdiPlatformProps) {
    super(scope, id, { tree: 'stores', path: 'infrastructure/cdi.yaml' });
    const placement = podPlacement(props.nodeProfile);
    this.resource = new Cdiv1Beta1(this, 'Resource', {
      metadata: { name: CDI_CR_NAME, annotations: KEEP_ANNOTATIONS },
      spec: {
        imagePullPolicy: Cdiv1Beta1SpecImagePullPolicy.IF_NOT_PRESENT,
        infra: placement,
        workload: placement,
        config: { featureGates: RELEASE_FEATURE_GATES },
        uninstallStrategy: Cdiv1Beta1SpecUninstallStrategy.BLOCK_UNINSTALL_IF_WORKLOADS_EXIST,
      },
    });
  }
}
