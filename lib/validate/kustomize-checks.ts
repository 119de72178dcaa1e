import * as path from 'path';
import { Finding } from './findings';
import { LoadedDocument, LoadedTree, apiGroup, isFleetYaml, isKustomizeConfig, objectIdentity, objectName } from './loaded-tree';

/** Kinds that have no namespace. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'PriorityClass',
  'RuntimeClass',
  'StorageClass',
  'PersistentVolume',
  'CustomResourceDefinition',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'CDI',
]);

/**
 * Custom resources (`group/kind`) that live in their operator's own namespace, which the operator's
 * install creates, never a store folder: KubeVirt's, in virt-operator's namespace.
 */
const IN_OPERATOR_NAMESPACE = new Set(['kubevirt.io/KubeVirt']);

/** A kustomization that no other one includes: what `kustomize build` is run on. */
export interface KustomizeRoot {
  /** Its folder, relative to the validated folder. */
  readonly dir: string;
  /** Its kustomization.yaml. */
  readonly file: string;
  /** The objects it builds, as our reading of its resources finds them. */
  readonly objects: LoadedDocument[];
  /** Every file the build reads (kustomization.yaml files included). */
  readonly reads: Set<string>;
}

/** What the kustomize checks found, and the top-level kustomizations to build for real. */
export interface KustomizeReport {
  readonly findings: Finding[];
  readonly roots: KustomizeRoot[];
}

/** A resource that kustomize fetches rather than reads from the folder (`https://...`, `github.com/...`). */
function isRemote(entry: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(entry);
}

/** Appends `value` to the list at `key`. */
function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Checks every folder with a kustomization.yaml: its resources exist, it lists every YAML file of
 * the folder, and what it builds holds no object twice and has consistent namespaces. Each file and
 * each folder is looked at once, so the cost grows with the tree, not with its square.
 */
export function checkKustomizations(tree: LoadedTree): KustomizeReport {
  const configs = new Map(tree.documents.filter((d) => isKustomizeConfig(d.file, d.value)).map((d) => [path.posix.dirname(d.file), d]));
  const files = new Set(tree.files);
  const objectsOf = new Map<string, LoadedDocument[]>();
  for (const d of tree.documents) if (!isKustomizeConfig(d.file, d.value) && !isFleetYaml(d.file)) push(objectsOf, d.file, d);
  const filesIn = new Map<string, string[]>();
  for (const f of tree.files) push(filesIn, path.posix.dirname(f), f);
  const foldersIn = new Map<string, string[]>();
  for (const dir of configs.keys()) if (dir !== '.') push(foldersIn, path.posix.dirname(dir), dir);

  const findings: Finding[] = [];
  const included = new Set<string>();
  const builds = new Map<string, { objects: LoadedDocument[]; reads: Set<string> }>();
  const build = (dir: string, visiting: Set<string>): { objects: LoadedDocument[]; reads: Set<string> } => {
    const done = builds.get(dir);
    if (done) return done;
    const config = configs.get(dir)!;
    const result = { objects: [] as LoadedDocument[], reads: new Set([config.file]) };
    const resources: unknown[] = Array.isArray(config.value.resources) ? config.value.resources : [];
    resources.forEach((entry, i) => {
      if (typeof entry !== 'string' || isRemote(entry)) return;
      const target = path.posix.normalize(path.posix.join(dir, entry));
      if (configs.has(target)) {
        included.add(target);
        if (visiting.has(target)) {
          findings.push({
            file: config.file,
            object: '-',
            path: `resources[${i}]`,
            message: `"${entry}" includes this kustomization again (a cycle: kustomize build fails)`,
          });
          return;
        }
        const sub = build(target, new Set([...visiting, target]));
        result.objects.push(...sub.objects);
        sub.reads.forEach((f) => result.reads.add(f));
      } else if (files.has(target)) {
        result.objects.push(...(objectsOf.get(target) ?? []));
        result.reads.add(target);
      } else {
        findings.push({
          file: config.file,
          object: '-',
          path: `resources[${i}]`,
          message: `"${entry}" does not exist (list only files and folders with a kustomization.yaml)`,
        });
      }
    });
    builds.set(dir, result);
    return result;
  };

  for (const [dir, config] of configs) {
    findings.push(...unlisted(dir, config, filesIn.get(dir) ?? [], foldersIn.get(dir) ?? []));
    build(dir, new Set([dir]));
  }
  const roots = [...configs.keys()]
    .filter((dir) => !included.has(dir))
    .map((dir): KustomizeRoot => ({ dir, file: configs.get(dir)!.file, ...builds.get(dir)! }));
  for (const root of roots) findings.push(...checkBuild(root.file, root.objects));
  return { findings, roots };
}

/** YAML files of `dir` and subfolders with a kustomization.yaml that the kustomization does not list. */
function unlisted(dir: string, config: LoadedDocument, files: string[], folders: string[]): Finding[] {
  const resources: unknown[] = Array.isArray(config.value.resources) ? config.value.resources : [];
  const listed = new Set(resources.filter((r): r is string => typeof r === 'string').map((r) => path.posix.normalize(path.posix.join(dir, r))));
  const candidates = [...files.filter((f) => path.posix.basename(f) !== 'kustomization.yaml' && !isFleetYaml(f)), ...folders];
  return candidates
    .filter((p) => !listed.has(p))
    .map((p) => ({
      file: config.file,
      object: '-',
      path: 'resources',
      message: `"${path.posix.relative(dir, p)}" is in the folder but not listed, so kustomize build leaves it out (add it to resources)`,
    }));
}

/** Objects built twice, and namespaces that do not fit together. */
function checkBuild(file: string, objects: LoadedDocument[]): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, string>();
  for (const { file: source, value } of objects) {
    const key = objectIdentity(value);
    if (seen.has(key)) {
      findings.push({
        file,
        object: objectName(value),
        path: '-',
        message: `built twice, from ${seen.get(key)} and ${source} (an object may appear once)`,
      });
    }
    seen.set(key, source);
  }
  const namespaces = new Set(objects.filter((o) => o.value?.kind === 'Namespace').map((o) => o.value.metadata?.name));
  for (const { file: source, value } of objects) {
    const ns = value?.metadata?.namespace;
    if (CLUSTER_SCOPED.has(value?.kind) && ns) {
      findings.push({
        file: source,
        object: objectName(value),
        path: 'metadata.namespace',
        message: `${value.kind} is cluster-scoped and takes no namespace`,
      });
    } else if (!CLUSTER_SCOPED.has(value?.kind) && !ns) {
      findings.push({
        file: source,
        object: objectName(value),
        path: 'metadata.namespace',
        message: 'no namespace: it would land in whatever namespace the apply defaults to (set metadata.namespace)',
      });
    } else if (ns && namespaces.size > 0 && !namespaces.has(ns) && !IN_OPERATOR_NAMESPACE.has(`${apiGroup(value)}/${value.kind}`)) {
      findings.push({
        file: source,
        object: objectName(value),
        path: 'metadata.namespace',
        message: `namespace "${ns}" is not among the namespaces this kustomization creates (${[...namespaces].join(', ')})`,
      });
    }
  }
  return findings;
}
