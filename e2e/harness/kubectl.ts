import { spawnSync } from 'child_process';
import { binaries } from './binaries';

/** A kubectl bound to one control plane's kubeconfig. */
export class Kubectl {
  constructor(private readonly kubeconfig: string) {}

  /** Runs kubectl; throws with its stderr when it fails. */
  public run(args: string[], input?: string): string {
    const result = this.spawn(args, input);
    if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
    return result.stdout;
  }

  /** Runs kubectl and returns its exit status and output, whatever they are. */
  public spawn(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(binaries().kubectl, ['--kubeconfig', this.kubeconfig, ...args], { input, encoding: 'utf8', maxBuffer: 2 ** 28 });
    return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? String(result.error ?? '') };
  }

  /** Server-side apply of a file, a kustomize folder (`-k`) or YAML text, as the given field manager. */
  public apply(source: { file?: string; kustomize?: string; yaml?: string }, extra: string[] = []): string {
    const from = source.kustomize ? ['-k', source.kustomize] : ['-f', source.file ?? '-'];
    return this.run(['apply', '--server-side', '--force-conflicts', ...from, ...extra], source.yaml);
  }

  /** One object, or undefined when the API server has none of that kind, namespace and name. */
  public get(kind: string, name: string, namespace?: string): any | undefined {
    const result = this.spawn(['get', kind, name, ...(namespace ? ['-n', namespace] : []), '-o', 'json']);
    if (result.status !== 0) {
      if (/NotFound|not found/.test(result.stderr)) return undefined;
      throw new Error(`kubectl get ${kind} ${name}: ${result.stderr.trim()}`);
    }
    return JSON.parse(result.stdout);
  }

  /** Every object of `kind` in `namespace` (all namespaces when undefined). */
  public list(kind: string, namespace?: string): any[] {
    return JSON.parse(this.run(['get', kind, ...(namespace ? ['-n', namespace] : ['-A']), '-o', 'json'])).items;
  }

  /**
   * Asks a Flux object to reconcile now, as `flux reconcile` does, and returns the request's token (the object's
   * `status.lastHandledReconcileAt` once handled). Annotated under a field manager of its own, as the flux CLI does:
   * kubectl's default `kubectl-annotate` starts with `kubectl`, and kustomize-controller strips every field of a manager
   * with that prefix when the parent Kustomization applies this object again (fluxcd/pkg ssa `PatchRemoveFieldsManagers`),
   * which took the annotation away when a restarted Flux re-applied `edgefleet-workloads`.
   */
  public requestReconcile(kind: string, name: string, namespace: string): string {
    const requestedAt = String(Date.now());
    const annotation = `reconcile.fluxcd.io/requestedAt=${requestedAt}`;
    this.run(['annotate', '--overwrite', '--field-manager=edgefleet-e2e', kind, name, '-n', namespace, annotation]);
    return requestedAt;
  }
}
