import * as fs from 'fs';
import * as path from 'path';

/*
 * Layers point one way: the library (lib/) knows nothing of the example fleet (stores/), the benchmark
 * or the tests; the example fleet uses the library only as 'edgefleet', as any fleet repository does;
 * library tests build their own fleets, and only test/example-fleet/ depends on the example.
 */

const ROOT = path.join(__dirname, '..');

function typescriptFiles(folder: string): string[] {
  return fs.readdirSync(path.join(ROOT, folder), { recursive: true, encoding: 'utf8' })
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
  return files.flatMap((file) => importsOf(file).filter((s) => forbidden(target(file, s))).map((s) => `${file} imports '${s}'`));
}

describe('layering', () => {
  test('GIVEN the library WHEN its imports are read THEN none reaches the example fleet, the benchmark or the tests', () => {
    expect(importers(typescriptFiles('lib'), (t) => ['stores', 'bench', 'test'].includes(t))).toEqual([]);
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
