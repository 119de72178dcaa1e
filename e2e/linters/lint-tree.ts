/**
 * Independent linters over the synthesized tree (`npm run lint:tree`, and .ci/run after `npm test`):
 * every folder Flux or Fleet applies is built with `kubectl kustomize`, then
 *
 * - kubeconform (strict) checks every object against JSON Schemas that do not come from edgefleet:
 *   Kubernetes from the upstream OpenAPI of the stores' version, the custom resources from the CRDs in
 *   ../shared/crds (both made by e2e/build-linters.sh); 0 invalid objects are required;
 * - kube-score scores the same objects, one run per folder (its checks match objects to each other:
 *   NetworkPolicies and Services to pods, so stores must not see each other's objects). Every finding
 *   (Critical or Warning) must be waived in kube-score-waivers.yaml with its reason, or listed there
 *   under pendingFixes, which only `--allow-pending-fixes` (CI, until lib/ fixes them) accepts.
 *
 * Usage: tsx e2e/linters/lint-tree.ts [--dist dist] [--waivers kube-score-waivers.yaml] [--crds ../shared/crds]
 *          [--allow-pending-fixes] [--report findings.json]
 * Exit status: 0 when both pass, 1 when a check fails, 2 on a usage or setup error.
 */
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import * as YAML from 'yaml';

const run = promisify(execFile);
const MAX_BUFFER = 2 ** 28;
const REPO = path.resolve(__dirname, '../..');
/** The Kubernetes of the stores: kube-score's deprecation check and kubeconform's schema folder. */
const K8S_VERSION = '1.35.4';
/** Optional kube-score checks turned on: issue 21 asks for seccomp RuntimeDefault on every container. */
const OPTIONAL_TESTS = ['container-seccomp-profile'];

interface Options {
  dist: string;
  waivers: string;
  crds: string;
  allowPending: boolean;
  report?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { dist: 'dist', waivers: 'kube-score-waivers.yaml', crds: '../shared/crds', allowPending: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--dist') o.dist = value();
    else if (a === '--waivers') o.waivers = value();
    else if (a === '--crds') o.crds = value();
    else if (a === '--report') o.report = value();
    else if (a === '--allow-pending-fixes') o.allowPending = true;
    else usage(`unknown argument ${a}`);
  }
  return o;
}

function usage(message: string): never {
  console.error(`lint-tree: ${message}`);
  console.error('usage: lint-tree [--dist dist] [--waivers kube-score-waivers.yaml] [--crds ../shared/crds] [--allow-pending-fixes] [--report FILE]');
  process.exit(2);
}

// ---------- waivers ----------

/** Which objects an entry covers; every field a glob (`*`, `?`), absent = any. */
interface ObjectPattern {
  target?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  container?: string;
}

