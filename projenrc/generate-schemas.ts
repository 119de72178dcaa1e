/**
 * Generates imports/schemas/ from the upstream JSON Schemas in ../shared/schemas: for each kind that
 * `edgefleet validate` knows, the schema reduced to what validation needs (no descriptions, no
 * `$schema`/`$id`, no `format`), written compactly with sorted keys, plus index.json mapping
 * `apiVersion kind` to its file. Run by `npx projen import`.
 *
 * Usage: ts-node projenrc/generate-schemas.ts <shared/schemas> <imports/schemas>
 */
import * as fs from 'fs';
import * as path from 'path';

/** The schemas the validator ships, by the `apiVersion` and `kind` they validate. */
const SCHEMAS: Array<[apiVersion: string, kind: string, file: string]> = [
  ...[
    ['v1', 'ConfigMap', 'configmap-v1'],
    ['v1', 'LimitRange', 'limitrange-v1'],
    ['v1', 'Namespace', 'namespace-v1'],
    ['v1', 'PersistentVolumeClaim', 'persistentvolumeclaim-v1'],
    ['v1', 'ResourceQuota', 'resourcequota-v1'],
    ['v1', 'Secret', 'secret-v1'],
    ['v1', 'Service', 'service-v1'],
    ['v1', 'ServiceAccount', 'serviceaccount-v1'],
    ['apps/v1', 'DaemonSet', 'daemonset-apps-v1'],
    ['apps/v1', 'Deployment', 'deployment-apps-v1'],
    ['apps/v1', 'StatefulSet', 'statefulset-apps-v1'],
    ['batch/v1', 'CronJob', 'cronjob-batch-v1'],
    ['batch/v1', 'Job', 'job-batch-v1'],
    ['networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicy-networking-v1'],
    ['policy/v1', 'PodDisruptionBudget', 'poddisruptionbudget-policy-v1'],
    ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'clusterrole-rbac-v1'],
    ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'clusterrolebinding-rbac-v1'],
    ['rbac.authorization.k8s.io/v1', 'Role', 'role-rbac-v1'],
    ['rbac.authorization.k8s.io/v1', 'RoleBinding', 'rolebinding-rbac-v1'],
    ['scheduling.k8s.io/v1', 'PriorityClass', 'priorityclass-scheduling-v1'],
  ].map(([v, k, f]): [string, string, string] => [v, k, `v1.29.0-standalone-strict/${f}.json`]),
  ['node.k8s.io/v1', 'RuntimeClass', 'master-standalone-strict/runtimeclass-node-v1.json'],
  ['kubevirt.io/v1', 'VirtualMachine', 'kubevirt.io/virtualmachine_v1.json'],
  ['kubevirt.io/v1', 'VirtualMachineInstance', 'kubevirt.io/virtualmachineinstance_v1.json'],
  ['kubevirt.io/v1', 'KubeVirt', 'kubevirt.io/kubevirt_v1.json'],
  ['cdi.kubevirt.io/v1beta1', 'DataVolume', 'cdi.kubevirt.io/datavolume_v1beta1.json'],
  ['cdi.kubevirt.io/v1beta1', 'CDI', 'cdi.kubevirt.io/cdi_v1beta1.json'],
  ['source.toolkit.fluxcd.io/v1', 'GitRepository', 'source.toolkit.fluxcd.io/gitrepository_v1.json'],
  ['source.toolkit.fluxcd.io/v1', 'OCIRepository', 'source.toolkit.fluxcd.io/ocirepository_v1.json'],
  ['kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'kustomize.toolkit.fluxcd.io/kustomization_v1.json'],
  ['fleet.cattle.io/v1alpha1', 'GitRepo', 'fleet.cattle.io/gitrepo_v1alpha1.json'],
  ['fleet.cattle.io/v1alpha1', 'Cluster', 'fleet.cattle.io/cluster_v1alpha1.json'],
  ['fleet.cattle.io/v1alpha1', 'ClusterGroup', 'fleet.cattle.io/clustergroup_v1alpha1.json'],
  ['fleet.cattle.io/v1alpha1', 'BundleNamespaceMapping', 'fleet.cattle.io/bundlenamespacemapping_v1alpha1.json'],
  // fleet.yaml, a file format rather than an API object (JSON Schema draft 2020-12)
  ['fleet.yaml', 'fleet.yaml', 'fleet-yaml/fleet.yaml.json'],
];

/** Keywords that carry no validation (formats are not validated, as in kubeconform). */
const DROPPED = new Set(['description', '$schema', '$id', 'format', 'title', 'examples', 'default', '$comment']);

function reduce(schema: unknown, parentKey?: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => reduce(s));
  if (schema === null || typeof schema !== 'object') return schema;
  // Inside `properties`, `$defs` and the like, keys are field names, never keywords: keep them all.
  const isNameMap = parentKey === 'properties' || parentKey === 'patternProperties' || parentKey === '$defs' || parentKey === 'definitions';
  return Object.fromEntries(
    Object.keys(schema)
      .sort()
      .filter((key) => isNameMap || !DROPPED.has(key))
      .map((key) => [key, reduce((schema as Record<string, unknown>)[key], isNameMap ? undefined : key)]),
  );
}

function fileName(apiVersion: string, kind: string): string {
  return `${apiVersion.replace(/[/.]/g, '_')}-${kind.toLowerCase().replace(/\./g, '_')}.json`;
}

function main(): void {
  const [source, target] = process.argv.slice(2);
  if (!source || !target) throw new Error('usage: generate-schemas <shared/schemas> <imports/schemas>');
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  const index: Record<string, string> = {};
  for (const [apiVersion, kind, file] of SCHEMAS) {
    const schema = JSON.parse(fs.readFileSync(path.join(source, file), 'utf8'));
    const name = fileName(apiVersion, kind);
    fs.writeFileSync(path.join(target, name), `${JSON.stringify(reduce(schema))}\n`);
    index[`${apiVersion} ${kind}`] = name;
  }
  fs.writeFileSync(path.join(target, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  console.log(`imports/schemas: ${SCHEMAS.length} schemas from ${source}`);
}

main();
