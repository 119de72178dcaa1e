import * as fs from 'fs';
import * as path from 'path';
import { ParseArgsConfig, parseArgs } from 'util';
import { initFleetRepository } from './init-fleet-repository';
import { outputFolder } from './output-folder';
import { diffDist } from '../diff/dist-diff';
import { formatDiffMarkdown, formatDiffText } from '../diff/format-diff';
import { readImageSizes } from '../diff/image-downloads';
import { EdgefleetError, OutputWriteError } from '../errors/edgefleet-error';
import { shownMessage, withoutPrivateKeys } from '../errors/shown-text';
import { DEFAULT_FLEET_MODULE } from '../fleet/fleet-module';
import { formatOciPublishResult } from '../publish/format-oci-publish-result';
import { formatPublishResult } from '../publish/format-publish-result';
import { publishOciArtifacts } from '../publish/publish-oci-artifacts';
import { publishStoreBranches } from '../publish/publish-store-branches';
import { checkBlastRadius } from '../releases/blast-radius';
import { loadFleet } from '../synth/load-fleet';
import { synthesize } from '../synth/synthesize';
import { gitLines } from '../util/git';
import { firstAndMore, plural } from '../util/plural';
import { Finding } from '../validate/findings';
import { ValidationReport, formatReport, validateTree } from '../validate/validate-tree';

const USAGE = `usage: edgefleet synth [--fleet <module>] [--out <dir>] [--quiet] [--allow-wide-change] [--cache-dir <dir> | --no-cache] \
[--threads <n>]
       edgefleet diff [--base <git-ref>] [--dir <dir>] [--markdown] [--image-sizes <file>] [--max-stores <n>] [--allow-wide-change] \
[--fleet <module>]
       edgefleet validate [<dir-or-file>] [--format text|json] [--allow-kind <kind>]... [--skip-kustomize-build]
                          [--changed-since <git-ref>] [--local-storage-class <name>]
       edgefleet publish [--remote <name>] [--dry-run] [--dir <dir>] [--remove <store-id>]...
       edgefleet publish --oci <registry>/<prefix> --sign-key <key> [--plain-http] [--jobs <n>] [--dry-run] [--dir <dir>]
                         [--remove <store-id>]...
       edgefleet init <dir>
       edgefleet --help

  synth     validate the fleet and write its GitOps tree; only changed files are written,
            and nothing is written when the fleet has a problem
    --fleet   the fleet module, TypeScript or JavaScript, exporting buildFleet(): EdgeFleet
              (see FleetModule; default: stores/index.ts)
    --out     output folder; only the fleet's repository.path (the default) is accepted, since
              the generated Flux and Fleet objects point the stores there
    --quiet   print nothing but problems
    --allow-wide-change  write even when the change touches more stores outside the first ring
                         than the fleet's maxStoresChangedOutsideFirstRing allows
    --cache-dir  the digest cache (default: .edgefleet-cache): a store declared with addStores()
                 whose inputs, fleet settings and code are those of its last synth, and whose
                 files are as that synth left them, is not rendered again
    --no-cache   render every store and compare it with the files in the output folder
    --threads    threads that render stores (default: the number of CPUs; 1 for none but the main one)

  diff      per store, the objects added, removed and changed in dist/ since <git-ref>, with the
            changed fields (lists compared by item, not by position); stores with identical changes
            shown once as a group; removed objects that stay on the store marked "kept"; "!!" where
            a change deletes a store's data or leaves it behind; the images stores must download;
            then how many stores changed by ring and by region
    --base        branch, tag or commit to compare with (default: HEAD while dist/ holds an
                  uncommitted synth, else the merge base with $GITHUB_BASE_REF, main or master)
    --dir         the synthesized folder (default: dist)
    --markdown    print a pull-request comment instead
    --image-sizes file of "<image> <size>" lines (bytes, or e.g. 812Mi) for the download summary
    --max-stores  fail when more stores outside the first ring changed (unless --allow-wide-change);
                  default: the fleet's maxStoresChangedOutsideFirstRing, read with its rings from --fleet
    --fleet       the fleet module (default: stores/index.ts), when it exists

  validate  check every YAML file below <dir> (default: dist), or one file, as its real consumers
            would: each object strictly against its kind's schema (Kubernetes, KubeVirt, CDI, Flux,
            Fleet, fleet.yaml), the offline-readiness rules, each kustomization.yaml against its
            folder and built for real (in parallel), references between objects, Secrets (none in
            plain text, each encrypted file readable by exactly the keys of its .sops.yaml rule);
            every problem in one run
    --format               text (one line per problem, warnings by kind, then a summary) or json
    --allow-kind           accept objects of this kind (or apiVersion/kind) without a schema
    --skip-kustomize-build do not run kubectl kustomize / kustomize build on the folders
    --changed-since        build only the kustomizations that read a file changed since <git-ref>
    --local-storage-class  the stores' local StorageClass, for the local-storage rule (default: local-path)

  publish   after a merge to the main branch (in CI): for every Flux store whose sync.source is
            'store-branch', a commit on its branch edgefleet/stores/<id> holding only its folders of
            <dir>/ at HEAD, when they changed; all branches in one atomic, fast-forward push
    --remote  the remote (a name or a URL) of the store branches (default: origin)
    --dry-run build the commits and list them, push nothing
    --dir     the synthesized folder (default: dist)
    --remove  publish the removal of a store no longer in the fleet: a last commit on its branch
              that holds only its bootstrap files; without it a removed store's branch is kept
    --oci     instead, for every Flux store whose sync.source is 'oci': its folders of <dir>/ at
              HEAD as a Flux artifact in <registry>/<prefix>/<id>, pushed (with a tag git-<commit>),
              signed with cosign and then tagged with the tag the store follows, only when its
              content changed; uses the oras and cosign CLIs and their registry login
    --sign-key   the cosign key that signs every artifact: a key file (its password in
                 COSIGN_PASSWORD) or a KMS URI
    --plain-http talk plain HTTP to the registry (a test registry on loopback)
    --jobs       stores published at once (default: 8)

  init      create a fleet repository of your own in <dir>: package.json (depending on
            edgefleet), stores/index.ts with a typed inventory, a test, tsconfig.json, README`;

