import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './util';

/*
 * Layers point one way. Inside lib/, the dependency rules of .dependency-cruiser.cjs: each folder's
 * layer imports only from its own layer and those below, no import circle but the type-only one
 * between EdgeFleet and EdgeStore, and nothing of the example fleet, the benchmarks, the tests or the
 * end-to-end suite. Outside it: the example fleet uses the library only as 'edgefleet', as any fleet
 * repository does; library tests build their own fleets, and only test/example-fleet/ depends on the example.
 */

const ROOT = path.join(__dirname, '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

/** The dependency rules' violations in the folder `lib` of `root`, one line each (empty when there are none). */
function dependencyViolations(root: string): string[] {
  const cli = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const result = spawnSync(process.execPath, [cli, '--config', CONFIG, '--output-type', 'err', 'lib'], { cwd: root, encoding: 'utf8' });
  if (result.status === 0) return [];
  const violations = result.stdout
    .split('\n')
    .filter((line) => /^\s*error /.test(line))
    .map((line) => line.trim());
  if (violations.length === 0) throw new Error(`dependency-cruiser failed: ${result.stderr}${result.stdout}`);
  return violations;
}

function typescriptFiles(folder: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(folder, f).split(path.sep).join('/'));
}

/** The module specifiers a file imports or requires. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from\s+|require\(|import\()\s*'([^']+)'/g)].map((m) => m[1]);
}

/** The top-level folder of the repository that a relative import of `file` reaches, or the package name. */
function target(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  return path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).split('/')[0];
}

function importers(files: string[], forbidden: (target: string) => boolean): string[] {
  return files.flatMap((file) =>
    importsOf(file)
      .filter((s) => forbidden(target(file, s)))
      .map((s) => `${file} imports '${s}'`),
  );
}

/** Writes `files` (path under the folder → content) into a new folder with a tsconfig.json, and returns the folder. */
function plantedTree(files: Record<string, string>): string {
  const root = tempDir();
  fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true } }));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
  return root;
}

describe('layering', () => {
  test('GIVEN lib/ WHEN its imports are checked against the layer rules THEN there is no upward import and no circle', () => {
    expect(dependencyViolations(ROOT)).toEqual([]);
  });

  test('GIVEN a utility that imports the CLI and two model modules that import each other WHEN checked THEN each is a violation', () => {
    // GIVEN
    const root = plantedTree({
      'lib/util/helper.ts': "import { run } from '../cli/main';\nexport const helper = run;\n",
      'lib/cli/main.ts': 'export function run(): void {}\n',
      'lib/model/a.ts': "import { b } from './b';\nexport const a = (): number => b();\n",
      'lib/model/b.ts': "import { a } from './a';\nexport const b = (): number => a();\n",
      'lib/model/c.ts': "import { helper } from '../util/helper';\nexport const c = helper;\n",
    });

    // WHEN
    const violations = dependencyViolations(root);

    // THEN
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^error layer-util-errors-prop-checks: lib\/util\/helper\.ts → lib\/cli\/main\.ts$/),
        expect.stringMatching(/^error no-circular: lib\/model\/a\.ts →/),
      ]),
    );
    expect(violations.join('\n')).not.toMatch(/lib\/model\/c\.ts/);
  });

  test('GIVEN the example fleet WHEN its imports are read THEN it reaches the library only as "edgefleet"', () => {
    expect(importsOf('stores/index.ts')).toContain('edgefleet');
    expect(importers(typescriptFiles('stores'), (t) => ['lib', 'imports', 'bench', 'test'].includes(t))).toEqual([]);
  });

  test('GIVEN the library tests WHEN their imports are read THEN none depends on the example fleet', () => {
    // test/diff/dist-diff.test.ts still holds the example's promotion test; it belongs in test/example-fleet/.
    const libraryTests = typescriptFiles('test').filter((f) => !f.startsWith('test/example-fleet/') && f !== 'test/diff/dist-diff.test.ts');
    expect(importers(libraryTests, (t) => t === 'stores')).toEqual([]);
  });
});
