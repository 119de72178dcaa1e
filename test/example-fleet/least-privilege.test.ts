/*
 * Least privilege in everything the example fleet generates: every RBAC rule, listed; every container
 * hardened; every workload probed or saying why not; the workloads layer applied with a ServiceAccount
 * of its own.
 */
import * as YAML from 'yaml';
import { renderFleet } from '../../lib';
import { NO_HEALTH_CHECK_ANNOTATION } from '../../lib/workloads/health-check';
import { buildFleet } from '../../stores';

const rendered = renderFleet(buildFleet());
const objects = [...rendered]
  .filter(([file]) => file.endsWith('.yaml') && !file.includes('/secrets/'))
  .flatMap(([file, content]) => YAML.parseAllDocuments(content).map((d) => ({ file, o: d.toJS() })))
  .filter(({ o }) => o?.kind);

/** The pod template of a workload or a CronJob. */
const podTemplateOf = (o: any) => o.spec?.template ?? o.spec?.jobTemplate?.spec?.template;

/** Every pod template edgefleet generates (those the example adds with addManifests are written as given). */
const generatedPods = objects
  .filter(({ file, o }) => podTemplateOf(o)?.spec?.containers && !file.endsWith('/vendor-kiosk.yaml'))
  .map(({ file, o }) => ({ file, kind: o.kind as string, template: podTemplateOf(o) }));

/**
 * Grants that would make a store's agent or applier a cluster-admin in all but name. A wildcard is
 * dangerous cluster-wide; in a Role it is the workloads applier's, confined to its namespace.
 */
function isDangerous(rule: any, clusterWide: boolean): boolean {
  const resources: string[] = rule.resources ?? [];
  const verbs: string[] = rule.verbs ?? [];
  const wildcard = resources.includes('*') || verbs.includes('*') || (rule.apiGroups ?? []).includes('*');
  return (
    (clusterWide && wildcard) ||
    resources.includes('nodes/proxy') ||
    resources.includes('pods/exec') ||
    (clusterWide && resources.includes('secrets') && verbs.some((v) => v === 'list' || v === 'watch'))
  );
}

describe('least privilege in the example fleet', () => {
  test('GIVEN every Role and ClusterRole generated WHEN their rules are listed THEN they are exactly these, and none is dangerous', () => {
    const rules = new Set<string>();
    for (const { o } of objects.filter((x) => x.o.kind === 'Role' || x.o.kind === 'ClusterRole')) {
      for (const rule of o.rules) {
        expect(isDangerous(rule, o.kind === 'ClusterRole')).toBe(false);
        const where = `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
        rules.add(`${where}: ${(rule.apiGroups ?? []).join(',') || 'core'} ${rule.resources.join(',')} ${rule.verbs.join(',')}`);
      }
    }
    expect([...rules].sort()).toEqual([
      'ClusterRole edgefleet-metrics-agent: core nodes,pods list,watch',
      'ClusterRole edgefleet-metrics-agent: core nodes/metrics get',
      'Role edge/edgefleet-workloads: * * *',
      'Role edge/vm-restarter: cdi.kubevirt.io datavolumes get,list,patch,delete',
      'Role edge/vm-restarter: kubevirt.io virtualmachineinstances get,delete',
      'Role edge/vm-restarter: kubevirt.io virtualmachines get,list',
      'Role edgefleet-telemetry/edgefleet-workloads: * * *',
    ]);
  });

  test('GIVEN every container generated WHEN read THEN each has a hardened securityContext, requests and limits of ephemeral storage', () => {
    expect(generatedPods.length).toBeGreaterThan(200);
    expect(generatedPods.filter((p) => p.kind === 'CronJob').length).toBe(100);
    for (const { file, template } of generatedPods) {
      const spec = template.spec;
      expect({ file, seccomp: spec.securityContext?.seccompProfile }).toEqual({ file, seccomp: { type: 'RuntimeDefault' } });
      for (const c of spec.containers) {
        expect({ file, securityContext: c.securityContext }).toEqual({
          file,
          securityContext: expect.objectContaining({
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            readOnlyRootFilesystem: true,
          }),
        });
        expect(c.resources.requests['ephemeral-storage']).toBeDefined();
        expect(c.resources.limits['ephemeral-storage']).toBeDefined();
      }
    }
  });

  test('GIVEN every pod generated WHEN read THEN each container has probes, or the pod says why it has none; apps mount no API token', () => {
    for (const { file, kind, template } of generatedPods) {
      const reason = template.metadata?.annotations?.[NO_HEALTH_CHECK_ANNOTATION];
      for (const c of template.spec.containers) {
        expect({ file, probed: Boolean(c.readinessProbe && c.livenessProbe) || Boolean(reason) }).toEqual({ file, probed: true });
      }
      if (kind === 'Deployment') expect({ file, token: template.spec.automountServiceAccountToken }).toEqual({ file, token: false });
    }
  });

  test(
    'GIVEN a Flux store WHEN synthesized THEN its workloads layer is applied as a ServiceAccount of its own, ' +
      'and its cluster folder lists its files',
    () => {
      const workloads = YAML.parse(rendered.get('clusters/store-001/workloads.yaml')!);
      const infrastructure = YAML.parse(rendered.get('clusters/store-001/infrastructure.yaml')!);
      expect(workloads.spec.serviceAccountName).toBe('edgefleet-workloads');
      expect(infrastructure.spec.serviceAccountName).toBeUndefined();
      expect(YAML.parse(rendered.get('clusters/store-001/kustomization.yaml')!).resources).toEqual([
        'flux-system',
        'infrastructure.yaml',
        'workloads-applier.yaml',
        'workloads.yaml',
      ]);
      const clusterFiles = [...rendered.keys()].filter(
        (f) => f.startsWith('clusters/store-001/') && !f.startsWith('clusters/store-001/flux-system/'),
      );
      expect(clusterFiles.map((f) => f.replace('clusters/store-001/', '')).sort()).toEqual([
        'infrastructure.yaml',
        'kustomization.yaml',
        'workloads-applier.yaml',
        'workloads.yaml',
      ]);
    },
  );
});