/** Where `edgefleet synth` keeps its digest cache unless told otherwise (ignored by Git). */
export const DEFAULT_CACHE_DIR = '.edgefleet-cache';

/** Where the CLI prints: stdout and stderr, or a test's buffers. */
export interface Output {
  /** Prints `text` as it is. */
  write(text: string): unknown;
}

type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** Each command's options, how many arguments it takes besides them, and its options that are whole numbers, with their least value. */
const COMMANDS: Record<string, { readonly options: OptionTable; readonly positionals: number; readonly wholeNumbers?: Record<string, number> }> = {
  synth: {
    positionals: 0,
    wholeNumbers: { threads: 1 },
    options: {
      fleet: { type: 'string', default: DEFAULT_FLEET_MODULE },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'allow-wide-change': { type: 'boolean', default: false },
      'cache-dir': { type: 'string', default: DEFAULT_CACHE_DIR },
      'no-cache': { type: 'boolean', default: false },
      threads: { type: 'string' },
    },
  },
  diff: {
    positionals: 0,
    wholeNumbers: { 'max-stores': 0 },
    options: {
      base: { type: 'string' },
      dir: { type: 'string', default: 'dist' },
      markdown: { type: 'boolean', default: false },
      'image-sizes': { type: 'string' },
      'max-stores': { type: 'string' },
      'allow-wide-change': { type: 'boolean', default: false },
      fleet: { type: 'string' },
    },
  },
  validate: {
    positionals: 1,
    options: {
      format: { type: 'string', default: 'text' },
      'allow-kind': { type: 'string', multiple: true, default: [] },
      'skip-kustomize-build': { type: 'boolean', default: false },
      'changed-since': { type: 'string' },
      'local-storage-class': { type: 'string' },
    },
  },
  publish: {
    positionals: 0,
    wholeNumbers: { jobs: 1 },
    options: {
      remote: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      dir: { type: 'string', default: 'dist' },
      remove: { type: 'string', multiple: true, default: [] },
      oci: { type: 'string' },
      'sign-key': { type: 'string' },
      'plain-http': { type: 'boolean', default: false },
      jobs: { type: 'string' },
    },
  },
  init: { positionals: 1, options: {} },
};

