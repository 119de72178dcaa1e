import { featureGatesOf } from './kubevirt-feature-gates';
import { CDI_VERSION, KUBEVIRT_VERSION } from './platform-versions';

/** Whether a store's objects hold a DataVolume, standalone or as a VM's template. */
export function hasDataVolumes(objects: any[]): boolean {
  return objects.some((o) => o.kind === 'DataVolume' || (o.kind === 'VirtualMachine' && (o.spec?.dataVolumeTemplates ?? []).length > 0));
}

/**
 * Checks a store's objects as written (JSON patches included) against its platform objects: a store
 * with VMs has a KubeVirt custom resource that enables every feature gate its VMs use, and a store with
 * DataVolumes has a CDI custom resource. Returns one message per problem, naming object, field and fix.
 */
export function checkPlatform(objects: any[]): string[] {
  const kubevirt = objects.find((o) => o.kind === 'KubeVirt');
  const enabled = new Set<string>(kubevirt?.spec?.configuration?.developerConfiguration?.featureGates ?? []);
  const problems: string[] = [];
  for (const vm of objects.filter((o) => o.kind === 'VirtualMachine')) {
    const object = `VirtualMachine/${vm.metadata?.name}`;
    if (!kubevirt) {
      problems.push(
        `${object}: the store has no KubeVirt custom resource (add VMs with EdgePosVm or store.addManifests, which generate it, or call ` +
          `store.platform.enableKubeVirt())`,
      );
      continue;
    }
    for (const { gate, field } of featureGatesOf(vm)) {
      if (!enabled.has(gate)) {
        problems.push(
          `${object}: ${field} needs KubeVirt's feature gate "${gate}" (KubeVirt ${KUBEVIRT_VERSION} rejects the VM without it); enable it ` +
            `with store.platform.enableKubeVirt().addFeatureGates('${gate}')`,
        );
      }
    }
  }
  if (hasDataVolumes(objects) && !objects.some((o) => o.kind === 'CDI')) {
    problems.push(
      `the store has DataVolumes but no CDI custom resource, so CDI ${CDI_VERSION} never imports them (add them with VmDisk.dataVolume or ` +
        `store.addManifests, which generate it, or call store.platform.enableCdi())`,
    );
  }
  return problems;
}
