/*
 * The strictest Pod Security Standard (kubernetes.io/docs/concepts/security/pod-security-standards)
 * that the pods of a namespace meet, from the objects that make them: what a namespace's Pod Security
 * Admission labels can enforce without the API server refusing one of them.
 */

/** The Pod Security Standards, most permissive first. */
export const POD_SECURITY_LEVELS = ['privileged', 'baseline', 'restricted'] as const;

/** A Pod Security Standard. */
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

/** Capabilities that a baseline pod may add (the standard's "Capabilities" control). */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** Volume types that a restricted pod may use. */
const RESTRICTED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
  'image',
]);

/**
 * A VirtualMachine's pod (virt-launcher, KubeVirt v1.6) runs as non-root with every capability but
 * NET_BIND_SERVICE dropped, and without a seccomp profile unless the KubeVirt custom resource sets one
 * (pkg/virt-controller/services/template.go, rendercontainer.go): it meets baseline, not restricted.
 */
const VIRTUAL_MACHINE_LEVEL: PodSecurityLevel = 'baseline';

/** Kinds whose objects make pods: the workload controllers, Pods themselves, and KubeVirt's VirtualMachines. */
export const POD_MAKING_KINDS = new Set(['Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'VirtualMachine']);

/** The pod spec of an object that makes pods (a pod template's, or a Pod's own). */
function podSpecOf(o: any): any {
  if (o?.kind === 'Pod') return o.spec;
  if (o?.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template?.spec;
  return o?.spec?.template?.spec;
}

/** The strictest level the pods of `objects` (the objects of one namespace) all meet. */
export function podSecurityLevel(objects: any[]): PodSecurityLevel {
  let level = POD_SECURITY_LEVELS.length - 1;
  for (const o of objects) {
    const found = o?.kind === 'VirtualMachine' ? VIRTUAL_MACHINE_LEVEL : podSpecOf(o) ? levelOfPod(podSpecOf(o)) : undefined;
    if (found) level = Math.min(level, POD_SECURITY_LEVELS.indexOf(found));
  }
  return POD_SECURITY_LEVELS[level];
}

function levelOfPod(spec: any): PodSecurityLevel {
  const containers: any[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const volumes: any[] = spec.volumes ?? [];
  const baseline =
    !spec.hostNetwork &&
    !spec.hostPID &&
    !spec.hostIPC &&
    !volumes.some((v) => v.hostPath) &&
    spec.securityContext?.seccompProfile?.type !== 'Unconfined' &&
    containers.every(
      (c) =>
        !c.securityContext?.privileged &&
        !(c.ports ?? []).some((p: any) => p.hostPort) &&
        (c.securityContext?.capabilities?.add ?? []).every((cap: string) => BASELINE_CAPABILITIES.has(cap)) &&
        c.securityContext?.seccompProfile?.type !== 'Unconfined',
    );
  if (!baseline) return 'privileged';
  const podNonRoot = spec.securityContext?.runAsNonRoot === true;
  const podSeccomp = ['RuntimeDefault', 'Localhost'].includes(spec.securityContext?.seccompProfile?.type);
  const restricted =
    volumes.every((v) => Object.keys(v).some((k) => RESTRICTED_VOLUMES.has(k))) &&
    spec.securityContext?.runAsUser !== 0 &&
    containers.every((c) => {
      const sc = c.securityContext ?? {};
      return (
        (sc.runAsNonRoot === true || (podNonRoot && sc.runAsNonRoot !== false)) &&
        sc.runAsUser !== 0 &&
        sc.allowPrivilegeEscalation === false &&
        (sc.capabilities?.drop ?? []).includes('ALL') &&
        (sc.capabilities?.add ?? []).every((cap: string) => cap === 'NET_BIND_SERVICE') &&
        (podSeccomp || ['RuntimeDefault', 'Localhost'].includes(sc.seccompProfile?.type))
      );
    });
  return restricted ? 'restricted' : 'baseline';
}
