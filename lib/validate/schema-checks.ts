import { Finding } from './findings';
import { LoadedTree, isFleetYaml, isKustomizeConfig, objectName } from './loaded-tree';
import { FLEET_YAML, SchemaRegistry } from './schema-registry';

/** Validates every document against the strict schema of its kind; a kind without schema is a finding unless allowed. */
export function checkSchemas(tree: LoadedTree, registry: SchemaRegistry, allowedKinds: string[]): Finding[] {
  const findings: Finding[] = [];
  for (const { file, value } of tree.documents) {
    if (isKustomizeConfig(file, value)) continue;
    if (isFleetYaml(file)) {
      findings.push(...registry.validate(FLEET_YAML, value).map((v) => ({ file, object: 'fleet.yaml', ...v })));
      continue;
    }
    if (typeof value !== 'object' || !value.apiVersion || !value.kind) {
      findings.push({ file, object: '-', path: '-', message: 'not a Kubernetes object (no apiVersion or kind)' });
      continue;
    }
    const key = `${value.apiVersion} ${value.kind}`;
    if (!registry.has(key)) {
      if (!allowedKinds.includes(value.kind) && !allowedKinds.includes(`${value.apiVersion}/${value.kind}`)) {
        findings.push({
          file,
          object: objectName(value),
          path: '-',
          message:
            `no schema for ${value.apiVersion} ${value.kind} (fix the apiVersion or kind, or accept it unchecked with --allow-kind ` +
            `${value.kind})`,
        });
      }
      continue;
    }
    findings.push(...registry.validate(key, value).map((v) => ({ file, object: objectName(value), ...v })));
  }
  return findings;
}
