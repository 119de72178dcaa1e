import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { KUBEVIRT_VERSION, isKubeVirtVersion } from './platform-versions';
import { KubeVirt } from '../../imports/kubevirt-operator-kubevirt.io';
import { fail } from '../errors/edgefleet-error';
import { ManifestFile } from '../model/manifest-file';
import { ResolvedNodeProfile } from '../model/node-profile';
import { podPlacement } from '../model/pod-placement';
import { KEEP_ANNOTATIONS } from '../policies/keep-annotations';

/**
 * Name of the KubeVirt custom resource in KubeVirt's release manifests (tools/resource-generator, v1.6.5),
 * so that a store bootstrapped with them keeps one custom resource, now managed from Git.
 */
export const KUBEVIRT_CR_NAME = 'kubevirt';

/**
 * Replicas of virt-api and virt-controller on a single-node store. KubeVirt's default is 2 for
 * virt-controller (pkg/virt-operator/resource/generate/components/deployments.go, `newBaseDeployment`)
 * and, on one node, 1 for virt-api (pkg/virt-operator/resource/apply/apps.go, `getDesiredApiReplicas`);
 * a second replica on the same node protects from nothing a node failure would not take down too.
 */
export const SINGLE_NODE_INFRA_REPLICAS = 1;

/** Annotation of a store's `KubeVirt` custom resource: the KubeVirt release its store runs, which checks of the tree read. */
export const KUBEVIRT_VERSION_ANNOTATION = 'edgefleet.io/kubevirt-version';

/** Properties of a {@link KubeVirtPlatform}. */
export interface KubeVirtPlatformProps {
  /** The store's node profile: KubeVirt's components are placed on its node, tolerating its taints; its `kubevirtVersion` is what the store runs. */
  readonly nodeProfile: ResolvedNodeProfile;
}

/**
 * The `KubeVirt` custom resource (kubevirt.io/v1) of a store that runs VMs, in
 * `dist/stores/<id>/infrastructure/kubevirt.yaml`: KubeVirt tuned for one small node.
 * - `spec.infra.replicas: 1`, and infra (virt-api, virt-controller) and workload (virt-handler)
 *   placement on the store node, tolerating its taints: without the toleration, virt-handler stays off
 *   a tainted node and no VM starts;
 * - the feature gates the store's VMs need (none for what `EdgePosVm` generates; see `addFeatureGates`);
 * - `uninstallStrategy: BlockUninstallIfWorkloadsExist`: KubeVirt's webhook refuses to delete the
 *   custom resource (which uninstalls KubeVirt) while VMs exist (pkg/virt-operator/webhooks/webhook.go);
 * - `imagePullPolicy: IfNotPresent`, so KubeVirt's own pods restart from the node's images offline;
 * - kept when removed from Git (Flux prune disabled, Helm keep), like a store's VMs and disks;
 * - the KubeVirt release the store runs, as annotation `edgefleet.io/kubevirt-version`.
 */
export class KubeVirtPlatform extends ManifestFile {
  /** The generated KubeVirt custom resource: the place for JSON patches. */
  public readonly resource: ApiObject;
  private readonly featureGates = new Set<string>();

  constructor(scope: Construct, id: string, props: KubeVirtPlatformProps) {
    super(scope, id, { tree: 'stores', path: 'infrastructure/kubevirt.yaml' });
    const nodePlacement = podPlacement(props.nodeProfile);
    const version = props.nodeProfile.kubevirtVersion ?? KUBEVIRT_VERSION;
    if (!isKubeVirtVersion(version)) {
      fail(this, `nodeProfile.kubevirtVersion "${version}" is not a KubeVirt release tag (use the operator's tag, such as "${KUBEVIRT_VERSION}")`);
    }
    this.resource = new KubeVirt(this, 'Resource', {
      metadata: {
        name: KUBEVIRT_CR_NAME,
        namespace: props.nodeProfile.kubevirtNamespace,
        annotations: { ...KEEP_ANNOTATIONS, [KUBEVIRT_VERSION_ANNOTATION]: version },
      },
      spec: {
        imagePullPolicy: 'IfNotPresent',
        infra: { replicas: SINGLE_NODE_INFRA_REPLICAS, nodePlacement },
        workloads: { nodePlacement },
        configuration: Lazy.any({ produce: () => this.configuration() }),
        uninstallStrategy: 'BlockUninstallIfWorkloadsExist',
      },
    });
  }

  /** Enables KubeVirt feature gates, e.g. `HostDisk` for a VM patched to use a hostDisk volume. */
  public addFeatureGates(...gates: string[]): void {
    for (const gate of gates) {
      if (typeof gate !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(gate)) {
        fail(this, `KubeVirt feature gate "${gate}" is not a feature gate name (use KubeVirt's spelling, such as "HostDisk")`);
      }
      this.featureGates.add(gate);
    }
  }

  private configuration(): object | undefined {
    const featureGates = [...this.featureGates].sort();
    return featureGates.length > 0 ? { developerConfiguration: { featureGates } } : undefined;
  }
}
