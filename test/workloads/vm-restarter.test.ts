import { spawnSync } from 'child_process';
import { EdgePosVm, VmDisk, VmRestartPolicy } from '../../lib';
import { renderStore } from '../../lib/synth/render-store';
import { restartScript } from '../../lib/workloads/vm-restarter-script';
import { documents, objectOf, testStore } from '../util';

const RESTARTER_FILE = 'stores/store-001/workloads/vm-restarter.yaml';
const BOOT = VmDisk.containerDisk('registry.example.com/retail/pos-os:4.1.0');
const SUNDAY_NIGHT: VmRestartPolicy = { window: { days: ['sun'], start: '02:00', end: '04:00', timeZone: 'Europe/Paris' } };

function storeWithVm(store: VmRestartPolicy | undefined, fleet?: VmRestartPolicy) {
  const s = testStore({ vmRestart: store }, { vmRestart: fleet });
  new EdgePosVm(s, 'pos', { bootDisk: BOOT });
  return s;
}

describe('VmRestarter', () => {
  test('GIVEN a maintenance window WHEN synthesized THEN a CronJob runs every 15 minutes in it, in its zone, each run ending by its close', () => {
    // GIVEN / WHEN
    const store = storeWithVm(SUNDAY_NIGHT);
    const cronJob = objectOf(store, RESTARTER_FILE, 'CronJob');

    // THEN
    expect(cronJob.spec).toMatchObject({
      schedule: '*/15 2-3 * * 0',
      timeZone: 'Europe/Paris',
      startingDeadlineSeconds: 300,
      concurrencyPolicy: 'Forbid',
    });
    expect(cronJob.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(600);
    // The last run starts at 03:45, at the latest at 03:50, and is stopped by 04:00.
    expect(45 * 60 + cronJob.spec.startingDeadlineSeconds + cronJob.spec.jobTemplate.spec.activeDeadlineSeconds).toBeLessThanOrEqual(60 * 60);
    expect(cronJob.metadata.annotations['edgefleet.io/vm-restart']).toBe('in the window Sun 02:00–04:00 Europe/Paris');
  });

  test('GIVEN the restarter WHEN synthesized THEN its ServiceAccount may read VMs and delete their instances in the namespace, nothing else', () => {
    // GIVEN / WHEN
    const store = storeWithVm(SUNDAY_NIGHT);
    const role = objectOf(store, RESTARTER_FILE, 'Role');
    const binding = objectOf(store, RESTARTER_FILE, 'RoleBinding');
    const pod = objectOf(store, RESTARTER_FILE, 'CronJob').spec.jobTemplate.spec.template.spec;

    // THEN
    expect(role.metadata.namespace).toBe('edge');
    expect(role.rules).toEqual([
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachines'], verbs: ['get', 'list'] },
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachineinstances'], verbs: ['get', 'delete'] },
    ]);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'vm-restarter', namespace: 'edge' }]);
    expect(pod.serviceAccountName).toBe('vm-restarter');
    expect(documents(store, RESTARTER_FILE).map((d) => d.kind)).not.toContain('ClusterRole');
  });

  test('GIVEN the restarter WHEN synthesized THEN its container is pinned, IfNotPresent, hardened; it deletes only instances needing it', () => {
    // GIVEN / WHEN
    const store = storeWithVm(SUNDAY_NIGHT);
    const container = objectOf(store, RESTARTER_FILE, 'CronJob').spec.jobTemplate.spec.template.spec.containers[0];
    const script: string = container.command[2];

    // THEN
    expect(container.image).toBe('docker.io/alpine/k8s:1.35.0');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(script).toContain('-l app.kubernetes.io/managed-by=edgefleet');
    expect(script).toContain('(eq .type "RestartRequired") (eq .status "True")');
    expect(script).toContain('{{if eq (or .spec.runStrategy "") "Always"}}');
    expect(script).toContain('k delete virtualmachineinstances.kubevirt.io "$1"');
    // never a VM or a claim; with no VM booting from a DataVolume, not a DataVolume either
    expect(script.match(/k delete \S+/g)).toEqual(['k delete virtualmachineinstances.kubevirt.io']);
    expect(script).not.toMatch(/persistentvolumeclaim|datavolumes\.cdi/i);
  });

  test('GIVEN a VM booting from a DataVolume WHEN synthesized THEN the restarter may also read, label and delete its DataVolumes', () => {
    // GIVEN / WHEN
    const store = testStore({ vmRestart: SUNDAY_NIGHT });
    new EdgePosVm(store, 'pos', { bootDisk: VmDisk.dataVolume({ size: '20Gi', registryImage: 'registry.example.com/retail/pos-disk:4.1.0' }) });
    new EdgePosVm(store, 'back-office', {
      bootDisk: VmDisk.dataVolume({ size: '20Gi', registryImage: 'registry.example.com/retail/bo-disk:1.0.0' }),
    });
    const role = objectOf(store, RESTARTER_FILE, 'Role');

    // THEN one rule more, once for all the store's VMs, and the script that manages boot disks, deleting only DataVolumes beside instances
    const script: string = objectOf(store, RESTARTER_FILE, 'CronJob').spec.jobTemplate.spec.template.spec.containers[0].command[2];
    expect(script.match(/k delete \S+/g)).toEqual(['k delete virtualmachineinstances.kubevirt.io', 'k delete datavolumes.cdi.kubevirt.io']);
    // AND only DataVolumes that KubeVirt made for the VM (their controlling owner), never one a template or the instance uses
    expect(script).toContain('if [ "$owner" = "$2" ] && { [ "$of" = "$1" ] || [ "$name" = "$1-boot" ]; }; then echo "$name"; fi');
    expect(script).toContain('case "$all_templates$in_use" in *" $disk "*) continue ;; esac');
    expect(script).not.toMatch(/persistentvolumeclaim/i);
    expect(role.rules).toEqual([
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachines'], verbs: ['get', 'list'] },
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachineinstances'], verbs: ['get', 'delete'] },
      { apiGroups: ['cdi.kubevirt.io'], resources: ['datavolumes'], verbs: ['get', 'list', 'patch', 'delete'] },
    ]);
  });

  test('GIVEN mode immediately WHEN synthesized THEN the restarter runs every 5 minutes in no time zone', () => {
    // GIVEN / WHEN
    const cronJob = objectOf(storeWithVm({ mode: 'immediately' }), RESTARTER_FILE, 'CronJob');

    // THEN
    expect(cronJob.spec.schedule).toBe('*/5 * * * *');
    expect(cronJob.spec).not.toHaveProperty('timeZone');
    expect(cronJob.metadata.annotations['edgefleet.io/vm-restart']).toBe('within 5 minutes (vmRestart mode "immediately")');
  });

  test('GIVEN no policy, or mode manual WHEN synthesized THEN the store has no restarter', () => {
    for (const policy of [undefined, { mode: 'manual' as const, window: SUNDAY_NIGHT.window }]) {
      // GIVEN / WHEN
      const store = storeWithVm(policy);

      // THEN
      expect(store.vmRestart.mode).toBe('manual');
      expect(renderStore(store).has(RESTARTER_FILE)).toBe(false);
    }
  });

  test('GIVEN a store without a VM WHEN synthesized THEN it gets no restarter, whatever its policy', () => {
    const store = testStore({ vmRestart: SUNDAY_NIGHT });
    expect(renderStore(store).has(RESTARTER_FILE)).toBe(false);
  });

  test('GIVEN a fleet window and a store time zone WHEN resolved THEN the window fields are laid over the fleet one by one', () => {
    // GIVEN / WHEN
    const store = storeWithVm({ window: { timeZone: 'America/New_York' } }, { window: { days: ['sat', 'sun'], start: '01:00', end: '24:00' } });

    // THEN
    expect(store.vmRestart.window).toEqual({ days: ['sun', 'sat'], startHour: 1, endHour: 24, timeZone: 'America/New_York' });
    expect(objectOf(store, RESTARTER_FILE, 'CronJob').spec.schedule).toBe('*/15 1-23 * * 0,6');
  });

  test.each([
    [{ window: { start: '02:00', end: '04:00' } }, 'vmRestart.window.timeZone is missing'],
    [{ window: { start: '02:00', end: '04:00', timeZone: 'CET+1' } }, 'vmRestart.window.timeZone "CET+1" is not an IANA time zone'],
    [
      { window: { start: '02:00', end: '04:00', timeZone: 'Europe/Atlantis' } },
      'vmRestart.window.timeZone "Europe/Atlantis" is not an IANA time zone',
    ],
    [
      { window: { start: '02:30', end: '04:00', timeZone: 'Europe/Paris' } },
      'vmRestart.window.start "02:30" is not on the hour (the restarter runs in whole hours: use "02:00")',
    ],
    [
      { window: { start: '2am', end: '04:00', timeZone: 'Europe/Paris' } },
      'vmRestart.window.start "2am" is not a time of day (use "HH:MM", e.g. "02:00")',
    ],
    [{ window: { start: '23:00', end: '02:00', timeZone: 'Europe/Paris' } }, 'vmRestart.window.end "02:00" is not after start "23:00"'],
    [{ window: { days: ['sunday'], start: '02:00', end: '04:00', timeZone: 'Europe/Paris' } }, 'vmRestart.window.days[0]'],
    [{ mode: 'nightly' }, 'vmRestart.mode'],
  ] as Array<[any, string]>)(
    'GIVEN the policy %j WHEN the store is built THEN the error names the store, the field and the fix',
    (policy, message) => {
      expect(() => storeWithVm(policy)).toThrow(`store "store-001": ${message}`);
    },
  );

  test('GIVEN a VM under runStrategy Manual and a window WHEN built THEN the error says the restarter cannot restart it and what to do', () => {
    // GIVEN
    const store = testStore({ vmRestart: SUNDAY_NIGHT });

    // WHEN / THEN
    expect(() => new EdgePosVm(store, 'pos', { bootDisk: BOOT, runStrategy: 'Manual' })).toThrow(
      'store "store-001": EdgePosVm "pos": runStrategy "Manual" cannot be restarted by the store\'s vmRestart mode "window"',
    );
  });

  test.each([false, true])('GIVEN the script (boot disks managed: %s) WHEN the POSIX shell parses it THEN it has no syntax error', (bootDisks) => {
    // GIVEN / WHEN
    const parsed = spawnSync('/bin/sh', ['-n'], { input: restartScript(bootDisks), encoding: 'utf8' });

    // THEN
    expect({ status: parsed.status, stderr: parsed.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