const HELP_OPTION: OptionTable = { help: { type: 'boolean', short: 'h', default: false } };

/** The usage lines of `command`, from {@link USAGE}. */
function usageOf(command: string): string {
  const lines = USAGE.split('\n');
  const first = lines.findIndex((l) => l.includes(`edgefleet ${command} `) || l.endsWith(`edgefleet ${command}`));
  const continued = lines.slice(first + 1).findIndex((l) => !/^ {20,}\S/.test(l));
  return (
    ['usage:', ...lines.slice(first, first + 1 + continued).map((l, i) => (i === 0 ? l.replace(/^(usage:)? +/, '  ') : `      ${l.trim()}`))].join(
      '\n',
    ) + '\n(edgefleet --help describes every option)'
  );
}

/** Why parseArgs refused the arguments of `command`, in our words. */
function argumentProblem(command: string, e: any): string {
  const option = /'(-[^']*)'/.exec(String(e.message))?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) {
    const name = option.startsWith('--') ? option.slice(2) : undefined;
    const owners = name === undefined ? [] : Object.keys(COMMANDS).filter((c) => name in COMMANDS[c].options);
    return owners.length > 0
      ? `${command}: ${option} is an option of ${owners.map((c) => `"${c}"`).join(' and ')}, not of "${command}"`
      : `${command}: unknown option ${option}`;
  }
  return `${command}: ${String(e.message).split('. ')[0]}`;
}

/** The parsed command line, or the exit code when it cannot run. */
function parseCommandLine(argv: string[], out: Output, err: Output): { command: string; values: any; positionals: string[] } | number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    (command === undefined ? err : out).write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  const spec = COMMANDS[command];
  if (spec === undefined) {
    err.write(`edgefleet: ${command.startsWith('-') ? `the command comes first (got "${command}")` : `unknown command "${command}"`}\n${USAGE}\n`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, strict: true, options: { ...spec.options, ...HELP_OPTION } });
  } catch (e) {
    err.write(`edgefleet: ${argumentProblem(command, e)}\n${usageOf(command)}\n`);
    return 2;
  }
  if (parsed.values.help) {
    out.write(`${usageOf(command)}\n`);
    return 0;
  }
  if (parsed.positionals.length > spec.positionals) {
    err.write(`edgefleet: ${command}: unexpected argument "${parsed.positionals[spec.positionals]}"\n${usageOf(command)}\n`);
    return 2;
  }
  for (const [name, least] of Object.entries(spec.wholeNumbers ?? {})) {
    const value = parsed.values[name];
    if (typeof value === 'string' && (!/^\d+$/.test(value) || Number(value) < least)) {
      err.write(`edgefleet: ${command}: --${name} "${value}" is not a whole number of at least ${least}\n`);
      return 2;
    }
  }
  return { command, values: parsed.values, positionals: parsed.positionals };
}

/**
 * Runs the command line in `cwd`; resolves to the process exit code. Nothing it prints shows a private
 * key, and its messages (on `err`) are cut to a readable length (see `shownMessage`); what it prints on
 * `out` (reports, diffs) keeps its length.
 */
export async function main(argv: string[], out: Output = process.stdout, err: Output = process.stderr, cwd: string = process.cwd()): Promise<number> {
  return run(argv, shownOutput(out, withoutPrivateKeys), shownOutput(err, shownMessage), cwd);
}

