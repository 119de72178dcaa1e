import { spawn, spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { Finding } from './findings';
import { KustomizeRoot } from './kustomize-checks';
import { inParallel } from '../util/in-parallel';

/** Options of {@link buildForReal}. */
export interface RealBuildOptions {
  /** Builds run at once. @default - the number of CPUs */
  readonly concurrency?: number;
  /** Called after each build, e.g. to show progress. @default - nothing */
  readonly onProgress?: (built: number, total: number) => void;
}

/** What the real builds found, and what ran them. */
export interface RealBuildReport {
  readonly findings: Finding[];
  /** The command that built, e.g. `kubectl kustomize`; undefined when neither kubectl nor kustomize is on PATH. */
  readonly tool?: string;
  /** How many builds ran at once. */
  readonly parallel: number;
}

/** `kubectl kustomize` or `kustomize build`, whichever is on PATH. */
function kustomizeTool(): string[] | undefined {
  if (spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0) return ['kubectl', 'kustomize'];
  if (spawnSync('kustomize', ['version'], { stdio: 'ignore' }).status === 0) return ['kustomize', 'build'];
  return undefined;
}

/**
 * Builds each of `roots` (below the folder `root`) with the real kustomize, several at once, and
 * compares the number of objects built with what the listed files hold.
 */
export async function buildForReal(root: string, roots: KustomizeRoot[], options: RealBuildOptions = {}): Promise<RealBuildReport> {
  const tool = kustomizeTool();
  if (!tool) return { findings: [], parallel: 0 };
  const concurrency = Math.max(1, options.concurrency ?? os.cpus().length);
  const findings: Finding[][] = new Array(roots.length);
  let built = 0;
  await inParallel(roots, concurrency, async (kustomization, i) => {
    findings[i] = await buildOne(tool, root, kustomization);
    options.onProgress?.(++built, roots.length);
  });
  return { findings: findings.flat(), tool: tool.join(' '), parallel: Math.min(concurrency, roots.length) };
}

function buildOne(tool: string[], root: string, kustomization: KustomizeRoot): Promise<Finding[]> {
  return new Promise((resolve) => {
    const child = spawn(tool[0], [...tool.slice(1), path.join(root, kustomization.dir)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    const fail = (reason: string) => resolve([{ file: kustomization.file, object: '-', path: '-', message: `${tool.join(' ')} failed: ${reason}` }]);
    child.on('error', (e) => fail(e.message));
    child.on('close', (code) => {
      if (code !== 0) return fail(Buffer.concat(stderr).toString('utf8').trim().split('\n')[0] || `exit code ${code}`);
      const count = documentCount(Buffer.concat(stdout).toString('utf8'));
      const expected = kustomization.objects.length;
      resolve(
        count === expected
          ? []
          : [
              {
                file: kustomization.file,
                object: '-',
                path: '-',
                message: `${tool.join(' ')} builds ${count} objects, but the listed files hold ${expected}`,
              },
            ],
      );
    });
  });
}

/**
 * Objects in kustomize's output, which separates them with `---` lines: counted rather than parsed,
 * so that checking a build costs next to nothing beside the build itself.
 */
function documentCount(output: string): number {
  if (output.trim() === '') return 0;
  return (output.match(/^---$/gm) ?? []).length + (output.startsWith('---\n') ? 0 : 1);
}
