import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { Finding } from './findings';
import { compareStrings } from '../output/manifest-file';

/** One document of a YAML file. */
export interface LoadedDocument {
  /** File, relative to the validated folder, with `/`. */
  readonly file: string;
  /** The parsed document. */
  readonly value: any;
}

/** Every YAML file below a folder, parsed. */
export interface LoadedTree {
  /** The folder. */
  readonly root: string;
  /** Relative paths of the YAML files, sorted. */
  readonly files: string[];
  /** Every non-empty document of every file, in file order. */
  readonly documents: LoadedDocument[];
  /** Files that are not valid YAML. */
  readonly parseProblems: Finding[];
}

/** Reads and parses every `.yaml`/`.yml` file below `root` (skipping `.git` and `node_modules`). */
export function loadTree(root: string): LoadedTree {
  const files = (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((f) => !f.split('/').some((part) => part === '.git' || part === 'node_modules'))
    .sort(compareStrings);
  const documents: LoadedDocument[] = [];
  const parseProblems: Finding[] = [];
  for (const file of files) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(root, file), 'utf8'))) {
      if (doc.errors.length > 0) {
        parseProblems.push({ file, object: '-', path: '-', message: `not valid YAML: ${doc.errors[0].message.split('\n')[0]}` });
        continue;
      }
      const value = doc.toJS();
      if (value !== null && value !== undefined) documents.push({ file, value });
    }
  }
  return { root, files, documents, parseProblems };
}

/** How an object is named in findings: `Kind/namespace/name`, or `Kind/name` when cluster-scoped. */
export function objectName(value: any): string {
  const ns = value?.metadata?.namespace;
  return `${value?.kind ?? '?'}/${ns ? `${ns}/` : ''}${value?.metadata?.name ?? '?'}`;
}

/** Whether a document of `file` is a kustomize configuration rather than an API object. */
export function isKustomizeConfig(file: string, value: any): boolean {
  return path.posix.basename(file) === 'kustomization.yaml' && (!value?.apiVersion || String(value.apiVersion).startsWith('kustomize.config.k8s.io'));
}

/** Whether `file` is a Fleet bundle's fleet.yaml. */
export function isFleetYaml(file: string): boolean {
  return path.posix.basename(file) === 'fleet.yaml';
}
