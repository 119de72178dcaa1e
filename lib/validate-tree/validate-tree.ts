import * as path from 'path';
import { checkCrossObject } from './cross-object-checks';
import { Finding } from './findings';
import { checkKustomizations } from './kustomize-checks';
import { loadTree } from './loaded-tree';
import { checkSchemas } from './schema-checks';
import { SchemaRegistry } from './schema-registry';

/** Options of {@link validateTree}. */
export interface ValidateTreeOptions {
  /** Kinds (`Kind` or `apiVersion/Kind`) accepted without a schema. @default [] */
  readonly allowKinds?: string[];
  /** Build the top-level kustomizations with `kubectl kustomize` or `kustomize build` when one is on PATH. @default true */
  readonly realKustomizeBuild?: boolean;
  /** Root of the Git repository, against which Fleet GitRepo paths resolve. @default - the folder above the validated one */
  readonly repositoryRoot?: string;
}

/** The outcome of {@link validateTree}. */
export interface ValidationReport {
  /** YAML files read. */
  readonly files: number;
  /** Documents checked (API objects, fleet.yaml and kustomization.yaml files). */
  readonly objects: number;
  /** Distinct objects (or files) with at least one finding. */
  readonly invalid: number;
  /** Every problem found, in file order. */
  readonly findings: Finding[];
  /** Lines for people about what was and was not checked. */
  readonly notes: string[];
}

const registry = new SchemaRegistry();

/**
 * Validates every YAML file below `root` as its real consumers would: each object strictly against
 * its kind's schema, each kustomization against the files it lists, and references between objects.
 */
export function validateTree(root: string, options: ValidateTreeOptions = {}): ValidationReport {
  const tree = loadTree(root);
  const kustomize = checkKustomizations(tree, options.realKustomizeBuild ?? true);
  const findings = [
    ...tree.parseProblems,
    ...checkSchemas(tree, registry, options.allowKinds ?? []),
    ...kustomize.findings,
    ...checkCrossObject(tree, options.repositoryRoot ?? path.dirname(path.resolve(root))),
  ].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const invalid = new Set(findings.map((f) => `${f.file} ${f.object}`)).size;
  return { files: tree.files.length, objects: tree.documents.length, invalid, findings, notes: [kustomize.note] };
}

/** One line per finding, then the notes and a summary line. */
export function formatReport(report: ValidationReport): string {
  const lines = report.findings.map((f) => `${f.file}: ${f.object}: ${f.path}: ${f.message}`);
  return [...lines, ...report.notes.map((n) => `note: ${n}`), `${report.files} files, ${report.objects} objects: ${report.invalid} invalid`].join('\n') + '\n';
}
