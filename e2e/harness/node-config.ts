import * as YAML from 'yaml';
import { NodeAddresses } from './node-network';
import { NodeTaint } from '../../lib';

/** Where one real node keeps its state: below the scenario's folder, as a store's disk and /run would. */
export interface NodePaths {
  /** containerd's root (images, snapshots): on the store's disk, it outlives a reboot. */
  readonly containerdRoot: string;
  /** containerd's state and socket, and the pods' network namespaces: /run on a store, gone after a reboot. */
  readonly containerdState: string;
  readonly containerdSocket: string;
  /** kubelet's root (its /var/lib/kubelet). */
  readonly kubeletRoot: string;
  /** The node's /var/log (pod logs in pods/), /var/lib/cni and /var/lib/edgefleet (the agents' buffers), bound there in its mount namespace. */
  readonly varLog: string;
  readonly varLibCni: string;
  readonly varLibEdgefleet: string;
  /** The CNI configuration folder. */
  readonly cniConfig: string;
}

/** The containerd handler of the Wasm stand-in, named as K3s names WasmEdge's. */
export const WASM_HANDLER = 'wasmedge';

/**
 * containerd's configuration: CRI with the settings this kind of machine needs (root lacks
 * CAP_SYS_RESOURCE, so no OOM score below the parent's; no AppArmor; cgroupfs), the locally
 * loaded pause image as the sandbox image (else containerd pulls one), the pods' network namespaces
 * under its state folder, and the `wasmedge` handler mapped to the Wasm stand-in (wasm-runc).
 */
export function containerdConfig(paths: NodePaths, pauseImage: string, wasmRunc: string): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = "${paths.containerdRoot}"
state = "${paths.containerdState}"
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing",
]

[grpc]
  address = "${paths.containerdSocket}"

[plugins."io.containerd.internal.v1.opt"]
  path = "${paths.containerdRoot}/opt"

[${cri}]
  sandbox_image = "${pauseImage}"
  restrict_oom_score_adj = true
  disable_apparmor = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  [${cri}.cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${paths.cniConfig}"
  [${cri}.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [${cri}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [${cri}.containerd.runtimes.runc.options]
        SystemdCgroup = false
    [${cri}.containerd.runtimes.${WASM_HANDLER}]
      runtime_type = "io.containerd.runc.v2"
      [${cri}.containerd.runtimes.${WASM_HANDLER}.options]
        BinaryName = "${wasmRunc}"
        SystemdCgroup = false
`;
}

/** The pods' network: one bridge, host-local addresses from the node's pod range, the bridge as their gateway. */
export function cniConfig(addresses: NodeAddresses, paths: NodePaths): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'edgefleet-e2e',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: addresses.podCidr }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: `${paths.varLibCni}/networks`,
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    undefined,
    2,
  );
}

/** What kubelet's configuration takes from the node and its control plane. */
export interface KubeletSettings {
  /** The cgroup below which kubelet puts the pods (`<root>/kubepods`), one per node. */
  readonly cgroupRoot: string;
  /** The CA of the API server's client certificate (for `kubectl logs` and `exec`). */
  readonly caCert: string;
  /** The resolv.conf pods with `dnsPolicy: Default` get. */
  readonly resolvConf: string;
  /** The node profile's taints, which the node registers with. */
  readonly taints: NodeTaint[];
}

/**
 * kubelet's configuration for cgroup v1 with cgroupfs (kubelet 1.35 refuses v1 unless told), no
 * swap check, the admin's CA for the API server's client certificate, the cluster DNS Service,
 * the node profile's taints, and no image garbage collection or disk eviction: a store keeps its
 * pre-loaded images (K3s pins them), and this shared machine's disk is not the store's.
 */
export function kubeletConfig(addresses: NodeAddresses, paths: NodePaths, settings: KubeletSettings): string {
  return YAML.stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    cgroupDriver: 'cgroupfs',
    cgroupRoot: settings.cgroupRoot,
    failCgroupV1: false,
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
    address: addresses.node,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    authentication: { anonymous: { enabled: false }, webhook: { enabled: false }, x509: { clientCAFile: settings.caCert } },
    authorization: { mode: 'AlwaysAllow' },
    clusterDNS: [addresses.dnsServiceIp],
    clusterDomain: 'cluster.local',
    resolvConf: settings.resolvConf,
    registerWithTaints: settings.taints.map((t) => ({ key: t.key, effect: t.effect ?? 'NoSchedule' })),
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    shutdownGracePeriod: '0s',
  });
}

/** kube-proxy in iptables mode, leaving the conntrack table sizes alone (global, not the namespace's). */
export function kubeProxyConfig(addresses: NodeAddresses, kubeconfig: string, nodeName: string): string {
  return YAML.stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clientConnection: { kubeconfig },
    hostnameOverride: nodeName,
    clusterCIDR: addresses.podCidr,
    metricsBindAddress: '127.0.0.1:10249',
    healthzBindAddress: '127.0.0.1:10256',
    nodePortAddresses: [`${addresses.node}/32`],
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  });
}

/**
 * The cluster DNS as K3s packages it (its coredns.yaml, trimmed): a CoreDNS Deployment in
 * kube-system behind the kube-dns Service, answering for cluster.local from the API. Unlike K3s it
 * forwards nothing (the node has no route out), and it tolerates every taint, the node profile's too.
 */
export function coreDnsObjects(image: string, dnsServiceIp: string): object[] {
  const namespace = 'kube-system';
  const labels = { 'k8s-app': 'kube-dns' };
  const corefile = `.:53 {
    errors
    health :8080
    ready :8181
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    cache 30
    reload
}
`;
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns', namespace } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'system:coredns' },
      rules: [
        { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'system:coredns' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
      subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace }],
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace }, data: { Corefile: corefile } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'coredns',
            priorityClassName: 'system-cluster-critical',
            dnsPolicy: 'Default',
            tolerations: [{ operator: 'Exists' }],
            containers: [
              {
                name: 'coredns',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { name: 'dns', containerPort: 53, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                ],
                resources: { requests: { cpu: '100m', memory: '70Mi' }, limits: { memory: '170Mi' } },
                volumeMounts: [{ name: 'config-volume', mountPath: '/etc/coredns', readOnly: true }],
                readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
                livenessProbe: { httpGet: { path: '/health', port: 8080 }, initialDelaySeconds: 60 },
              },
            ],
            volumes: [{ name: 'config-volume', configMap: { name: 'coredns' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace, labels },
      spec: {
        selector: labels,
        clusterIP: dnsServiceIp,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      },
    },
  ];
}