interface Entry {
  check: string;
  /** Only findings whose message contains this text (e.g. "CPU limit is not set" of container-resources). */
  summary?: string;
  objects?: ObjectPattern[];
  reason: string;
  section: 'waivers' | 'pendingFixes';
  index: number;
  matched: number;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

function loadWaivers(file: string): Entry[] {
  if (!fs.existsSync(file)) usage(`${file} not found`);
  const doc = YAML.parse(fs.readFileSync(file, 'utf8')) ?? {};
  const entries: Entry[] = [];
  for (const section of ['waivers', 'pendingFixes'] as const) {
    const list = doc[section] ?? [];
    if (!Array.isArray(list)) usage(`${file}: ${section} must be a list`);
    list.forEach((e: Record<string, unknown>, index: number) => {
      const where = `${file}: ${section}[${index}]`;
      if (typeof e.check !== 'string' || !e.check) usage(`${where}: needs a check id`);
      if (typeof e.reason !== 'string' || e.reason.trim().length < 10) usage(`${where} (${e.check}): needs a reason`);
      if (e.objects !== undefined && !Array.isArray(e.objects)) usage(`${where}: objects must be a list`);
      if (section === 'pendingFixes' && !e.objects) usage(`${where}: a pending fix names its objects`);
      entries.push({
        check: e.check,
        summary: typeof e.summary === 'string' ? e.summary : undefined,
        objects: e.objects as ObjectPattern[] | undefined,
        reason: e.reason.trim().replace(/\s+/g, ' '),
        section,
        index,
        matched: 0,
      });
    });
  }
  const unknown = Object.keys(doc).filter((k) => k !== 'waivers' && k !== 'pendingFixes');
  if (unknown.length) usage(`${file}: unknown top-level keys ${unknown.join(', ')} (waivers, pendingFixes)`);
  return entries;
}

// ---------- building the folders ----------

interface Target {
  /** `stores/store-001`, `fleet`, `clusters/store-001`. */
  name: string;
  /** Folders to build with kustomize, and loose YAML files taken as they are. */
  builds: string[];
  files: string[];
}

function targets(dist: string): Target[] {
  const list: Target[] = [];
  const sub = (dir: string) =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir, { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => d.name)
          .sort()
      : [];
  const hasKustomization = (dir: string) => fs.existsSync(path.join(dir, 'kustomization.yaml'));
  for (const store of sub(path.join(dist, 'stores'))) {
    const dir = path.join(dist, 'stores', store);
    if (hasKustomization(dir)) list.push({ name: `stores/${store}`, builds: [dir], files: [] });
  }
  if (hasKustomization(path.join(dist, 'fleet'))) list.push({ name: 'fleet', builds: [path.join(dist, 'fleet')], files: [] });
  // A store's Flux folder: built whole once it has a kustomization.yaml; until then its loose files as
  // they are (what flux-system applies) and each subfolder kustomize can build (flux-system/, whose
  // gotk-*.yaml are empty placeholders until `flux bootstrap` fills them).
  for (const store of sub(path.join(dist, 'clusters'))) {
    const dir = path.join(dist, 'clusters', store);
    if (hasKustomization(dir)) {
      list.push({ name: `clusters/${store}`, builds: [dir], files: [] });
      continue;
    }
    const files = fs
      .readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => path.join(dir, f));
    const builds = sub(dir)
      .map((d) => path.join(dir, d))
      .filter(hasKustomization);
    list.push({ name: `clusters/${store}`, builds, files });
  }
  return list;
}

async function pool<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]);
      }
    }),
  );
  return results;
}

interface Obj {
  target: string;
  kind: string;
  namespace: string;
  name: string;
  doc: Record<string, unknown>;
}

async function buildTarget(t: Target): Promise<{ objects: Obj[]; error?: string }> {
  let text = '';
  try {
    for (const dir of t.builds) text += (await run('kubectl', ['kustomize', dir], { maxBuffer: MAX_BUFFER })).stdout + '\n---\n';
  } catch (e) {
    return { objects: [], error: `kubectl kustomize failed: ${String((e as { stderr?: string }).stderr ?? e).trim()}` };
  }
  for (const f of t.files) text += fs.readFileSync(f, 'utf8') + '\n---\n';
  const objects: Obj[] = [];
  for (const d of YAML.parseAllDocuments(text)) {
    if (d.errors.length) return { objects: [], error: `YAML: ${d.errors[0].message}` };
    const doc = d.toJSON();
    if (doc === null || doc === undefined) continue;
    const meta = (doc.metadata ?? {}) as Record<string, string>;
    objects.push({ target: t.name, kind: String(doc.kind), namespace: meta.namespace ?? '', name: meta.name ?? '', doc });
  }
  return { objects };
}

// ---------- kubeconform ----------

interface ConformResult {
  invalid: string[];
  summary: { valid: number; invalid: number; errors: number; skipped: number };
  sopsStripped: number;
  skippedKinds: string[];
}

function kindKey(doc: Record<string, unknown>): string {
  return `${doc.apiVersion}/${doc.kind}`;
}

/** kubeconform's file name of a Kubernetes schema ({{.ResourceKind}}{{.KindSuffix}}.json). */
function k8sSchemaFile(apiVersion: string, kind: string): string {
  const [groupOrVersion, version] = apiVersion.split('/');
  const suffix = version === undefined ? `-${groupOrVersion}` : `-${groupOrVersion.split('.')[0]}-${version}`;
  return `${kind}${suffix}`.toLowerCase() + '.json';
}