/** `output`, with what is written to it passed through `shown` first. */
function shownOutput(output: Output, shown: (text: string) => string): Output {
  return { write: (text: string) => output.write(shown(text)) };
}

async function run(argv: string[], out: Output, err: Output, cwd: string): Promise<number> {
  const parsed = parseCommandLine(argv, out, err);
  if (typeof parsed === 'number') return parsed;
  const { command, values, positionals } = parsed;
  if (command === 'init') return init(positionals[0], out, err, cwd);
  if (command === 'diff') return diff(values, out, err, cwd);
  if (command === 'publish') {
    const misplaced = publishOptionOutOfPlace(values);
    if (misplaced) {
      err.write(`edgefleet: publish: ${misplaced}\n${usageOf('publish')}\n`);
      return 2;
    }
    return values.oci === undefined ? publish(values, out, err, cwd) : publishOci(values, out, err, cwd);
  }
  if (command === 'validate') return validate(positionals[0] ?? 'dist', values, out, err, cwd);

  const started = process.hrtime.bigint();
  let shownOutdir = values.out ?? 'dist';
  try {
    const fleet = loadFleet(values.fleet!, cwd);
    const outdir = outputFolder(fleet, values.out, cwd);
    shownOutdir = values.out ?? fleet.repository.path;
    const result = synthesize(fleet, {
      outdir,
      onProgress: values.quiet ? undefined : progressPrinter(err, 500, (done, total) => `edgefleet: ${done}/${total} stores`),
      allowWideChange: values['allow-wide-change'],
      cacheDir: values['no-cache'] ? undefined : path.resolve(cwd, values['cache-dir']!),
      fleetModule: path.resolve(cwd, values.fleet!),
      threads: values.threads === undefined ? undefined : Number(values.threads),
    });
    if (!values.quiet) {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const confirmed = result.stores - result.rendered;
      const sinceLast = confirmed > 0 ? `, ${confirmed} unchanged since the last synth` : '';
      const sopsConfig = result.sopsConfigWritten ? '; .sops.yaml updated' : '';
      out.write(
        `edgefleet: ${plural(result.stores, 'store')}, ${plural(result.files, 'file')} in ${shownOutdir}/: ${result.written.length} written, ` +
          `${result.deleted.length} deleted, ${result.unchanged} unchanged; ${plural(result.rendered, 'store')} ` +
          `rendered${sinceLast}${sopsConfig} (${seconds.toFixed(1)}s)\n`,
      );
      if (result.removedStores.length > 0) {
        out.write(`edgefleet: ${plural(result.removedStores.length, 'store')} removed: ${firstAndMore(result.removedStores, 20)}\n`);
      }
      if (result.cacheNote) out.write(`edgefleet: digest cache not used: ${result.cacheNote}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof OutputWriteError) {
      err.write(`edgefleet: synth failed while writing.\n${e.message}\n`);
      return 1;
    }
    if (EdgefleetError.isEdgefleetError(e)) {
      err.write(`edgefleet: synth failed; ${shownOutdir}/ was left as it was.\n${e.message}\n`);
      return 1;
    }
    err.write(
      `edgefleet: internal error (a bug in edgefleet; please report it with this trace); ${shownOutdir}/ was left as it ` +
        `was.\n${(e as Error).stack ?? e}\n`,
    );
    return 70;
  }
}

function init(dir: string | undefined, out: Output, err: Output, cwd: string): number {
  if (dir === undefined) {
    err.write(`edgefleet: init needs the folder to create, e.g. "npx edgefleet init my-fleet"\n`);
    return 2;
  }
  try {
    const { files, gitRepository } = initFleetRepository(path.resolve(cwd, dir));
    out.write(
      `edgefleet: created ${dir}/, ${gitRepository ? 'a Git repository of its own, ' : ''}with ${files.join(', ')}\n` +
        (gitRepository ? '' : `edgefleet: git could not be run: make ${dir}/ a Git repository of its own (git init) before the first synth\n`) +
        `Next: cd ${dir} && npm install && npm run synth && npm test\n` +
        'Then set repository.url in stores/index.ts to the Git repository your stores pull from.\n',
    );
    return 0;
  } catch (e) {
    if (!EdgefleetError.isEdgefleetError(e)) throw e;
    err.write(`edgefleet: ${e.message}\n`);
    return 1;
  }
}

interface DiffOptions {
  fleet?: string;
  base?: string;
  dir?: string;
  markdown?: boolean;
  'image-sizes'?: string;
  'max-stores'?: string;
  'allow-wide-change'?: boolean;
}

function diff(options: DiffOptions, out: Output, err: Output, cwd: string): number {
  const maxStores = options['max-stores'] === undefined ? undefined : Number(options['max-stores']);
  const dir = path.resolve(cwd, options.dir!);
  if (!fs.existsSync(path.join(dir, 'stores'))) {
    const what = fs.existsSync(dir) ? 'is not a synthesized folder (it has no stores/)' : 'does not exist';
    err.write(`edgefleet: diff: --dir "${options.dir}" ${what} (run "npm run synth" first, or name the synthesized folder)\n`);
    return 2;
  }
  if (options.fleet !== undefined && !fs.existsSync(path.resolve(cwd, options.fleet))) {
    err.write(`edgefleet: diff: --fleet "${options.fleet}" does not exist (name the fleet module, e.g. ${DEFAULT_FLEET_MODULE})\n`);
    return 2;
  }
  try {
    const imageSizes = options['image-sizes'] === undefined ? undefined : readImageSizes(path.resolve(cwd, options['image-sizes']));
    const result = diffDist({ dir, base: options.base });
    out.write(options.markdown ? formatDiffMarkdown(result, { imageSizes }) : formatDiffText(result, { imageSizes }));
    if (!options['allow-wide-change']) {
      const fleetModule = options.fleet ?? DEFAULT_FLEET_MODULE;
      const fleet = fs.existsSync(path.resolve(cwd, fleetModule)) ? loadFleet(fleetModule, cwd) : undefined;
      const changed = result.stores.filter((s) => s.store !== undefined && s.status !== 'added').map((s) => ({ id: s.store!, ring: s.labels.ring }));
      checkBlastRadius(changed, fleet?.rings ?? [], maxStores ?? fleet?.maxStoresChangedOutsideFirstRing);
    }
    return 0;
  } catch (e) {
    if (!EdgefleetError.isEdgefleetError(e)) throw e;
    err.write(`edgefleet: diff: ${e.message}\n`);
    return 1;
  }
}

function publish(options: { dir?: string; remote?: string; 'dry-run'?: boolean; remove?: string[] }, out: Output, err: Output, cwd: string): number {
  const started = process.hrtime.bigint();
  try {
    const result = publishStoreBranches({ repo: cwd, dir: options.dir, remote: options.remote, dryRun: options['dry-run'], remove: options.remove });
    out.write(formatPublishResult(result, Number(process.hrtime.bigint() - started) / 1e9));
    const dir = options.dir!;
    if (gitLines(cwd, ['status', '--porcelain', '--', dir]).length > 0) {
      err.write(
        `edgefleet: publish: ${dir}/ has changes that are not committed: publish reads ${dir}/ as committed in HEAD (commit them, then publish)\n`,
      );
    }
    return 0;
  } catch (e) {
    if (!EdgefleetError.isEdgefleetError(e)) throw e;
    err.write(`edgefleet: publish: ${e.message}\n`);
    return 1;
  }
}

/** Why the options of `publish` do not go together, if they do not: those of --oci without it, or --remote with it. */
function publishOptionOutOfPlace(values: Record<string, unknown>): string | undefined {
  if (values.oci !== undefined) {
    return values.remote === undefined
      ? undefined
      : '--remote names the Git remote of the store branches: publish --oci pushes to the registry it names';
  }
  const ociOnly = ['sign-key', 'jobs', 'plain-http'].find((name) => values[name] !== undefined && values[name] !== false);
  return ociOnly && `--${ociOnly} is an option of publish --oci <registry>/<prefix> (give --oci, or leave --${ociOnly} out)`;
}

interface OciPublishCommandOptions {
  oci?: string;
  'sign-key'?: string;
  'plain-http'?: boolean;
  jobs?: string;
  dir?: string;
  'dry-run'?: boolean;
  remove?: string[];
}

/** How often a long publish says how far it has got. */
const PROGRESS_EVERY_MS = 10_000;

async function publishOci(options: OciPublishCommandOptions, out: Output, err: Output, cwd: string): Promise<number> {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  let lastProgress = Date.now();
  try {
    const result = await publishOciArtifacts({
      repo: cwd,
      to: options.oci!,
      signKey: options['sign-key'],
      dir: options.dir,
      dryRun: options['dry-run'],
      remove: options.remove,
      plainHttp: options['plain-http'],
      jobs: options.jobs === undefined ? undefined : Number(options.jobs),
      onProgress: ({ done, total, pushed }) => {
        if (Date.now() - lastProgress < PROGRESS_EVERY_MS || done === total) return;
        lastProgress = Date.now();
        err.write(`edgefleet: publish --oci: ${done} of ${total} stores compared, ${pushed} pushed (${seconds().toFixed(0)}s)\n`);
      },
    });
    out.write(formatOciPublishResult(result, seconds()));
    return result.failures.length > 0 ? 1 : 0;
  } catch (e) {
    if (!EdgefleetError.isEdgefleetError(e)) throw e;
    err.write(`edgefleet: publish --oci: ${e.message}\n`);
    return 1;
  }
}

interface ValidateOptions {
  format?: string;
  'allow-kind'?: string[];
  'skip-kustomize-build'?: boolean;
  'changed-since'?: string;
  'local-storage-class'?: string;
}

async function validate(target: string, options: ValidateOptions, out: Output, err: Output, cwd: string): Promise<number> {
  if (options.format !== 'text' && options.format !== 'json') {
    err.write(`edgefleet: --format "${options.format}" is not supported (use "text" or "json")\n`);
    return 2;
  }
  const resolved = path.resolve(cwd, target);
  if (!fs.existsSync(resolved)) {
    err.write(`edgefleet: validate: "${target}" does not exist (run "npm run synth" first, or name the folder or file to check)\n`);
    return 2;
  }
  try {
    const report = shownReport(
      await validateTree(resolved, {
        allowKinds: options['allow-kind'],
        realKustomizeBuild: !options['skip-kustomize-build'],
        changedSince: options['changed-since'],
        localStorageClass: options['local-storage-class'],
        onBuildProgress:
          options.format === 'text' ? progressPrinter(err, 200, (built, total) => `edgefleet: built ${built}/${total} kustomizations`) : undefined,
      }),
    );
    out.write(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    if (report.files === 0) {
      err.write(`edgefleet: validate: "${target}" holds no YAML file (name the synthesized folder, such as dist, or a YAML file)\n`);
      return 2;
    }
    return report.findings.length > 0 ? 1 : 0;
  } catch (e) {
    if (!EdgefleetError.isEdgefleetError(e)) throw e;
    err.write(`edgefleet: validate: ${e.message}\n`);
    return 2;
  }
}

/** The report with every message as it may be shown (see `shownMessage`), in either format. */
function shownReport(report: ValidationReport): ValidationReport {
  const shown = (f: Finding): Finding => ({ ...f, message: shownMessage(f.message) });
  return { ...report, findings: report.findings.map(shown), warnings: report.warnings.map(shown), notes: report.notes.map(shownMessage) };
}

/** Reports progress about every 10%, from `minTotal` items up: below that, a run is short enough without. */
function progressPrinter(err: Output, minTotal: number, line: (done: number, total: number) => string): (done: number, total: number) => void {
  return (done, total) => {
    if (total >= minTotal && (done % Math.ceil(total / 10) === 0 || done === total)) err.write(`${line(done, total)}\n`);
  };
}
