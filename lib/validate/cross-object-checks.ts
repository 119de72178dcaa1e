import * as fs from 'fs';
import * as path from 'path';
import { Finding } from './findings';
import { LoadedDocument, LoadedTree, objectName } from './loaded-tree';
import { RUNTIME_CLASSES_ANNOTATION } from '../model/node-profile';

/** VM annotation naming volumes (claims or DataVolumes) that exist in the store but are not managed in this folder. */
export const EXTERNAL_VOLUMES_ANNOTATION = 'edgefleet.io/external-volumes';

/** The GitRepository that `flux bootstrap` creates in every Flux store. */
const BOOTSTRAP_SOURCE = 'GitRepository/flux-system/flux-system';

/**
 * Checks that schemas cannot express, within each store's folder (see `scopeOf`, e.g.
 * `stores/store-001` or `clusters/store-001`): Flux references resolve, VM disks and volumes
 * pair up and their claims exist, runtime classes are provided by the node, and Fleet GitRepo paths
 * exist in the repository (whose root is `repositoryRoot`).
 */
export function checkCrossObject(tree: LoadedTree, repositoryRoot: string): Finding[] {
  const findings: Finding[] = [];
  for (const docs of tree.scopes.values()) {
    const names = new Set(docs.map((d) => objectName(d.value)));
    for (const doc of docs) {
      const kind = doc.value?.kind;
      if (kind === 'Kustomization' && String(doc.value.apiVersion).startsWith('kustomize.toolkit.fluxcd.io/')) {
        findings.push(...fluxReferences(doc, names));
      }
      if (kind === 'VirtualMachine') findings.push(...vmVolumes(doc, names));
      findings.push(...runtimeClass(doc, docs));
      if (kind === 'GitRepo' && String(doc.value.apiVersion).startsWith('fleet.cattle.io/')) findings.push(...gitRepoPaths(doc, repositoryRoot));
    }
  }
  return findings;
}

function finding(doc: LoadedDocument, at: string, message: string): Finding {
  return { file: doc.file, object: objectName(doc.value), path: at, message };
}

function fluxReferences(doc: LoadedDocument, names: Set<string>): Finding[] {
  const { value } = doc;
  const ns = value.metadata?.namespace ?? '';
  const out: Finding[] = [];
  const source = value.spec?.sourceRef ?? {};
  const sourceName = `${source.kind}/${source.namespace ?? ns}/${source.name}`;
  if (sourceName !== BOOTSTRAP_SOURCE && !names.has(sourceName)) {
    out.push(
      finding(
        doc,
        'spec.sourceRef',
        `${source.kind} "${source.name}" does not exist in this folder (nor is it bootstrap's flux-system GitRepository)`,
      ),
    );
  }
  (value.spec?.dependsOn ?? []).forEach((dep: any, i: number) => {
    if (!names.has(`Kustomization/${dep.namespace ?? ns}/${dep.name}`)) {
      out.push(finding(doc, `spec.dependsOn[${i}].name`, `Kustomization "${dep.name}" does not exist in this folder`));
    }
  });
  return out;
}

function vmVolumes(doc: LoadedDocument, names: Set<string>): Finding[] {
  const { value } = doc;
  const ns = value.metadata?.namespace ?? '';
  const spec = value.spec?.template?.spec ?? {};
  const disks: any[] = spec.domain?.devices?.disks ?? [];
  const volumes: any[] = spec.volumes ?? [];
  const templates = new Set((value.spec?.dataVolumeTemplates ?? []).map((t: any) => t.metadata?.name));
  const external = new Set(
    String(value.metadata?.annotations?.[EXTERNAL_VOLUMES_ANNOTATION] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const out: Finding[] = [];
  disks.forEach((d, i) => {
    if (!volumes.some((v) => v.name === d.name)) {
      out.push(finding(doc, `spec.template.spec.domain.devices.disks[${i}].name`, `disk "${d.name}" has no volume of the same name`));
    }
  });
  volumes.forEach((v, i) => {
    if (!disks.some((d) => d.name === v.name)) {
      out.push(finding(doc, `spec.template.spec.volumes[${i}].name`, `volume "${v.name}" has no disk of the same name`));
    }
    const claim = v.persistentVolumeClaim?.claimName;
    if (
      claim &&
      !names.has(`PersistentVolumeClaim/${ns}/${claim}`) &&
      !names.has(`DataVolume/${ns}/${claim}`) &&
      !templates.has(claim) &&
      !external.has(claim)
    ) {
      out.push(
        finding(
          doc,
          `spec.template.spec.volumes[${i}].persistentVolumeClaim.claimName`,
          `PersistentVolumeClaim "${claim}" is not in this store's folder (add it, or list it in the annotation ${EXTERNAL_VOLUMES_ANNOTATION})`,
        ),
      );
    }
    const dv = v.dataVolume?.name;
    if (dv && !templates.has(dv) && !names.has(`DataVolume/${ns}/${dv}`) && !external.has(dv)) {
      out.push(
        finding(
          doc,
          `spec.template.spec.volumes[${i}].dataVolume.name`,
          `DataVolume "${dv}" is neither in spec.dataVolumeTemplates nor in this store's folder (add it, or list it in the annotation ` +
            `${EXTERNAL_VOLUMES_ANNOTATION})`,
        ),
      );
    }
  });
  return out;
}

/** Where a kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

function runtimeClass(doc: LoadedDocument, scope: LoadedDocument[]): Finding[] {
  const podPath = POD_SPEC_PATHS[doc.value?.kind];
  const podSpec = podPath?.reduce((o: any, key) => o?.[key], doc.value);
  const name = podSpec?.runtimeClassName;
  if (!name) return [];
  const provided = new Set<string>(
    [
      ...scope.filter((d) => d.value?.kind === 'RuntimeClass').map((d) => d.value.metadata?.name),
      ...scope
        .filter((d) => d.value?.kind === 'Namespace')
        .flatMap((d) =>
          String(d.value.metadata?.annotations?.[RUNTIME_CLASSES_ANNOTATION] ?? '')
            .split(',')
            .map((s) => s.trim()),
        ),
    ].filter(Boolean),
  );
  if (provided.has(name)) return [];
  return [
    finding(
      doc,
      `${podPath.join('.')}.runtimeClassName`,
      `RuntimeClass "${name}" is not provided by the store's node (its node profile lists ` +
        `${[...provided].map((p) => `"${p}"`).join(', ') || 'none'})`,
    ),
  ];
}

function gitRepoPaths(doc: LoadedDocument, repositoryRoot: string): Finding[] {
  return ((doc.value.spec?.paths ?? []) as string[]).flatMap((p, i) =>
    fs.existsSync(path.join(repositoryRoot, p))
      ? []
      : [finding(doc, `spec.paths[${i}]`, `"${p}" does not exist in the repository (${repositoryRoot})`)],
  );
}
