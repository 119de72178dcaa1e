import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../lib/cli/main';
import { snapshotDir, tempDir, pattern } from '../util';

/** Runs the CLI in `cwd` (a fresh folder outside Git, by default), capturing what it prints. */
async function runIn(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { write: (s: string) => (stdout += s) }, { write: (s: string) => (stderr += s) }, cwd);
  return { code, stdout, stderr };
}

async function run(...argv: string[]) {
  return runIn(tempDir(), ...argv);
}

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', name);

/** A fleet module in `dir` whose buildFleet() returns what `body` returns. */
function fleetModule(dir: string, body: string): string {
  const file = path.join(dir, 'fleet.ts');
  fs.writeFileSync(file, `import { EdgeFleet, EdgeMonitor, EdgeStore } from 'edgefleet';\nexport function buildFleet(): any {\n${body}\n}\n`);
  return file;
}

describe('edgefleet synth', () => {
  test('GIVEN a valid fleet WHEN synthesized THEN it writes the tree to the repository path and prints a summary', async () => {
    const project = tempDir();
    const { code, stdout } = await runIn(project, 'synth', '--fleet', fixture('good-fleet.ts'));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^edgefleet: 1 store, 17 files in dist\/: 17 written, 0 deleted, 0 unchanged; 1 store rendered \([0-9.]+s\)\n$/);
    expect(fs.existsSync(path.join(project, 'dist/stores/store-001/workloads/edge-monitor.yaml'))).toBe(true);
  });

  test('GIVEN stores in the output folder that the fleet no longer has WHEN synthesized THEN the summary names the removed stores', async () => {
    const project = tempDir();
    for (const id of ['store-001', 'store-009', 'store-010']) fs.mkdirSync(path.join(project, 'dist/stores', id, 'workloads'), { recursive: true });
    fs.writeFileSync(path.join(project, 'dist/stores/store-009/workloads/pos.yaml'), 'a: 1\n');
    const { code, stdout } = await runIn(project, 'synth', '--fleet', fixture('good-fleet.ts'));
    expect(code).toBe(0);
    expect(stdout).toContain('edgefleet: 2 stores removed: store-009, store-010\n');
    expect(fs.existsSync(path.join(project, 'dist/stores/store-009'))).toBe(false);
  });

  test('GIVEN a fleet with a mistake WHEN synthesized THEN it prints the message without a stack trace and leaves dist/ alone', async () => {
    // GIVEN
    const project = tempDir();
    fs.mkdirSync(path.join(project, 'dist'));
    fs.writeFileSync(path.join(project, 'dist', 'keep.yaml'), 'a: 1\n');

    // WHEN
    const { code, stderr } = await runIn(project, 'synth', '--fleet', fixture('broken-fleet.ts'));

    // THEN
    expect(code).toBe(1);
    expect(stderr).toBe(
      'edgefleet: synth failed; dist/ was left as it was.\n1 problem in the fleet definition:\n' +
        '  - store "store-017": EdgePosVm "pos": memory "2 GB" is not a Kubernetes quantity (use "2Gi")\n',
    );
    expect([...snapshotDir(project).keys()]).toEqual(['dist/keep.yaml']);
  });

  test('GIVEN an output folder that cannot be written WHEN synthesized THEN it says what failed, without a stack trace', async () => {
    const project = tempDir();
    fs.writeFileSync(path.join(project, 'dist'), '');
    const { code, stderr } = await runIn(project, 'synth', '--fleet', fixture('good-fleet.ts'));
    expect(code).toBe(1);
    expect(stderr).toMatch(
      pattern([
        /^edgefleet: synth failed while writing\.\ncannot write .*dist.* \((ENOTDIR|EEXIST)\); .*dist\/ may be partly updated: fix the cause /,
        /and run synth again\n$/,
      ]),
    );
  });

  test(
    "GIVEN --out other than the fleet's repository path WHEN synthesized THEN it refuses, saying where the stores look, and writes " + 'nothing',
    async () => {
      // GIVEN
      const project = tempDir();

      // WHEN
      const { code, stderr } = await runIn(project, 'synth', '--fleet', fixture('good-fleet.ts'), '--out', 'preview');

      // THEN
      expect(code).toBe(1);
      expect(stderr).toContain(
        '--out preview: the fleet\'s repository.path is "dist", so its Flux Kustomizations and Fleet GitRepos point at dist/stores/<id> in the ' +
          'repository',
      );
      expect(stderr).toContain(
        'a tree written to preview would point the stores at folders that are not there. Leave out --out (or use --out dist), or move the tree ' +
          'by setting repository.path in the fleet definition',
      );
      expect(fs.readdirSync(project)).toEqual([]);
    },
  );

  test('GIVEN --out naming the repository path WHEN synthesized THEN it is accepted', async () => {
    const project = tempDir();
    expect((await runIn(project, 'synth', '--fleet', fixture('good-fleet.ts'), '--out', './dist/')).code).toBe(0);
    expect(fs.existsSync(path.join(project, 'dist/stores/store-001'))).toBe(true);
  });

  test('GIVEN a fleet whose repository.path is not dist WHEN synthesized without --out THEN the tree goes to that path', async () => {
    const project = tempDir();
    const module = fleetModule(
      project,
      `const fleet = new EdgeFleet({ repository: { url: 'https://git.example.com/f.git', path: 'gitops/edge' } });
new EdgeMonitor(new EdgeStore(fleet, 's1'), 'edge-monitor', { image: 'registry.example.com/edge-monitor:1.4.2' });
return fleet;`,
    );
    const { code, stdout, stderr } = await runIn(project, 'synth', '--fleet', module);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('files in gitops/edge/');
    expect(fs.readFileSync(path.join(project, 'gitops/edge/clusters/s1/workloads.yaml'), 'utf8')).toContain(
      'path: ./gitops/edge/stores/s1/workloads',
    );
  });

  test('GIVEN a fleet module that does not exist WHEN synthesized THEN it says what a fleet module is', async () => {
    const { code, stderr } = await run('synth', '--fleet', 'build/nowhere.js');
    expect(code).toBe(1);
    expect(stderr).toContain(
      'fleet module build/nowhere.js: no such module (write a fleet module that exports buildFleet(), see FleetModule, or name yours with --fleet)',
    );
  });

  test('GIVEN the inventory instead of the fleet module WHEN synthesized THEN it says what --fleet takes', async () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'inventory.csv'), 'id,region\nstore-001,eu-west\n');
    const { code, stderr } = await runIn(cwd, 'synth', '--fleet', 'inventory.csv');
    expect(code).toBe(1);
    expect(stderr).toContain(
      'fleet module inventory.csv: not a TypeScript or JavaScript module (--fleet takes the module that exports buildFleet(), such as ' +
        'stores/index.ts',
    );
  });

  test.each([
    [
      'exports no buildFleet',
      'export const fleet = 1;',
      'the module exports no function buildFleet() (export one that returns your EdgeFleet, see FleetModule)',
    ],
    [
      'returns no fleet',
      'export function buildFleet(): any {\n  return undefined;\n}\n',
      'buildFleet() returned undefined, not an EdgeFleet (return the fleet it builds)',
    ],
    [
      'throws an error of its own',
      "export function buildFleet(): any {\n  throw new TypeError('rows is not iterable');\n}\n",
      "buildFleet() failed in the fleet module's own code:\nTypeError: rows is not iterable",
    ],
  ])('GIVEN a fleet module that %s WHEN synthesized THEN it says what the contract is', async (_, source, message) => {
    const project = tempDir();
    const module = path.join(project, 'fleet.ts');
    fs.writeFileSync(module, source);
    const { code, stderr } = await runIn(project, 'synth', '--fleet', module);
    expect(code).toBe(1);
    expect(stderr).toContain(message);
  });

  test('GIVEN a folder with a bad object WHEN validated THEN one line names file, object, path and problem, and the exit code is 1', async () => {
    const dir = tempDir();
    const kept = 'annotations: {kustomize.toolkit.fluxcd.io/prune: disabled, helm.sh/resource-policy: keep}';
    fs.writeFileSync(path.join(dir, 'd.yaml'), `apiVersion: v1\nkind: Namespace\nmetadata: {name: edge, labelz: {}, ${kept}}\n`);
    const text = await run('validate', dir, '--skip-kustomize-build');
    expect(text.code).toBe(1);
    expect(text.stdout).toBe(
      'd.yaml: Namespace/edge: metadata.labelz: unknown field (not in the schema of this kind)\nnote: real kustomize build not requested\n1 ' +
        'file, 1 object: 1 invalid\n',
    );
    expect((await run('validate', path.join(dir, 'd.yaml'))).stdout).toBe(
      'd.yaml: Namespace/edge: metadata.labelz: unknown field (not in the schema of this kind)\nnote: one file: the kustomize checks need its ' +
        'folder\n1 file, 1 object: 1 invalid\n',
    );
    const json = await run('validate', dir, '--skip-kustomize-build', '--format', 'json');
    expect(JSON.parse(json.stdout).findings).toEqual([
      { file: 'd.yaml', object: 'Namespace/edge', path: 'metadata.labelz', message: 'unknown field (not in the schema of this kind)' },
    ]);
  });

  test('GIVEN a folder that does not exist WHEN validated THEN it says so and exits 2', async () => {
    const { code, stderr } = await run('validate', '/nonexistent/dist');
    expect(code).toBe(2);
    expect(stderr).toContain('validate: "/nonexistent/dist" does not exist');
  });

  test('GIVEN a folder without YAML files WHEN validated THEN it says so and exits 2, rather than passing an empty check', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'index.ts'), 'export {};\n');
    const { code, stderr } = await run('validate', dir, '--skip-kustomize-build');
    expect(code).toBe(2);
    expect(stderr).toContain('holds no YAML file (name the synthesized folder, such as dist, or a YAML file)');
  });

  test('GIVEN --changed-since outside a Git repository WHEN validated THEN it says what git said, without a stack trace', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources: []\n');
    const { code, stderr } = await run('validate', dir, '--changed-since', 'main');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^edgefleet: validate: git rev-parse --show-toplevel failed: fatal: not a git repository/);
  });

  test.each([
    [['synth', '--dry-run'], 'edgefleet: synth: --dry-run is an option of "publish", not of "synth"'],
    [['diff', '--out', 'dist'], 'edgefleet: diff: --out is an option of "synth", not of "diff"'],
    [['synth', 'extra'], 'edgefleet: synth: unexpected argument "extra"'],
    [['validate', 'dist', 'more'], 'edgefleet: validate: unexpected argument "more"'],
    [['synth', '--threads', 'abc'], 'edgefleet: synth: --threads "abc" is not a whole number of at least 1'],
    [['synth', '--threads', '0'], 'edgefleet: synth: --threads "0" is not a whole number of at least 1'],
    [['diff', '--max-stores', '1.5'], 'edgefleet: diff: --max-stores "1.5" is not a whole number of at least 0'],
    [['diff', '--dir', 'no-such-dir'], 'edgefleet: diff: --dir "no-such-dir" does not exist (run "npm run synth" first'],
    [['diff', '--dir', '.'], 'edgefleet: diff: --dir "." is not a synthesized folder (it has no stores/) (run "npm run synth" first'],
  ])('GIVEN the arguments %j WHEN run THEN it refuses them in one line, runs nothing and exits 2', async (argv, message) => {
    const cwd = tempDir();
    const { code, stdout, stderr } = await runIn(cwd, ...argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toContain(message);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  test('GIVEN diff with a --fleet module that does not exist WHEN run THEN it says so rather than skipping the blast-radius guard', async () => {
    const cwd = tempDir();
    fs.mkdirSync(path.join(cwd, 'dist', 'stores'), { recursive: true });
    const { code, stderr } = await runIn(cwd, 'diff', '--fleet', 'stores/idx.ts');
    expect(code).toBe(2);
    expect(stderr).toContain('edgefleet: diff: --fleet "stores/idx.ts" does not exist');
  });

  test('GIVEN an unknown command WHEN run THEN it prints the usage and exits 2', async () => {
    const { code, stderr } = await run('deploy');
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "deploy"');
    expect(stderr).toContain('usage: edgefleet synth');
  });

  test('GIVEN an error that is no problem of the definition and quotes a private key WHEN synthesized THEN the key is not printed', async () => {
    // GIVEN a late check of the fleet's own code that fails with a private key in its message
    const project = tempDir();
    const key = `AGE-SECRET-KEY-1${'Q'.repeat(58)}`;
    const module = fleetModule(
      project,
      `const fleet = new EdgeFleet({ repository: { url: 'https://git.example.com/retail/fleet.git' } });
const store = new EdgeStore(fleet, 'store-001');
new EdgeMonitor(store, 'edge-monitor', { image: 'registry.example.com/edge-monitor:1.4.2' });
store.node.addValidation({ validate: () => { throw new TypeError('a key: ${key}'); } });
return fleet;`,
    );

    // WHEN
    const { code, stderr } = await runIn(project, 'synth', '--fleet', module);

    // THEN
    expect(code).toBe(70);
    expect(stderr).toContain('edgefleet: internal error');
    expect(stderr).toContain('TypeError: a key: [private key not shown]');
    expect(stderr).not.toContain(key.slice(16));
  });
});

describe('edgefleet init', () => {
  test('GIVEN a new folder WHEN initialized THEN it holds a fleet repository depending on edgefleet, and that fleet synthesizes', async () => {
    // GIVEN
    const parent = tempDir();

    // WHEN
    const created = await runIn(parent, 'init', 'Our-Fleet');
    const repo = path.join(parent, 'Our-Fleet');
    const synth = await runIn(repo, 'synth');

    // THEN
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Next: cd Our-Fleet && npm install && npm run synth && npm test');
    expect(created.stdout).toContain('edgefleet: created Our-Fleet/, a Git repository of its own, with package.json');
    expect(spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: repo, encoding: 'utf8' }).stdout.trim()).toBe(fs.realpathSync(repo));
    expect([...snapshotDir(repo).keys()].filter((f) => !/^(dist|\.edgefleet-cache|\.git)\//.test(f)).sort()).toEqual([
      '.gitignore',
      'README.md',
      'package.json',
      'stores/index.ts',
      'stores/inventory.csv',
      'test/fleet.test.ts',
      'tsconfig.json',
    ]);
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
    const own = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: 'our-fleet',
      private: true,
      dependencies: { edgefleet: `^${own.version}` },
      scripts: { synth: 'edgefleet synth', test: 'tsc --noEmit && jest' },
    });
    expect(pkg.devDependencies.typescript).toBe(own.devDependencies.typescript);
    expect(synth.stderr).toBe('');
    expect(synth.stdout).toMatch(/^edgefleet: 2 stores, \d+ files in dist\/: \d+ written, 0 deleted, 0 unchanged/);
    expect(fs.readFileSync(path.join(repo, 'dist/stores/store-002/infrastructure/namespace.yaml'), 'utf8')).toContain('ring=general');
  });

  test(
    "GIVEN a new fleet created inside another fleet's Git repository WHEN synthesized THEN it writes its own dist/ and leaves the other's " + 'alone',
    async () => {
      // GIVEN the example-like fleet of an enclosing repository, already synthesized
      const outer = tempDir();
      spawnSync('git', ['init', '--quiet'], { cwd: outer });
      expect((await runIn(outer, 'synth', '--fleet', fixture('good-fleet.ts'))).code).toBe(0);
      const outerTree = snapshotDir(path.join(outer, 'dist'));

      // WHEN a new fleet is created in a folder of it, and synthesized
      await runIn(outer, 'init', 'my-fleet');
      const synth = await runIn(path.join(outer, 'my-fleet'), 'synth');

      // THEN
      expect(synth.code).toBe(0);
      expect(fs.existsSync(path.join(outer, 'my-fleet', 'dist', 'stores', 'store-001'))).toBe(true);
      expect(snapshotDir(path.join(outer, 'dist'))).toEqual(outerTree);
    },
  );

  test(
    'GIVEN a new fleet repository WHEN its code is type-checked against this edgefleet THEN it compiles (its "npm test" starts with ' + 'tsc)',
    async () => {
      // GIVEN
      const parent = tempDir();
      await runIn(parent, 'init', 'fleet');
      const repo = path.join(parent, 'fleet');
      const root = path.join(__dirname, '..', '..');
      fs.writeFileSync(
        path.join(repo, 'tsconfig.check.json'),
        JSON.stringify({
          extends: './tsconfig.json',
          compilerOptions: {
            baseUrl: '.',
            paths: { edgefleet: [path.join(root, 'lib', 'index.ts')] },
            typeRoots: [path.join(root, 'node_modules', '@types')],
          },
        }),
      );

      // WHEN
      const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(repo, 'tsconfig.check.json')], {
        encoding: 'utf8',
      });

      // THEN
      expect(tsc.stdout + tsc.stderr).toBe('');
      expect(tsc.status).toBe(0);
    },
    120_000,
  );

  test('GIVEN a folder that is not empty WHEN initialized THEN it refuses and writes nothing', async () => {
    const parent = tempDir();
    fs.mkdirSync(path.join(parent, 'fleet'));
    fs.writeFileSync(path.join(parent, 'fleet', 'notes.txt'), 'mine\n');
    const { code, stderr } = await runIn(parent, 'init', 'fleet');
    expect(code).toBe(1);
    expect(stderr).toContain('is not an empty folder (name a new folder)');
    expect(fs.readdirSync(path.join(parent, 'fleet'))).toEqual(['notes.txt']);
  });
});
