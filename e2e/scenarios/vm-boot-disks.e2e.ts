import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { E2E_STORES } from '../fleet/e2e-fleet';
import { binaries } from '../harness/binaries';
import { Scenario } from '../harness/scenario';
import { E2E_WORK } from '../harness/timings';

const STORE = E2E_STORES.dataVolume;
const WORKLOADS = 'edge';
const RESTARTER = 'vm-restarter';
const DATA_VOLUMES = 'datavolumes.cdi.kubevirt.io';
const VMS = 'virtualmachines.kubevirt.io';
const INSTANCES = 'virtualmachineinstances.kubevirt.io';

/** The shell of the restarter's image in the suite (Debian's static BusyBox, as node-images.ts packs it). */
const BUSYBOX = '/bin/busybox';

/**
 * A POS OS release on a DataVolume boot disk, through the real API server, with the store's restarter
 * script as Flux applied it, run under its own ServiceAccount. No KubeVirt or CDI runs here: the suite
 * stands in for KubeVirt's VM controller (it creates each DataVolume of the VM's template that is
 * missing, as `handleDataVolumes` does, and sets `RestartRequired`), for CDI (the import's phase) and for
 * a running VM (its instance, with the template's volumes).
 */
describe('a POS OS release on a DataVolume boot disk', () => {
  let scenario: Scenario;
  const kubectl = () => scenario.cluster.kubectl;

  /** Runs the restarter's script, from its CronJob as applied, with kubectl acting as its ServiceAccount; returns its output. */
  function runRestarter(): string {
    const script: string = kubectl().get('cronjobs.batch', RESTARTER, WORKLOADS).spec.jobTemplate.spec.template.spec.containers[0].command[2];
    const bin = path.join(E2E_WORK, scenario.name, 'restarter-bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(
      path.join(bin, 'kubectl'),
      `#!/bin/sh\nexec ${binaries().kubectl} --kubeconfig ${scenario.cluster.plane.kubeconfig} ` +
        `--as=system:serviceaccount:${WORKLOADS}:${RESTARTER} "$@"\n`,
      { mode: 0o755 },
    );
    const run = spawnSync(BUSYBOX, ['sh', '-c', script], {
      encoding: 'utf8',
      env: { PATH: `${bin}:/usr/bin:/bin`, NAMESPACE: WORKLOADS, HOME: bin },
    });
    if (run.status !== 0) throw new Error(`the restarter exited ${run.status}:\n${run.stdout}${run.stderr}`);
    return run.stdout;
  }

  /** What KubeVirt's VM controller does with a template: creates its DataVolumes that are missing, owned by the VM; CDI's import then has `phase`. */
  function createMissingDataVolumes(phase: string): void {
    const vm = kubectl().get(VMS, 'pos', WORKLOADS);
    for (const template of vm.spec.dataVolumeTemplates) {
      if (kubectl().get(DATA_VOLUMES, template.metadata.name, WORKLOADS)) continue;
      const ownerReferences = [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', name: 'pos', uid: vm.metadata.uid, controller: true }];
      const dataVolume = {
        apiVersion: 'cdi.kubevirt.io/v1beta1',
        kind: 'DataVolume',
        metadata: { ...template.metadata, namespace: WORKLOADS, ownerReferences },
        spec: template.spec,
      };
      kubectl().run(['create', '-f', '-'], JSON.stringify(dataVolume));
      setPhase(template.metadata.name, phase);
    }
  }

  /** Labels a DataVolume as the restarter does, as a run stopped half-way may have left it. */
  function setState(dataVolume: string, state: string): void {
    kubectl().run(['label', DATA_VOLUMES, dataVolume, '-n', WORKLOADS, '--overwrite', `edgefleet.io/boot-disk-state=${state}`]);
  }

  function setPhase(dataVolume: string, phase: string): void {
    kubectl().run([
      'patch',
      DATA_VOLUMES,
      dataVolume,
      '-n',
      WORKLOADS,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { phase } }),
    ]);
  }

  /** What KubeVirt's VM controller says of a VM whose template changed while it runs. */
  function setRestartRequired(required: boolean): void {
    const conditions = required
      ? [{ type: 'RestartRequired', status: 'True', message: 'a non-live-updatable field was changed in the template spec' }]
      : [];
    kubectl().run(['patch', VMS, 'pos', '-n', WORKLOADS, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { conditions } })]);
  }

  /** An instance of the VM from its current template, as KubeVirt starts it once its DataVolumes are ready; `Failed`: the new OS does not boot. */
  function startInstance(phase = 'Running'): void {
    const vm = kubectl().get(VMS, 'pos', WORKLOADS);
    const instance = {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstance',
      metadata: { name: 'pos', namespace: WORKLOADS, labels: vm.metadata.labels },
      spec: vm.spec.template.spec,
      status: { phase },
    };
    kubectl().run(['create', '-f', '-'], JSON.stringify(instance));
    setRestartRequired(false);
  }

  /** The boot disk the VM's template names. */
  const bootDiskInGit = () =>
    kubectl()
      .get(VMS, 'pos', WORKLOADS)
      .spec.template.spec.volumes.find((v: any) => v.name === 'boot').dataVolume.name;

  /** The store's DataVolumes: name → [the restarter's state label, uid]. */
  function dataVolumes(): Record<string, [string, string]> {
    return Object.fromEntries(
      kubectl()
        .list(DATA_VOLUMES, WORKLOADS)
        .map((d) => [d.metadata.name, [d.metadata.labels?.['edgefleet.io/boot-disk-state'] ?? '-', d.metadata.uid]]),
    );
  }
  const states = () => Object.fromEntries(Object.entries(dataVolumes()).map(([name, [state]]) => [name, state]));

  /** Commits a POS OS version and waits until Flux applied it; returns the new boot disk's name. */
  async function release(version: string): Promise<string> {
    const commit = scenario.commitChange({ posDiskVersion: version }, `POS OS ${version}`);
    await scenario.applied(commit, `POS OS ${version} applied (s)`);
    return bootDiskInGit();
  }

  beforeAll(async () => {
    scenario = await Scenario.start('vm-boot-disks', STORE, { stores: [STORE], vmRestart: { [STORE]: { mode: 'immediately' } } });
  });
  afterAll(() => scenario?.stop());

  test("the restarter's ServiceAccount may restart VMs and manage DataVolumes in the namespace, and nothing more", () => {
    const can = (verb: string, resource: string, namespace = WORKLOADS) =>
      kubectl()
        .spawn(['auth', 'can-i', verb, resource, '-n', namespace, `--as=system:serviceaccount:${WORKLOADS}:${RESTARTER}`])
        .stdout.trim();
    expect([can('delete', INSTANCES), can('list', VMS), can('delete', DATA_VOLUMES), can('patch', DATA_VOLUMES)]).toEqual([
      'yes',
      'yes',
      'yes',
      'yes',
    ]);
    expect([
      can('delete', VMS),
      can('patch', VMS),
      can('delete', 'persistentvolumeclaims'),
      can('create', DATA_VOLUMES),
      can('delete', DATA_VOLUMES, 'default'),
      can('get', 'secrets'),
    ]).toEqual(['no', 'no', 'no', 'no', 'no', 'no']);
  });

  test('a new version imports beside the running one, boots once imported; the previous is kept, older ones go; a rollback reuses it', async () => {
    // GIVEN the VM running 4.1.0 from its boot disk, beside its data disk
    const v41 = bootDiskInGit();
    expect(v41).toMatch(/^pos-boot-[0-9a-f]{8}$/);
    createMissingDataVolumes('Succeeded');
    startInstance();
    expect(runRestarter()).toContain(`VirtualMachine pos: runs from boot disk ${v41}`);
    const data = dataVolumes()['pos-data'];
    expect(states()).toEqual({ [v41]: 'current', 'pos-data': '-' });

    // WHEN 4.2.0 is released: the VM controller creates its boot disk, whose import is under way, and the VM waits for a restart
    const v42 = await release('4.2.0');
    expect(v42).not.toBe(v41);
    createMissingDataVolumes('ImportInProgress');
    setRestartRequired(true);

    // THEN the restarter waits for the import, and deletes nothing
    expect(runRestarter()).toContain(`VirtualMachine pos: RestartRequired, waiting for DataVolume ${v42} (ImportInProgress) to be imported`);
    expect(kubectl().get(INSTANCES, 'pos', WORKLOADS)).toBeDefined();

    // WHEN the import is done, THEN it restarts the VM; the disk the VM ran from stays while the instance uses it
    setPhase(v42, 'Succeeded');
    expect(runRestarter()).toContain('VirtualMachine pos: RestartRequired, restarting it');
    expect(kubectl().get(INSTANCES, 'pos', WORKLOADS)).toBeUndefined();
    expect(Object.keys(states()).sort()).toEqual([v41, v42, 'pos-data'].sort());

    // WHEN the VM runs 4.2.0, THEN 4.1.0 is kept as the previous disk
    startInstance();
    expect(runRestarter()).toContain(`VirtualMachine pos: runs from boot disk ${v42}`);
    expect(states()).toEqual({ [v41]: 'previous', [v42]: 'current', 'pos-data': '-' });

    // WHEN 4.3.0 is released and booted, THEN 4.2.0 becomes the previous disk and 4.1.0 is deleted
    const v43 = await release('4.3.0');
    createMissingDataVolumes('Succeeded');
    setRestartRequired(true);
    runRestarter();
    startInstance();
    expect(runRestarter()).toMatch(new RegExp(`runs from boot disk ${v43}\\n.*deleting boot disk ${v41} \\(state older\\)`));
    expect(states()).toEqual({ [v42]: 'previous', [v43]: 'current', 'pos-data': '-' });

    // WHEN 4.2.0 is rolled back to, THEN its kept disk boots: nothing to import, nothing deleted
    const kept = dataVolumes()[v42][1];
    expect(await release('4.2.0')).toBe(v42);
    createMissingDataVolumes('ImportScheduled');
    setRestartRequired(true);
    expect(runRestarter()).toContain('VirtualMachine pos: RestartRequired, restarting it');
    startInstance();
    runRestarter();
    expect(states()).toEqual({ [v42]: 'current', [v43]: 'previous', 'pos-data': '-' });
    expect(dataVolumes()[v42][1]).toBe(kept);

    // AND the data disk is the one imported first, through every release
    expect(dataVolumes()['pos-data']).toEqual(data);
  });

  test('a version released and dropped before the VM booted it is deleted, whatever the previous disk', async () => {
    // GIVEN a version whose import started, then replaced in Git by another before the VM restarted
    const running = bootDiskInGit();
    const dropped = await release('4.4.0');
    createMissingDataVolumes('ImportInProgress');
    const next = await release('4.4.1');
    createMissingDataVolumes('ImportInProgress');
    setRestartRequired(true);

    // WHEN the restarter runs, THEN the dropped import is deleted; the others stay as they were
    const before = states();
    const log = runRestarter();
    expect(log).toContain(`deleting boot disk ${dropped} (state -)`);
    expect(log).toContain(`waiting for DataVolume ${next} (ImportInProgress)`);
    delete before[dropped];
    expect(states()).toEqual(before);
    expect(before).toMatchObject({ [running]: 'current', [next]: '-' });
  });
  test('a VM not running keeps every disk; a data disk waiting for its consumer holds no restart; disks not made for the VM stay', async () => {
    // GIVEN the VM restarted into the version of the test before, which fails to boot
    const [running, next] = [Object.entries(states()).find(([, state]) => state === 'current')![0], bootDiskInGit()];
    const before = states();
    setPhase(next, 'Succeeded');
    expect(runRestarter()).toContain('VirtualMachine pos: RestartRequired, restarting it');
    startInstance('Failed');

    // WHEN the restarter runs, THEN it deletes nothing and moves no label: the disk the VM ran before stays for a rollback
    expect(runRestarter()).not.toMatch(/deleting|runs from/);
    expect(states()).toEqual(before);

    // WHEN another change needs a restart while the data disk waits for its first consumer (ready to KubeVirt), THEN it restarts
    setPhase('pos-data', 'WaitForFirstConsumer');
    setRestartRequired(true);
    expect(runRestarter()).toContain('VirtualMachine pos: RestartRequired, restarting it');

    // WHEN the VM runs the new version beside a DataVolume named as an unversioned boot disk that KubeVirt did not make for it
    const legacy = { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: 'pos-boot', namespace: WORKLOADS }, spec: {} };
    kubectl().run(['create', '-f', '-'], JSON.stringify(legacy));
    startInstance();
    const log = runRestarter();

    // THEN the new version is current, the one before previous, the older one deleted, and the other DataVolume kept
    expect(log).toContain(`VirtualMachine pos: runs from boot disk ${next}`);
    expect(states()).toMatchObject({ [next]: 'current', [running]: 'previous', 'pos-boot': '-', 'pos-data': '-' });
    expect(Object.keys(states())).toHaveLength(4);

    // WHEN a run stopped half-way left two disks labelled current, THEN the next run completes the move and deletes nothing
    setState(running, 'current');
    expect(runRestarter()).not.toContain('deleting');
    expect(states()).toMatchObject({ [next]: 'current', [running]: 'previous' });

    // WHEN the unversioned disk is the VM's own (the boot disk before versioned names), THEN it goes like any unused boot disk
    const vm = kubectl().get(VMS, 'pos', WORKLOADS);
    const owner = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', name: 'pos', uid: vm.metadata.uid, controller: true };
    kubectl().run([
      'patch',
      DATA_VOLUMES,
      'pos-boot',
      '-n',
      WORKLOADS,
      '--type=merge',
      '-p',
      JSON.stringify({ metadata: { ownerReferences: [owner] } }),
    ]);
    expect(runRestarter()).toContain('VirtualMachine pos: deleting boot disk pos-boot (state -), which it no longer uses');
    expect(Object.keys(states()).sort()).toEqual([next, running, 'pos-data'].sort());
  });
});
