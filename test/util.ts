import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IConstruct } from 'constructs';
import * as YAML from 'yaml';
import { EdgeFleet, EdgeFleetProps, EdgeStore, EdgeStoreProps, EdgefleetError, renderFleet } from '../lib';
import { validateFleet } from '../lib/synth/late-problems';
import { renderStore } from '../lib/synth/render-store';
import { withCdk8sToJson } from '../lib/util/rendered-json';
import { withJsYaml } from '../lib/util/yaml-text';

/** A fleet with a repository and the given overrides. */
export function testFleet(props: Partial<EdgeFleetProps> = {}): EdgeFleet {
  return new EdgeFleet({ repository: { url: 'https://git.example.com/retail/fleet.git' }, ...props });
}

/** A fleet with one store `store-001`. */
export function testStore(props: EdgeStoreProps = {}, fleetProps: Partial<EdgeFleetProps> = {}): EdgeStore {
  return new EdgeStore(testFleet(fleetProps), 'store-001', props);
}

/** The parsed documents of one generated file of `store`, by its path relative to dist/. */
export function documents(store: EdgeStore, file: string): any[] {
  const content = renderStore(store).get(file);
  if (content === undefined) throw new Error(`${file} not generated; files: ${[...renderStore(store).keys()].join(', ')}`);
  return YAML.parseAllDocuments(content).map((d) => d.toJS());
}

/** The single object of `kind` in one generated file. */
export function objectOf(store: EdgeStore, file: string, kind: string): any {
  const matches = documents(store, file).filter((d) => d.kind === kind);
  if (matches.length !== 1) throw new Error(`${file}: ${matches.length} objects of kind ${kind}`);
  return matches[0];
}

/** A fresh temporary folder. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'edgefleet-test-'));
}

/** Every file below `dir` with its content, relative paths with `/`. */
export function snapshotDir(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, full).split(path.sep).join('/'), fs.readFileSync(full, 'utf8'));
  }
  return files;
}

/**
 * A fleet rendered with edgefleet's fast paths (its YAML writer, its resolve pass), and with the
 * reference implementations they reproduce (js-yaml's dump, cdk8s's own toJson).
 */
export function bothWays(build: () => EdgeFleet): { fast: Map<string, string>; reference: Map<string, string> } {
  const fast = renderFleet(build());
  const reference = withJsYaml(() => withCdk8sToJson(() => renderFleet(build())));
  return { fast, reference };
}

/** The files that differ between two renderings of the same fleet, by path. */
export function differences(a: Map<string, string>, b: Map<string, string>): string[] {
  const paths = new Set([...a.keys(), ...b.keys()]);
  return [...paths].filter((p) => a.get(p) !== b.get(p));
}

/** One regular expression from several, written in order (to keep long expected messages within the line length). */
export function pattern(parts: RegExp[], flags = ''): RegExp {
  return new RegExp(parts.map((p) => p.source).join(''), flags);
}

/**
 * `build`, then the late checks (`node.addValidation`) of the tree it built into, as synth runs them:
 * a function that throws what either finds, the late problems one per line. A prop that building goes
 * on without (see `failLate`) is reported by the late checks.
 */
export function withLateChecks(build: () => IConstruct): () => void {
  return () => {
    const problems = validateFleet(build().node.root);
    if (problems.length > 0) throw new EdgefleetError(problems.join('\n'));
  };
}