async function kubeconform(bin: string, k8sSchemas: string, crdSchemas: string | undefined, dir: string, objects: Obj[]): Promise<ConformResult> {
  // A SOPS-encrypted Secret carries a top-level `sops` block that Flux removes when it decrypts: it is
  // checked as Flux applies it, without that block (Flux's own CI skips every Secret instead).
  let sopsStripped = 0;
  const byTarget = new Map<string, Record<string, unknown>[]>();
  for (const o of objects) {
    let doc = o.doc;
    if (doc.sops !== undefined) {
      doc = { ...doc };
      delete doc.sops;
      sopsStripped++;
    }
    if (!byTarget.has(o.target)) byTarget.set(o.target, []);
    byTarget.get(o.target)!.push(doc);
  }
  for (const [target, docs] of byTarget) {
    fs.writeFileSync(path.join(dir, target.replace(/\//g, '__') + '.yaml'), docs.map((d) => YAML.stringify(d)).join('---\n'));
  }
  // Without ../shared, the kinds that have no Kubernetes schema (the custom resources) are skipped, by name.
  const skippedKinds = crdSchemas
    ? []
    : [
        ...new Set(
          objects.filter((o) => !fs.existsSync(path.join(k8sSchemas, k8sSchemaFile(String(o.doc.apiVersion), o.kind)))).map((o) => kindKey(o.doc)),
        ),
      ].sort();
  const args = [
    '-strict',
    '-summary',
    '-output',
    'json',
    '-n',
    String(os.availableParallelism()),
    '-kubernetes-version',
    K8S_VERSION,
    '-schema-location',
    path.join(path.dirname(k8sSchemas), '{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json'),
  ];
  if (crdSchemas) args.push('-schema-location', path.join(crdSchemas, '{{.Group}}_{{.ResourceKind}}_{{.ResourceAPIVersion}}.json'));
  if (skippedKinds.length) args.push('-skip', skippedKinds.join(','));
  args.push(dir);
  let stdout: string;
  try {
    stdout = (await run(bin, args, { maxBuffer: MAX_BUFFER })).stdout;
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    if (err.code !== 1 || !err.stdout) throw new Error(`kubeconform failed: ${err.stderr ?? e}`);
    stdout = err.stdout;
  }
  const out = JSON.parse(stdout) as {
    resources?: { filename: string; kind: string; name: string; version: string; status: string; msg: string }[];
    summary: { valid: number; invalid: number; errors: number; skipped: number };
  };
  const invalid = (out.resources ?? [])
    .filter((r) => r.status === 'statusInvalid' || r.status === 'statusError')
    .map((r) => `${path.basename(r.filename, '.yaml').replace(/__/g, '/')}: ${r.kind}/${r.name} (${r.version}): ${r.msg}`);
  return { invalid, summary: out.summary, sopsStripped, skippedKinds };
}

// ---------- kube-score ----------

interface Finding {
  target: string;
  kind: string;
  namespace: string;
  name: string;
  check: string;
  checkName: string;
  grade: 'CRITICAL' | 'WARNING';
  container: string;
  summary: string;
  waivedBy?: Entry;
}

interface ScoredObject {
  object_name: string;
  type_meta: { kind: string; apiVersion: string };
  object_meta: { name?: string; namespace?: string };
  checks: {
    check: { id: string; name: string };
    grade: number;
    skipped: boolean;
    comments: { path: string; summary: string; description: string }[] | null;
  }[];
}

async function kubeScore(bin: string, file: string, target: string): Promise<Finding[]> {
  const args = ['score', '--output-format', 'json', '--kubernetes-version', `v${K8S_VERSION.split('.').slice(0, 2).join('.')}`];
  for (const t of OPTIONAL_TESTS) args.push('--enable-optional-test', t);
  args.push(file);
  let stdout: string;
  try {
    stdout = (await run(bin, args, { maxBuffer: MAX_BUFFER })).stdout;
  } catch (e) {
    // kube-score exits 1 when it found a Critical: its JSON is still complete.
    const err = e as { code?: number; stdout?: string; stderr?: string };
    if (err.code !== 1 || !err.stdout) throw new Error(`kube-score failed on ${target}: ${err.stderr ?? e}`);
    stdout = err.stdout;
  }
  const findings: Finding[] = [];
  for (const o of (JSON.parse(stdout) as ScoredObject[] | null) ?? []) {
    for (const c of o.checks) {
      // Grades: 1 Critical, 5 Warning, 7 almost OK, 10 OK.
      if (c.skipped || c.grade > 5) continue;
      const base = {
        target,
        kind: o.type_meta.kind,
        namespace: o.object_meta.namespace ?? '',
        name: o.object_meta.name ?? '',
        check: c.check.id,
        checkName: c.check.name,
        grade: c.grade === 1 ? ('CRITICAL' as const) : ('WARNING' as const),
      };
      const comments = c.comments?.length ? c.comments : [{ path: '', summary: c.check.name, description: '' }];
      for (const m of comments) findings.push({ ...base, container: m.path, summary: m.summary });
    }
  }
  return findings;
}

function matches(e: Entry, f: Finding): boolean {
  if (e.check !== f.check) return false;
  if (e.summary !== undefined && !f.summary.includes(e.summary)) return false;
  if (!e.objects) return true;
  return e.objects.some((p) =>
    (['target', 'kind', 'namespace', 'name', 'container'] as const).every((k) => p[k] === undefined || globToRegExp(String(p[k])).test(f[k])),
  );
}

// ---------- output ----------

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** One line per check, object and container, with the number of folders it was found in. */
function grouped(findings: Finding[]): string[] {
  const groups = new Map<string, { f: Finding; targets: Set<string> }>();
  for (const f of findings) {
    const key = [f.grade, f.check, f.kind, f.namespace, f.name, f.container, f.summary].join('|');
    if (!groups.has(key)) groups.set(key, { f, targets: new Set() });
    groups.get(key)!.targets.add(f.target);
  }
  return [...groups.values()]
    .sort((a, b) => a.f.check.localeCompare(b.f.check) || a.f.name.localeCompare(b.f.name) || a.f.container.localeCompare(b.f.container))
    .map(({ f, targets: ts }) => {
      const where = ts.size === 1 ? [...ts][0] : `${ts.size} folders, e.g. ${[...ts].sort()[0]}`;
      const container = f.container ? ` container ${f.container}` : '';
      return `  [${f.grade}] ${f.check}: ${f.kind}/${f.namespace ? f.namespace + '/' : ''}${f.name}${container}: ${f.summary} (${where})`;
    });
}

// ---------- main ----------

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  process.chdir(REPO);
  const started = Date.now();
  const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
  const entries = loadWaivers(opts.waivers);

  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
  } catch {
    usage('kubectl is needed on PATH to build the folders (kubectl kustomize)');
  }
  const build = (args: string[]) =>
    execFileSync('bash', [path.join(REPO, 'e2e/build-linters.sh'), ...args], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop()!;
  const linters = build([]);
  const k8sSchemas = path.join(linters, 'schemas', `v${K8S_VERSION}-standalone-strict`);
  if (!fs.existsSync(k8sSchemas)) usage(`${k8sSchemas} not found: K8S_VERSION differs between e2e/build-linters.sh and this script`);
  const versionOf = (bin: string, arg: string) =>
    /\d+\.\d+\.\d+/.exec(execFileSync(path.join(linters, 'bin', bin), [arg], { encoding: 'utf8' }))?.[0];
  const versions = { kubeconform: versionOf('kubeconform', '-v'), kubeScore: versionOf('kube-score', 'version') };
  let crdSchemas: string | undefined;
  if (fs.existsSync(opts.crds)) crdSchemas = build(['--crd-schemas', opts.crds]);
  else console.log(`${opts.crds} not found: custom resources are not schema-checked (their kinds are skipped by name below)`);

  const buildStart = Date.now();
  const ts = targets(opts.dist);
  const width = os.availableParallelism();
  const built = await pool(ts, width, (t) => buildTarget(t));
  const buildErrors = built.flatMap((b, i) => (b.error ? [`${ts[i].name}: ${b.error}`] : []));
  const objects = built.flatMap((b) => b.objects);
  const counts = ['stores/', 'fleet', 'clusters/'].map((p) => ts.filter((t) => t.name.startsWith(p)).length);
  console.log(
    `built ${ts.length} folders (${counts[0]} stores, ${counts[1]} fleet, ${counts[2]} clusters) into ${objects.length} objects ` +
      `with kubectl kustomize, ${width} at a time, in ${seconds(buildStart)}`,
  );
  for (const e of buildErrors) console.log(`  BUILD FAILED ${e}`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-tree-'));
  try {
    // kubeconform
    const conformStart = Date.now();
    const conform = await kubeconform(path.join(linters, 'bin/kubeconform'), k8sSchemas, crdSchemas, tmp, objects);
    const s = conform.summary;
    console.log(
      `\nkubeconform v${versions.kubeconform} -strict, Kubernetes ${K8S_VERSION} schemas (upstream swagger.json)` +
        `${crdSchemas ? ` + CRD schemas from ${opts.crds}` : ''}: ${s.valid} valid, ${s.invalid} invalid, ${s.errors} errors, ` +
        `${s.skipped} skipped (${seconds(conformStart)})`,
    );
    if (conform.sopsStripped) console.log(`  ${conform.sopsStripped} SOPS-encrypted Secrets checked without their sops block, as Flux applies them`);
    if (conform.skippedKinds.length) console.log(`  skipped kinds (no schema without ${opts.crds}): ${conform.skippedKinds.join(', ')}`);
    for (const line of conform.invalid.slice(0, 200)) console.log(`  INVALID ${line}`);

    // kube-score, one run per folder, on the same objects
    const scoreStart = Date.now();
    const files = fs.readdirSync(tmp).sort();
    const perTarget = await pool(files, width, (f) =>
      kubeScore(path.join(linters, 'bin/kube-score'), path.join(tmp, f), f.replace(/\.yaml$/, '').replace(/__/g, '/')),
    );
    const findings = perTarget.flat();
    for (const f of findings) {
      f.waivedBy =
        entries.find((e) => e.section === 'waivers' && matches(e, f)) ?? entries.find((e) => e.section === 'pendingFixes' && matches(e, f));
      if (f.waivedBy) f.waivedBy.matched++;
    }
    const waived = findings.filter((f) => f.waivedBy?.section === 'waivers');
    const pending = findings.filter((f) => f.waivedBy?.section === 'pendingFixes');
    const open = findings.filter((f) => !f.waivedBy);
    console.log(
      `\nkube-score v${versions.kubeScore} (--kubernetes-version v1.35, optional: ${OPTIONAL_TESTS.join(', ')}), ` +
        `${files.length} runs, ${seconds(scoreStart)}: ` +
        `${findings.length} findings (critical or warning, one per container): ${waived.length} waived, ${pending.length} pending fixes, ` +
        `${open.length} neither`,
    );
    const checks = [...new Set(findings.map((f) => f.check))].sort();
    const rows = [['check', 'findings', 'critical', 'waived', 'pending fix', 'neither']];
    for (const c of checks) {
      const fc = findings.filter((f) => f.check === c);
      rows.push([
        c,
        String(fc.length),
        String(fc.filter((f) => f.grade === 'CRITICAL').length),
        String(fc.filter((f) => f.waivedBy?.section === 'waivers').length),
        String(fc.filter((f) => f.waivedBy?.section === 'pendingFixes').length),
        String(fc.filter((f) => !f.waivedBy).length),
      ]);
    }
    if (checks.length) console.log(table(rows));
    const waiverRows = [['waived (kube-score-waivers.yaml)', 'findings', 'reason']];
    for (const e of entries.filter((x) => x.section === 'waivers')) {
      waiverRows.push([
        `${e.check}${e.summary ? ` "${e.summary}"` : ''}`,
        String(e.matched),
        e.reason.length > 90 ? e.reason.slice(0, 87) + '...' : e.reason,
      ]);
    }
    if (waiverRows.length > 1) console.log('\n' + table(waiverRows));
    const unused = entries.filter((e) => e.matched === 0);
    for (const e of unused) console.log(`note: ${opts.waivers} ${e.section}[${e.index}] (${e.check}) matched nothing: remove it`);
    if (pending.length) {
      console.log(
        `\npending fixes (${opts.waivers} pendingFixes, for lib/ to fix; ${opts.allowPending ? 'accepted by --allow-pending-fixes' : 'failing'}):`,
      );
      for (const line of grouped(pending)) console.log(line);
    }
    if (open.length) {
      console.log(`\nneither fixed nor waived (fix the generated object, or waive it in ${opts.waivers} with the reason):`);
      for (const line of grouped(open)) console.log(line);
    }
    if (opts.report) {
      const plain = findings.map(({ waivedBy, ...f }) => ({ ...f, status: waivedBy ? waivedBy.section : 'open', reason: waivedBy?.reason }));
      fs.writeFileSync(opts.report, JSON.stringify({ kubeconform: conform, kubeScore: plain }, null, 1));
    }

    const failures: string[] = [];
    if (buildErrors.length) failures.push(`${buildErrors.length} folders did not build`);
    if (s.invalid || s.errors) failures.push(`kubeconform: ${s.invalid} invalid, ${s.errors} errors`);
    if (open.length) failures.push(`kube-score: ${open.length} findings neither fixed nor waived`);
    if (pending.length && !opts.allowPending) failures.push(`kube-score: ${pending.length} findings pending a fix in lib/`);
    console.log(`\nlint-tree: ${failures.length ? 'FAILED: ' + failures.join('; ') : 'passed'} (${seconds(started)} in all)`);
    return failures.length ? 1 : 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`lint-tree: ${e instanceof Error ? e.message : e}`);
    process.exit(2);
  },
);
