/**
 * Synth benchmark: on generated fleets of the example's shape (bench/generated-fleet.ts), measures
 * `edgefleet synth` as CI runs it, each run in a fresh process: a first synth into an empty folder,
 * a re-synth with nothing changed, a re-synth after a one-store change (with the digest cache), and
 * the same no-change re-synth without the cache (what a fresh clone without a restored cache pays).
 * In the same run, a plain cdk8s app synthesizes the same API objects (one Chart per store) as the
 * baseline (see runCdk8s), and the first synth's files are written again into an empty folder with
 * nothing else done: the floor that creating the same files sets (see runWriteOnly). Prints CPU
 * seconds (user + system, all threads), wall seconds, peak RSS and files written.
 *
 * Usage: npm run bench -- [stores...] [--app-synth]   (default 1000)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { ApiObject, App, Chart, DependencyGraph, Yaml } from 'cdk8s';
import { generatedFleet } from './generated-fleet';
import { machine } from './measure';
import { EdgeStore, ManifestFile } from '../lib';
import { main as cliMain } from '../lib/cli/main';
import { writeNewFiles } from '../lib/synth/tree-update';

const FLEET_MODULE = path.join(__dirname, 'generated-fleet.js');

/** What one measured run cost. */
interface Measurement {
  readonly cpuSeconds: number;
  readonly systemSeconds: number;
  readonly wallSeconds: number;
  readonly peakRssMiB: number;
  readonly filesWritten: number;
}

/**
 * In a child process: runs the compiled edgefleet CLI in `cwd` (outside Git, so the fleet's
 * repository.path `dist` is `<cwd>/dist`, and the digest cache `<cwd>/.edgefleet-cache`), then
 * prints its output and the process's resource usage.
 */
async function runCli(cwd: string, argv: string[]): Promise<void> {
  let stdout = '';
  let stderr = '';
  const code = await cliMain(argv, { write: (s: string) => (stdout += s) }, { write: (s: string) => (stderr += s) }, cwd);
  const usage = process.resourceUsage();
  process.stdout.write(
    JSON.stringify({
      code,
      stdout,
      stderr,
      cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
      systemSeconds: usage.systemCPUTime / 1e6,
      peakRssMiB: usage.maxRSS / 1024,
    }),
  );
}

/**
 * In a child process: the plain cdk8s app. The objects are rendered by edgefleet first (not
 * measured); then one Chart per store with an ApiObject per object, synthesized into `outdir`:
 * - `app-synth`: with `app.synth()`. In cdk8s 2.70 that is quadratic in the number of charts:
 *   `Chart.toJson()` runs the whole app's dependency resolution and validation for every chart
 *   (`App._synthChart`).
 * - `linear`: the same work with one whole-app pass: the app validated once, then for every chart
 *   what `app.synth()` does for it (its objects in dependency order, `toJson()`, `Yaml.save`).
 */
function runCdk8s(mode: 'app-synth' | 'linear', stores: number, outdir: string): void {
  const fleet = generatedFleet(stores);
  const objectsByStore = new Map<string, any[]>();
  for (const declaration of fleet.declaredStores) {
    const store = declaration.build(fleet) as EdgeStore;
    const files = store.node.findAll().filter(ManifestFile.isManifestFile);
    objectsByStore.set(
      store.id,
      files.flatMap((f) => f.documents()).filter((o: any) => o.apiVersion && o.kind),
    );
    fleet.node.tryRemoveChild(store.node.id);
  }
  const phase = startPhase();
  const app = new App({ outdir });
  for (const [id, objects] of objectsByStore) {
    const chart = new Chart(app, id);
    objects.forEach((o, i) => new ApiObject(chart, `o${i}`, o));
  }
  if (mode === 'app-synth') {
    app.synth();
  } else {
    fs.mkdirSync(outdir, { recursive: true });
    const problems = app.node.findAll().flatMap((c) => c.node.validate());
    if (problems.length > 0) throw new Error(problems.join('\n'));
    for (const chart of app.charts) {
      const objects = new DependencyGraph(chart.node)
        .topology()
        .filter(ApiObject.isApiObject)
        .filter((o) => Chart.of(o) === chart);
      Yaml.save(
        path.join(outdir, `${chart.node.id}${app.outputFileExtension}`),
        objects.map((o) => o.toJson()),
      );
    }
  }
  phase.print({ filesWritten: fs.readdirSync(outdir).length, objects: [...objectsByStore.values()].reduce((n, o) => n + o.length, 0) });
}

