import * as path from 'path';
import { checkSecretsTree, withDecryptedStandIns } from './check-secrets-tree';
import { checkCrossObject } from './cross-object-checks';
import { Finding } from './findings';
import { KustomizeRoot, checkKustomizations } from './kustomize-checks';
import { loadTree } from './loaded-tree';
import { checkOfflineReadiness } from './offline-checks';
import { checkPlatformWarnings } from './platform-checks';
import { buildForReal } from './real-kustomize-build';
import { checkSchemas } from './schema-checks';
import { SchemaRegistry } from './schema-registry';
import { compareStrings } from '../util/compare-strings';
import { changesBelow } from '../util/git';
import { plural } from '../util/plural';

/** Options of {@link validateTree}. */
export interface ValidateTreeOptions {
  /** Kinds (`Kind` or `apiVersion/Kind`) accepted without a schema. @default [] */
  readonly allowKinds?: string[];
  /** Build the top-level kustomizations with `kubectl kustomize` or `kustomize build` when one is on PATH, several at once. @default true */
  readonly realKustomizeBuild?: boolean;
  /**
   * Build for real only the top-level kustomizations that read a file changed since this Git
   * revision (what a pull request changed); every other check still covers the whole tree.
   * @default - build them all
   */
  readonly changedSince?: string;
  /** Real kustomize builds run at once. @default - the number of CPUs */
  readonly concurrency?: number;
  /** Called after each real build, e.g. to show progress. @default - nothing */
  readonly onBuildProgress?: (built: number, total: number) => void;
  /** Root of the Git repository, against which Fleet GitRepo paths resolve. @default - the folder above the validated one */
  readonly repositoryRoot?: string;
  /** The stores' local StorageClass, which the offline rule `local-storage` requires of every VM disk. @default 'local-path' */
  readonly localStorageClass?: string;
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
  /** Advice that does not fail validation (e.g. an image with a tag but no digest), in file order. */
  readonly warnings: Finding[];
  /** Lines for people about what was and was not checked. */
  readonly notes: string[];
}

const registry = new SchemaRegistry();

function byFile(a: Finding, b: Finding): number {
  return compareStrings(a.file, b.file);
}

/**
 * Validates `target` (a folder of YAML, or one file) as its real consumers would: each object
 * strictly against its kind's schema, the offline-readiness rules that synth applies, each
 * kustomization against the files it lists (and, where kubectl or kustomize is on PATH, built for
 * real, in parallel), and references between objects. Reports every problem found in one run.
 */
export async function validateTree(target: string, options: ValidateTreeOptions = {}): Promise<ValidationReport> {
  const loaded = loadTree(target);
  // Encrypted Secrets are checked as Flux sees them once decrypted, and their encryption on its own.
  const tree = withDecryptedStandIns(loaded);
  const kustomize = tree.singleFile ? { findings: [], roots: [] } : checkKustomizations(tree);
  const offline = checkOfflineReadiness(tree, { localStorageClass: options.localStorageClass });
  const notes: string[] = [];
  const findings = [
    ...tree.parseProblems,
    ...checkSchemas(tree, registry, options.allowKinds ?? []),
    ...offline.findings,
    ...kustomize.findings,
    ...checkCrossObject(tree, options.repositoryRoot ?? path.dirname(path.resolve(tree.root))),
    ...checkSecretsTree(loaded),
  ];
  if (tree.singleFile) {
    notes.push('one file: the kustomize checks need its folder');
  } else if (options.realKustomizeBuild ?? true) {
    const changed = options.changedSince === undefined ? undefined : rootsChangedSince(tree.root, kustomize.roots, options.changedSince);
    const roots = changed?.roots ?? kustomize.roots;
    const real = await buildForReal(tree.root, roots, { concurrency: options.concurrency, onProgress: options.onBuildProgress });
    findings.push(...real.findings);
    const which = changed
      ? `${roots.length} of ${kustomize.roots.length} top-level kustomizations (those changed since ${changed.base})`
      : plural(roots.length, 'top-level kustomization');
    notes.push(
      !real.tool
        ? 'neither kubectl nor kustomize is on PATH: the real kustomize build was skipped'
        : roots.length === 0
          ? 'no top-level kustomization to build'
          : `${which} built with ${real.tool}, ${real.parallel} at a time`,
    );
  } else {
    notes.push('real kustomize build not requested');
  }
  findings.sort(byFile);
  const invalid = new Set(findings.map((f) => `${f.file} ${f.object}`)).size;
  const warnings = [...offline.warnings, ...checkPlatformWarnings(tree)].sort(byFile);
  return { files: tree.files.length, objects: tree.documents.length, invalid, findings, warnings, notes };
}

/** The roots that read a file changed since `ref` (committed, staged, unstaged or untracked), and how the base is named. */
function rootsChangedSince(root: string, roots: KustomizeRoot[], ref: string): { roots: KustomizeRoot[]; base: string } {
  const { base, files } = changesBelow(root, ref, '--changed-since');
  const changed = new Set(files.map((f) => f.path));
  const affected = roots.filter((r) => [...r.reads].some((f) => changed.has(f)));
  return { roots: affected, base: base.label };
}

/** Most findings the text report lists one by one; the JSON report lists every one. */
const MAX_LISTED_FINDINGS = 1000;

/** One line per kind of warning: how many, the first one as an example. */
function warningLines(warnings: Finding[]): string[] {
  const kinds = new Map<string, Finding[]>();
  for (const w of warnings) {
    const list = kinds.get(w.kind ?? w.message);
    if (list) list.push(w);
    else kinds.set(w.kind ?? w.message, [w]);
  }
  return [...kinds.values()].map((list) => {
    const first = list[0];
    const where = `${first.file}: ${first.object}: ${first.path}: ${first.message}`;
    return list.length === 1 ? `warning: ${where}` : `warning: ${list.length} times, e.g. ${where}`;
  });
}

/** One line per finding (up to a cap), the warnings by kind, then the notes and a summary line. */
export function formatReport(report: ValidationReport): string {
  const listed = report.findings.slice(0, MAX_LISTED_FINDINGS).map((f) => `${f.file}: ${f.object}: ${f.path}: ${f.message}`);
  const more =
    report.findings.length > listed.length ? [`... and ${report.findings.length - listed.length} more problems (--format json lists every one)`] : [];
  const warnings = report.warnings.length ? `, ${plural(report.warnings.length, 'warning')}` : '';
  return (
    [
      ...listed,
      ...more,
      ...warningLines(report.warnings),
      ...report.notes.map((n) => `note: ${n}`),
      `${plural(report.files, 'file')}, ${plural(report.objects, 'object')}: ${report.invalid} ` +
        `invalid${report.findings.length > report.invalid ? ` (${report.findings.length} problems)` : ''}${warnings}`,
    ].join('\n') + '\n'
  );
}
