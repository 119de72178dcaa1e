import { spawnSync } from 'child_process';
import * as path from 'path';
import * as YAML from 'yaml';
import { Finding } from './findings';
import { LoadedDocument, LoadedTree, isFleetYaml, isKustomizeConfig, objectName } from './loaded-tree';

/** Kinds that have no namespace. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass', 'RuntimeClass', 'StorageClass',
  'PersistentVolume', 'CustomResourceDefinition', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'CDI',
]);

/**
 * Custom resources (`group/kind`) that live in their operator's own namespace, which the operator's
 * install creates, never a store folder: KubeVirt's, in virt-operator's namespace.
 */
const IN_OPERATOR_NAMESPACE = new Set(['kubevirt.io/KubeVirt']);

/** What the kustomize checks found, and which tool, if any, built the folders for real. */
export interface KustomizeReport {
  readonly findings: Finding[];
  /** A line for people: which real kustomize ran, or that none was available. */
  readonly note: string;
}

/**
 * Checks every folder with a kustomization.yaml: its resources exist, it lists every YAML file of
 * the folder, and what it builds holds no object twice and has consistent namespaces. Where
 * `kubectl` or `kustomize` is on PATH, builds the top-level folders for real and compares counts.
 */
export function checkKustomizations(tree: LoadedTree, realBuild: boolean): KustomizeReport {
  const configs = new Map(tree.documents.filter((d) => isKustomizeConfig(d.file, d.value)).map((d) => [path.posix.dirname(d.file), d]));
  const objectsOf = objectsByFile(tree.documents);
  const findings: Finding[] = [];
  const included = new Set<string>();

  const build = (dir: string): LoadedDocument[] => {
    const config = configs.get(dir)!;
    const resources: string[] = Array.isArray(config.value.resources) ? config.value.resources : [];
    return resources.flatMap((entry) => {
      const target = path.posix.normalize(path.posix.join(dir, entry));
      if (configs.has(target)) {
        included.add(target);
        return build(target);
      }
      if (tree.files.includes(target)) return objectsOf.get(target) ?? [];
      findings.push({ file: config.file, object: '-', path: `resources[${resources.indexOf(entry)}]`, message: `"${entry}" does not exist (list only files and folders with a kustomization.yaml)` });
      return [];
    });
  };

  const built = new Map<string, LoadedDocument[]>();
  for (const dir of configs.keys()) {
    findings.push(...unlisted(dir, configs.get(dir)!, tree, configs));
    built.set(dir, build(dir));
  }
  const roots = [...configs.keys()].filter((dir) => !included.has(dir));
  for (const dir of roots) findings.push(...checkBuild(configs.get(dir)!.file, built.get(dir)!));

  const tool = realBuild ? kustomizeTool() : undefined;
  if (tool) {
    for (const dir of roots) findings.push(...compareWithRealBuild(tree.root, dir, configs.get(dir)!.file, built.get(dir)!.length, tool));
  }
  const note = !realBuild ? 'real kustomize build not requested'
    : tool ? `${roots.length} top-level kustomizations built with ${tool.join(' ')}`
      : 'neither kubectl nor kustomize is on PATH: the real kustomize build was skipped';
  return { findings, note };
}

function objectsByFile(documents: LoadedDocument[]): Map<string, LoadedDocument[]> {
  const byFile = new Map<string, LoadedDocument[]>();
  for (const d of documents) {
    if (isKustomizeConfig(d.file, d.value) || isFleetYaml(d.file)) continue;
    byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
  }
  return byFile;
}

/** YAML files of `dir` and subfolders with a kustomization.yaml that the kustomization does not list. */
function unlisted(dir: string, config: LoadedDocument, tree: LoadedTree, configs: Map<string, LoadedDocument>): Finding[] {
  const listed = new Set(((config.value.resources ?? []) as string[]).map((r) => path.posix.normalize(path.posix.join(dir, r))));
  const inDir = (p: string) => path.posix.dirname(p) === dir;
  const files = tree.files.filter((f) => inDir(f) && !f.endsWith('/kustomization.yaml') && f !== 'kustomization.yaml' && !isFleetYaml(f));
  const folders = [...configs.keys()].filter((d) => d !== dir && inDir(d));
  return [...files, ...folders].filter((p) => !listed.has(p)).map((p) => ({
    file: config.file, object: '-', path: 'resources', message: `"${path.posix.relative(dir, p)}" is in the folder but not listed, so kustomize build leaves it out (add it to resources)`,
  }));
}

/** Objects built twice, and namespaces that do not fit together. */
function checkBuild(file: string, objects: LoadedDocument[]): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, string>();
  for (const { file: source, value } of objects) {
    const key = `${apiGroup(value)}/${value.kind}/${value.metadata?.namespace ?? ''}/${value.metadata?.name}`;
    if (seen.has(key)) {
      findings.push({ file, object: objectName(value), path: '-', message: `built twice, from ${seen.get(key)} and ${source} (an object may appear once)` });
    }
    seen.set(key, source);
  }
  const namespaces = new Set(objects.filter((o) => o.value.kind === 'Namespace').map((o) => o.value.metadata?.name));
  for (const { file: source, value } of objects) {
    const ns = value.metadata?.namespace;
    if (CLUSTER_SCOPED.has(value.kind) && ns) {
      findings.push({ file: source, object: objectName(value), path: 'metadata.namespace', message: `${value.kind} is cluster-scoped and takes no namespace` });
    } else if (!CLUSTER_SCOPED.has(value.kind) && !ns) {
      findings.push({ file: source, object: objectName(value), path: 'metadata.namespace', message: 'no namespace: it would land in whatever namespace the apply defaults to (set metadata.namespace)' });
    } else if (ns && namespaces.size > 0 && !namespaces.has(ns) && !IN_OPERATOR_NAMESPACE.has(`${apiGroup(value)}/${value.kind}`)) {
      findings.push({ file: source, object: objectName(value), path: 'metadata.namespace', message: `namespace "${ns}" is not among the namespaces this kustomization creates (${[...namespaces].join(', ')})` });
    }
  }
  return findings;
}

/** The API group of an object; empty for the core group. */
function apiGroup(value: any): string {
  return String(value.apiVersion ?? '').includes('/') ? String(value.apiVersion).split('/')[0] : '';
}

/** `kubectl kustomize` or `kustomize build`, whichever is on PATH. */
function kustomizeTool(): string[] | undefined {
  if (spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0) return ['kubectl', 'kustomize'];
  if (spawnSync('kustomize', ['version'], { stdio: 'ignore' }).status === 0) return ['kustomize', 'build'];
  return undefined;
}

function compareWithRealBuild(root: string, dir: string, file: string, expected: number, tool: string[]): Finding[] {
  const result = spawnSync(tool[0], [...tool.slice(1), path.join(root, dir)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) {
    return [{ file, object: '-', path: '-', message: `${tool.join(' ')} failed: ${(result.stderr || result.error?.message || '').trim().split('\n')[0]}` }];
  }
  const count = YAML.parseAllDocuments(result.stdout).filter((d) => d.contents !== null).length;
  return count === expected ? [] : [{ file, object: '-', path: '-', message: `${tool.join(' ')} builds ${count} objects, but the listed files hold ${expected}` }];
}