/** Starts measuring a phase of a child process; `print` writes its measurement with `extra` as JSON. */
function startPhase(): { print(extra: Record<string, number>): void } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  return {
    print: (extra) => {
      const used = process.cpuUsage(cpu);
      process.stdout.write(
        JSON.stringify({
          cpuSeconds: (used.user + used.system) / 1e6,
          systemSeconds: used.system / 1e6,
          wallSeconds: (performance.now() - started) / 1000,
          peakRssMiB: process.resourceUsage().maxRSS / 1024,
          ...extra,
        }),
      );
    },
  };
}

/**
 * In a child process: the files of the tree in `from` (read first, not measured) written into the
 * empty folder `to` as synth writes a new store's files (`writeNewFiles`, one call per store), with
 * nothing rendered, checked or recorded: what creating the same files costs on this disk.
 */
function runWriteOnly(from: string, to: string): void {
  const byStore = new Map<string, Map<string, string>>();
  for (const entry of fs.readdirSync(from, { recursive: true, withFileTypes: true })) {
    if (entry.isDirectory()) continue;
    const file = path.relative(from, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    const [tree, id] = file.split('/');
    const group = tree === 'stores' || tree === 'clusters' ? id : tree;
    if (!byStore.has(group)) byStore.set(group, new Map());
    byStore.get(group)!.set(file, fs.readFileSync(path.join(from, file), 'utf8'));
  }
  const phase = startPhase();
  let filesWritten = 0;
  for (const files of byStore.values()) filesWritten += writeNewFiles(to, files, () => false, false).length;
  phase.print({ filesWritten });
}

/** Runs this script in a fresh child process and returns what it printed, parsed. */
function child(args: string[], env: Record<string, string> = {}): any {
  const started = performance.now();
  const result = spawnSync('nice', [process.execPath, __filename, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    env: { ...process.env, ...env },
  });
  if (result.status !== 0) throw new Error(`benchmark child ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return { ...JSON.parse(result.stdout), childWallSeconds: (performance.now() - started) / 1000 };
}

/** One edgefleet synth of the generated fleet in `project`, measured in a fresh process. */
function synth(stores: number, project: string, options: { changedStore?: number; noCache?: boolean } = {}): Measurement {
  const env: Record<string, string> = { EDGEFLEET_BENCH_STORES: String(stores) };
  if (options.changedStore !== undefined) env.EDGEFLEET_BENCH_CHANGED_STORE = String(options.changedStore);
  const args = ['--cli', project, 'synth', '--fleet', FLEET_MODULE, ...(options.noCache ? ['--no-cache'] : [])];
  const r = child(args, env);
  if (r.code !== 0) throw new Error(`edgefleet synth failed:\n${r.stderr}`);
  const written = /(\d+) written/.exec(r.stdout);
  return {
    cpuSeconds: r.cpuSeconds,
    systemSeconds: r.systemSeconds,
    wallSeconds: r.childWallSeconds,
    peakRssMiB: r.peakRssMiB,
    filesWritten: Number(written?.[1] ?? NaN),
  };
}

function row(cells: Array<string | number>): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(34) : String(c).padStart(10))).join(' ');
}

function measuredRow(name: string, m: Measurement): string {
  return row([name, m.cpuSeconds.toFixed(2), m.systemSeconds.toFixed(2), m.wallSeconds.toFixed(2), m.peakRssMiB.toFixed(0), m.filesWritten]);
}

/** Above this, `app.synth()` (quadratic in charts in cdk8s 2.70) is measured only with --app-synth: it takes half an hour at 10,000 stores. */
const APP_SYNTH_UP_TO = 2000;

function benchmark(stores: number, appSynth: boolean): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'edgefleet-bench-'));
  try {
    const project = path.join(work, 'fleet');
    fs.mkdirSync(project);
    const changedStore = Math.ceil(stores / 2);
    const first = synth(stores, project);
    const filesAlone = child(['--write-only', path.join(project, 'dist'), path.join(work, 'files-alone')]) as Measurement;
    const noChange = synth(stores, project);
    const oneStore = synth(stores, project, { changedStore });
    const noCache = synth(stores, project, { changedStore, noCache: true });
    const linear = child(['--cdk8s', 'linear', String(stores), path.join(work, 'cdk8s-linear')]) as Measurement & { objects: number };
    const viaAppSynth =
      appSynth || stores <= APP_SYNTH_UP_TO
        ? (child(['--cdk8s', 'app-synth', String(stores), path.join(work, 'cdk8s-app')]) as Measurement)
        : undefined;
    console.log(`\n${stores} stores (${linear.objects} API objects)`);
    console.log(row(['', 'CPU s', 'of it sys', 'wall s', 'peak MiB', 'written']));
    console.log(measuredRow('first synth, empty dist/', first));
    console.log(measuredRow('  its files written, nothing else', filesAlone));
    console.log(measuredRow('re-synth, nothing changed', noChange));
    console.log(measuredRow(`re-synth, store #${changedStore} changed`, oneStore));
    console.log(measuredRow('re-synth, nothing changed, no cache', noCache));
    console.log(measuredRow('plain cdk8s, one whole-app pass', linear));
    if (viaAppSynth) {
      console.log(measuredRow('plain cdk8s app, app.synth()', viaAppSynth));
    } else {
      console.log(
        row([
          'plain cdk8s app, app.synth()',
          `not run above ${APP_SYNTH_UP_TO} stores without --app-synth (quadratic in charts: about half an hour at 10,000)`,
        ]),
      );
    }
    console.log(`first synth / plain cdk8s, one whole-app pass: ${(first.cpuSeconds / linear.cpuSeconds).toFixed(2)}x the CPU seconds`);
    console.log(
      `  of which writing its files alone: ${(filesAlone.cpuSeconds / linear.cpuSeconds).toFixed(2)}x; the rest (building, checking, rendering ` +
        `the stores): ${((first.cpuSeconds - filesAlone.cpuSeconds) / linear.cpuSeconds).toFixed(2)}x`,
    );
    if (viaAppSynth) {
      console.log(`first synth / plain cdk8s app, app.synth(): ${(first.cpuSeconds / viaAppSynth.cpuSeconds).toFixed(2)}x the CPU seconds`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function run(): void {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--cli') return void runCli(rest[0], rest.slice(1));
  if (mode === '--cdk8s') return runCdk8s(rest[0] as 'app-synth' | 'linear', Number(rest[1]), rest[2]);
  if (mode === '--write-only') return runWriteOnly(rest[0], rest[1]);
  const args = process.argv.slice(2);
  const appSynth = args.includes('--app-synth');
  const sizes = args.filter((a) => a !== '--app-synth').map(Number);
  if (sizes.length === 0) sizes.push(1000);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`usage: npm run bench -- [stores...] [--app-synth] (whole numbers, got ${args.join(' ')})`);
  }
  console.log(`edgefleet synth benchmark: ${machine()}, load average ${os.loadavg()[0].toFixed(1)}`);
  console.log('each run a fresh process under nice; CPU s = user + system of all its threads; "of it sys" is mostly creating files and folders');
  sizes.forEach((n) => benchmark(n, appSynth));
}

run();
