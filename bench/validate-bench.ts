/**
 * Validate benchmark. For each size, a generated fleet is synthesized into a Git repository and
 * `edgefleet validate --skip-kustomize-build` runs as a user runs it, beside the floor in the same
 * run: reading and parsing every YAML file, nothing else. For the (smaller) build size, validate
 * with the real kustomize builds runs beside the builds alone (every top-level kustomization with
 * `kubectl kustomize`, as many at once as there are CPUs), and `--changed-since main` after a
 * one-store change. CPU-seconds count every child process (kubectl included).
 * Usage: npm run bench:validate [-- <stores>... [--builds <stores>]]   (default: 1000 10000 --builds 100)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fleetRepository, git, removeRepository } from './fleet-repository';
import { Measured, compiledCli, machine, measure, showMeasured } from './measure';
import { parseYamlDocuments } from '../lib/util/parse-yaml';

/** In a child process: reads and parses every YAML file below `dir`, the floor of any validation. */
function parseOnly(dir: string): void {
  let documents = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.yaml')) {
      documents += parseYamlDocuments(fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8')).documents.length;
    }
  }
  process.stdout.write(`${documents}\n`);
}

function validate(repo: string, ...args: string[]): Measured {
  const m = measure(...compiledCli('validate', 'dist', ...args), { cwd: repo });
  if (m.status !== 0) throw new Error(`edgefleet validate ${args.join(' ')} found problems:\n${m.stdout.slice(-2000)}`);
  return m;
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

/** Every top-level kustomization of an edgefleet tree: each store's folder, each Flux store's flux-system, the Fleet manager's folder. */
function kustomizeRoots(dist: string): string[] {
  const sub = (dir: string) => (fs.existsSync(path.join(dist, dir)) ? fs.readdirSync(path.join(dist, dir)).map((d) => `${dir}/${d}`) : []);
  return [
    ...sub('stores'),
    ...sub('clusters').map((c) => `${c}/flux-system`),
    ...(fs.existsSync(path.join(dist, 'fleet', 'kustomization.yaml')) ? ['fleet'] : []),
  ];
}

function skipBuildRow(count: number): void {
  const repo = fleetRepository(count);
  try {
    const validated = validate(repo, '--skip-kustomize-build');
    const floor = measure(process.execPath, [__filename, '--parse-only', path.join(repo, 'dist')]);
    console.log(
      `${String(count).padStart(6)} stores  validate --skip-kustomize-build: ${showMeasured(validated)}   floor (parse every file): ` +
        `${showMeasured(floor)}`,
    );
    console.log(`              ${lastLine(validated.stdout)}`);
  } finally {
    removeRepository(repo);
  }
}

function buildRows(count: number): void {
  const repo = fleetRepository(count);
  try {
    const roots = kustomizeRoots(path.join(repo, 'dist'));
    const alone = measure('sh', ['-c', `printf '%s\\n' ${roots.join(' ')} | xargs -P ${os.cpus().length} -n 1 kubectl kustomize -o /dev/null`], {
      cwd: path.join(repo, 'dist'),
    });
    const validated = validate(repo);
    console.log(
      `${String(count).padStart(6)} stores  validate with kustomize builds: ${showMeasured(validated)}   the ${roots.length} builds alone: ` +
        `${showMeasured(alone)}`,
    );
    console.log(
      `              ${validated.stdout
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('note:'))
        .join('; ')}`,
    );
    const store = path.join(repo, 'dist', 'stores', fs.readdirSync(path.join(repo, 'dist', 'stores'))[0], 'workloads', 'edge-monitor.yaml');
    fs.writeFileSync(store, fs.readFileSync(store, 'utf8').replace('edge-monitor:1.4.2', 'edge-monitor:1.4.3'));
    const changed = validate(repo, '--changed-since', 'main');
    console.log(`              after a one-store change, --changed-since main: ${showMeasured(changed)}`);
    console.log(
      `              ${changed.stdout
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('note:'))
        .join('; ')}`,
    );
    git(repo, 'checkout', '-q', '--', '.');
  } finally {
    removeRepository(repo);
  }
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--parse-only') return parseOnly(args[1]);
  const buildsAt = args.indexOf('--builds');
  const buildSize = buildsAt >= 0 ? Number(args[buildsAt + 1]) : 100;
  const sizes = (buildsAt >= 0 ? [...args.slice(0, buildsAt), ...args.slice(buildsAt + 2)] : args).map(Number);
  for (const n of [...sizes, buildSize]) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`usage: validate-bench.js [stores...] [--builds <stores>] ("${n}" is not a number of stores)`);
  }
  console.log(`edgefleet validate benchmark: ${machine()}`);
  console.log('each size: a generated fleet synthesized into a fresh Git repository, then validated\n');
  for (const n of sizes.length ? sizes : [1000, 10000]) skipBuildRow(n);
  buildRows(buildSize);
}

main();
