import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-28';
import { IEdgeStore } from '../model/contract';
import { ManifestFile } from '../model/manifest-file';
import { podPlacement } from '../model/pod-placement';
import { yamlText } from '../util/yaml-text';
import { ContainerProps, POD_SECURITY_CONTEXT, containerSpec } from '../workloads/container-spec';
import { EdgeWorkload } from '../workloads/edge-workload';
import { ingressPolicy } from '../workloads/ingress-policy';
import { SCRAPE_ANNOTATIONS } from '../workloads/scrape-annotations';

/** Properties of a {@link NodeAgent}. */
export interface NodeAgentProps {
  /** The agent's namespace. */
  readonly namespace: string;
  /** The agent's container. */
  readonly container: ContainerProps;
  /** Name of the configuration file, mounted from a ConfigMap at `configMountPath`. */
  readonly configFile: string;
  /** The configuration, written as YAML. */
  readonly config: object;
  /** Folder the configuration is mounted at. */
  readonly configMountPath: string;
  /** Host folders mounted into the agent: container path → host path and whether read-only. */
  readonly hostPaths: Record<string, { readonly hostPath: string; readonly readOnly: boolean }>;
  /** What the agent may read from the Kubernetes API; none: it gets no ServiceAccount token. */
  readonly rules: k8s.PolicyRule[];
  /** Extra container settings (environment from Secrets). @default {} */
  readonly containerExtra?: Partial<k8s.Container>;
  /** Extra volumes, mounted read-only at the given paths (e.g. a Secret). @default [] */
  readonly extraVolumes?: Array<{ readonly volume: k8s.Volume; readonly mountPath: string }>;
  /** Port the agent serves its own metrics on, scraped by the metrics agent. @default - not scraped */
  readonly metricsPort?: { readonly port: number; readonly path: string };
}

/**
 * A node-level telemetry agent: a DaemonSet in the telemetry namespace with its configuration in a
 * ConfigMap (a change to the configuration rolls the pods through a checksum annotation), host folders
 * for what it reads and for its on-disk buffer, and read-only access to the API it needs (its
 * ClusterRole and binding in the infrastructure layer), or no ServiceAccount token when it needs none.
 */
export class NodeAgent extends EdgeWorkload {
  /** The generated DaemonSet: the place for JSON patches. */
  public readonly resource: k8s.KubeDaemonSet;

  constructor(store: IEdgeStore, id: string, props: NodeAgentProps) {
    super(store, id);
    const namespace = props.namespace;
    const name = `edgefleet-${this.name}`;
    const configYaml = yamlText(props.config);
    const apiAccess = props.rules.length > 0;
    if (apiAccess) {
      new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: this.name, namespace } });
      // Cluster-scoped, so applied with the infrastructure layer: the workloads layer's ServiceAccount may write only its namespaces.
      const access = new ManifestFile(this, 'Access', { tree: 'stores', path: `infrastructure/${this.name}-access.yaml` });
      new k8s.KubeClusterRole(access, 'ClusterRole', { metadata: { name }, rules: props.rules });
      new k8s.KubeClusterRoleBinding(access, 'ClusterRoleBinding', {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ kind: 'ServiceAccount', name: this.name, namespace }],
      });
    }
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: this.name, namespace, labels: this.selectorLabels },
      data: { [props.configFile]: configYaml },
    });

    const hostVolumes = Object.entries(props.hostPaths).map(([mountPath, { hostPath, readOnly }], i) => ({
      volume: { name: `host-${i}`, hostPath: { path: hostPath, type: readOnly ? 'Directory' : 'DirectoryOrCreate' } },
      mount: { name: `host-${i}`, mountPath, readOnly: readOnly || undefined },
    }));
    const annotations = {
      'edgefleet.io/config-checksum': configChecksum(configYaml),
      ...(props.metricsPort
        ? {
            [SCRAPE_ANNOTATIONS.scrape]: 'true',
            [SCRAPE_ANNOTATIONS.port]: String(props.metricsPort.port),
            [SCRAPE_ANNOTATIONS.path]: props.metricsPort.path,
          }
        : {}),
    };
    const parts = containerSpec(this, this.name, props.container, {
      volumeMounts: [
        { name: 'config', mountPath: props.configMountPath, readOnly: true },
        ...hostVolumes.map((v) => v.mount),
        ...(props.extraVolumes ?? []).map((v) => ({ name: v.volume.name, mountPath: v.mountPath, readOnly: true })),
      ],
      ...props.containerExtra,
    });
    ingressPolicy(this, { namespace, selector: this.selectorLabels, ports: parts.container.ports ?? [] });
    this.resource = new k8s.KubeDaemonSet(this, 'Resource', {
      metadata: { name: this.name, namespace, labels: this.selectorLabels },
      spec: {
        selector: { matchLabels: this.selectorLabels },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels: this.selectorLabels, annotations: { ...annotations, ...parts.annotations } },
          spec: {
            ...podPlacement(store.nodeProfile),
            serviceAccountName: apiAccess ? this.name : undefined,
            automountServiceAccountToken: apiAccess,
            securityContext: POD_SECURITY_CONTEXT,
            containers: [parts.container],
            volumes: [
              { name: 'config', configMap: { name: this.name } },
              ...hostVolumes.map((v) => v.volume),
              ...(props.extraVolumes ?? []).map((v) => v.volume),
              ...parts.volumes,
            ],
          },
        },
      },
    });
  }
}

/** A short checksum of the configuration, so that a new configuration rolls the pods. */
function configChecksum(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
