import * as fs from 'fs';
import * as path from 'path';
import { Finding } from './findings';
import { compareStrings } from '../util/compare-strings';
import { parseYamlDocuments } from '../util/parse-yaml';

/** One document of a YAML file. */
export interface LoadedDocument {
  /** File, relative to the validated folder, with `/`. */
  readonly file: string;
  /** The parsed document. */
  readonly value: any;
}

/** Every YAML file below a folder (or one file), parsed. */
export interface LoadedTree {
  /** The folder; for a single file, the folder that holds it. */
  readonly root: string;
  /** Whether one file was given rather than a folder. */
  readonly singleFile: boolean;
  /** Relative paths of the YAML files, sorted. */
  readonly files: string[];
  /** Every non-empty document of every file, in file order. */
  readonly documents: LoadedDocument[];
  /** Files that are not valid YAML. */
  readonly parseProblems: Finding[];
  /**
   * The documents of each store folder: the objects that land in one cluster and may refer to
   * each other. See {@link scopeOf}.
   */
  readonly scopes: Map<string, LoadedDocument[]>;
}

/** Reads and parses `target`: one YAML file, or every `.yaml`/`.yml` file below a folder (skipping `.git` and `node_modules`). */
export function loadTree(target: string): LoadedTree {
  const singleFile = fs.statSync(target).isFile();
  const root = singleFile ? path.dirname(target) : target;
  const files = singleFile ? [path.basename(target)] : yamlFilesBelow(root);
  const documents: LoadedDocument[] = [];
  const parseProblems: Finding[] = [];
  for (const file of files) {
    const { documents: values, error } = parseYamlDocuments(fs.readFileSync(path.join(root, file), 'utf8'));
    documents.push(...values.map((value) => ({ file, value })));
    if (error) {
      parseProblems.push({ file, object: '-', path: '-', message: `not valid YAML${error.line ? ` (line ${error.line})` : ''}: ${error.message}` });
    }
  }
  return { root, singleFile, files, documents, parseProblems, scopes: groupByScope(files, documents) };
}

function yamlFilesBelow(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((f) => !f.split('/').some((part) => part === '.git' || part === 'node_modules'))
    .sort(compareStrings);
}

/**
 * The store folder a file belongs to: the first two folders of its path (`stores/store-001`,
 * `clusters/store-001`), or a shallower folder with a kustomization.yaml that holds it (so that a
 * single store folder, validated on its own, is one scope); `.` for the top of the tree.
 */
function scopeOf(file: string, kustomizeFolders: Set<string>): string {
  const dir = path.posix.dirname(file);
  const folders = dir === '.' ? [] : dir.split('/');
  const deepest = folders.slice(0, 2);
  for (let depth = 0; depth < deepest.length; depth++) {
    const ancestor = folders.slice(0, depth).join('/') || '.';
    if (kustomizeFolders.has(ancestor)) return ancestor;
  }
  return deepest.join('/') || '.';
}

function groupByScope(files: string[], documents: LoadedDocument[]): Map<string, LoadedDocument[]> {
  const kustomizeFolders = new Set(files.filter((f) => path.posix.basename(f) === 'kustomization.yaml').map((f) => path.posix.dirname(f)));
  const scopes = new Map<string, LoadedDocument[]>();
  for (const d of documents) {
    const scope = scopeOf(d.file, kustomizeFolders);
    const docs = scopes.get(scope);
    if (docs) docs.push(d);
    else scopes.set(scope, [d]);
  }
  return scopes;
}

/** How an object is named in findings: `Kind/namespace/name`, or `Kind/name` when cluster-scoped. */
export function objectName(value: any): string {
  const ns = value?.metadata?.namespace;
  return `${value?.kind ?? '?'}/${ns ? `${ns}/` : ''}${value?.metadata?.name ?? '?'}`;
}

/** The API group of an object; empty for the core group. */
export function apiGroup(value: any): string {
  return String(value?.apiVersion ?? '').includes('/') ? String(value.apiVersion).split('/')[0] : '';
}

/** API group, kind, namespace and name: what makes an object the same object to Kubernetes. */
export function objectIdentity(value: any): string {
  return `${apiGroup(value)}/${value?.kind}/${value?.metadata?.namespace ?? ''}/${value?.metadata?.name}`;
}

/** Whether a document of `file` is a kustomize configuration rather than an API object. */
export function isKustomizeConfig(file: string, value: any): boolean {
  return path.posix.basename(file) === 'kustomization.yaml' && (!value?.apiVersion || String(value.apiVersion).startsWith('kustomize.config.k8s.io'));
}

/** Whether `file` is a Fleet bundle's fleet.yaml. */
export function isFleetYaml(file: string): boolean {
  return path.posix.basename(file) === 'fleet.yaml';
}

/** Whether a document is a Kubernetes API object (has apiVersion, kind and a name), rather than a configuration file. */
export function isApiObject(doc: LoadedDocument): boolean {
  const { value } = doc;
  return (
    !isKustomizeConfig(doc.file, value) &&
    !isFleetYaml(doc.file) &&
    typeof value?.apiVersion === 'string' &&
    typeof value?.kind === 'string' &&
    typeof value?.metadata?.name === 'string'
  );
}
