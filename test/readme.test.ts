/*
 * The examples of the README and of the guides in docs/, executed as written.
 *
 * A fenced block of README.md or of a guide is executed when an HTML comment (invisible on GitHub)
 * right before it says how. The steps run in the order of DOCUMENTS below (the README, then the
 * guides in the order of the README's table of guides), each document's steps in its own order,
 * against ONE scratch copy of this repository (its files as they are in the working tree,
 * `node_modules` linked, a fresh Git repository with everything committed), so a later section or
 * guide sees what an earlier one did, as a reader following the tour would (the rings guide's
 * promotion, for one, diffs against the tour's last commit):
 *
 *   <!-- readme-test: run -->           the block's shell commands run with bash (stop at the first
 *                                       failure) in the scratch copy; its output becomes "the last
 *                                       output"; afterwards everything is committed, so the next
 *                                       section's `git diff` shows only its own change (a block's own
 *                                       `git commit` may thus find nothing to commit: it is allowed to).
 *                                       `npm ci` and `npm test` are skipped: node_modules is linked, and
 *                                       `npm test` is the run executing this test.
 *   <!-- readme-test: output -->        each line of the block appears in the last output, in order;
 *                                       a line `...` skips any lines; a duration such as `(0.5s)`
 *                                       matches any duration.
 *   <!-- readme-test: append FILE -->   the block is appended to FILE.
 *   <!-- readme-test: edit FILE -->     the block replaces, in FILE, the lines from the first line
 *                                       equal to the block's first line to the next line equal to its
 *                                       last line (compared without indentation; the block takes the
 *                                       indentation of the lines it replaces).
 *   <!-- readme-test: excerpt FILE -->  each line of the block appears in FILE, in order (compared
 *                                       without indentation; comment lines of the block are skipped).
 *   <!-- readme-test: ts [GIVEN...] --> the block is a TypeScript module: it is type-checked and run
 *                                       (in this process, 'edgefleet' being this checkout's lib/).
 *                                       GIVEN names what the block uses without defining it: `fleet`
 *                                       (an EdgeFleet, rendered after the block ran, so its late checks
 *                                       run too), `store` (a store of it), `image` (a pinned image).
 *
 * Blocks without a marker are not executed: they need a cluster, a Git server, the network or the
 * published package (`.ci/run` creates a fleet repository with `edgefleet init` from the packed
 * package), or show output that a marked block already checks. Keep the steps fast: every
 * `npm run synth` costs a few seconds.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './util';

const ROOT = path.join(__dirname, '..');
const MARKER = /^<!-- readme-test: (\w+)(?: (.*?))? -->$/;

/**
 * The documents whose examples run, in the order they run: the README (its quick start must see the
 * fresh checkout), then every guide of docs/ in the order of the README's table of guides, which is
 * the order of the old one-file README, so the tour's steps come first and the guides that build on
 * its state (rings and diff) after it. A test below checks that this list and that table agree.
 */
const DOCUMENTS = [
  'README.md',
  'docs/tour.md',
  'docs/output-layout.md',
  'docs/store-branches-and-publish.md',
  'docs/guardrails-and-planner.md',
  'docs/store-platform.md',
  'docs/rings-and-diff.md',
  'docs/telemetry.md',
  'docs/secrets.md',
  'docs/flux-or-fleet.md',
  'docs/constructs.md',
  'docs/validate.md',
  'docs/e2e-suite.md',
  'docs/errors.md',
  'docs/performance.md',
  'docs/development.md',
  'docs/not-yet.md',
];

/** One marked block of a document. */
interface Step {
  /** The document, relative to the repository root, for messages. */
  readonly file: string;
  readonly action: string;
  readonly argument: string;
  readonly body: string;
  /** 1-based line of the marker, for messages. */
  readonly line: number;
}

/** Every marked block of the document `file`, in order. */
function stepsOf(file: string): Step[] {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const steps: Step[] = [];
  lines.forEach((text, i) => {
    const marker = MARKER.exec(text.trim());
    if (!marker) return;
    const fence = lines[i + 1]?.trim();
    if (!fence?.startsWith('```')) throw new Error(`${file} line ${i + 1}: the marker must be followed by a fenced block`);
    const indent = lines[i + 1].indexOf('```');
    const end = lines.findIndex((l, j) => j > i + 1 && l.trim() === '```');
    if (end < 0) throw new Error(`${file} line ${i + 2}: the fenced block is not closed`);
    const body = lines
      .slice(i + 2, end)
      .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
      .join('\n');
    steps.push({ file, action: marker[1], argument: marker[2] ?? '', body, line: i + 1 });
  });
  return steps;
}

/** A scratch copy of the working tree: tracked and new files, node_modules linked, all committed in a new Git repository. */
function scratchCopy(): string {
  const dir = tempDir();
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    if (!fs.existsSync(path.join(ROOT, file))) continue;
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  git(dir, 'init', '-q', '-b', 'main');
  commitAll(dir, 'scratch copy');
  return dir;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=readme', '-c', 'user.email=readme@example.com', ...args], { cwd: dir, encoding: 'utf8' });
}

function commitAll(dir: string, message: string): void {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', message);
}

/**
 * Runs a block's commands; `npm ci` and `npm test` are skipped, and a `git commit` may find
 * nothing to commit, since everything is committed after each block (see the header).
 */
function run(dir: string, commands: string): string {
  const script = `set -euo pipefail
npm() { case "$1" in ci|test) echo "(readme test: npm $1 skipped)";; *) command npm "$@";; esac; }
git() { case "$1" in commit) shift; command git commit --allow-empty "$@";; *) command git "$@";; esac; }
${commands}`;
  const result = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`exit ${result.status}:\n${output}`);
  return output;
}

/** Whether each line of `expected` appears in `output` in order (`...` skips; durations are free). */
function missingLines(expected: string, output: string): string[] {
  const pattern = (line: string) =>
    new RegExp(
      `^${line
        .trimEnd()
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/\\\(\d+(\\\.\d+)?s\\\)/g, '\\(\\d+(\\.\\d+)?s\\)')}$`,
    );
  const lines = output.split('\n').map((l) => l.trimEnd());
  let at = 0;
  const missing: string[] = [];
  for (const line of expected.split('\n').filter((l) => l.trim() !== '...' && l.trim() !== '')) {
    const found = lines.findIndex((l, i) => i >= at && pattern(line).test(l));
    if (found < 0) missing.push(line);
    else at = found + 1;
  }
  return missing;
}

function edit(file: string, block: string): void {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const replacement = block.split('\n');
  const first = lines.findIndex((l) => l.trim() === replacement[0].trim());
  const last = lines.findIndex((l, i) => i > first && l.trim() === replacement[replacement.length - 1].trim());
  if (first < 0 || last < 0) {
    throw new Error(`${file} has no lines from "${replacement[0].trim()}" to "${replacement[replacement.length - 1].trim()}"`);
  }
  const indent = lines[first].slice(0, lines[first].length - lines[first].trimStart().length);
  lines.splice(first, last - first + 1, ...replacement.map((l) => (l ? indent + l : l)));
  fs.writeFileSync(file, lines.join('\n'));
}

function missingExcerpt(file: string, block: string): string[] {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim());
  let at = 0;
  const missing: string[] = [];
  for (const line of block
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('//'))) {
    const found = lines.indexOf(line, at);
    if (found < 0) missing.push(line);
    else at = found + 1;
  }
  return missing;
}

/** The declarations a `ts` block may take as given. */
const GIVEN: Record<string, string> = {
  fleet:
    "const fleet = new given.EdgeFleet({ repository: { url: 'https://git.example.com/retail/edge-fleet.git' }, nodeProfile: { runtimeClasses: " +
    "['wasmedge'] } });",
  store: "const store = new given.EdgeStore(fleet, 'store-001');",
  image: "const image = 'registry.example.com/retail/edge-monitor:1.4.2';",
};

function runTypeScript(dir: string, step: Step): void {
  const given = step.argument.split(/\s+/).filter(Boolean);
  const unknown = given.filter((g) => !GIVEN[g]);
  if (unknown.length > 0) throw new Error(`unknown GIVEN ${unknown.join(', ')} (known: ${Object.keys(GIVEN).join(', ')})`);
  const needed = [...new Set(given.includes('store') ? ['fleet', ...given] : given)];
  const file = path.join(dir, `readme-snippet-${step.file.replace(/\W+/g, '-')}-${step.line}.ts`);
  const prelude = needed.length > 0 ? ["import * as given from 'edgefleet';", ...needed.map((g) => GIVEN[g])] : [];
  const epilogue = needed.includes('fleet') ? ['given.renderFleet(fleet);'] : [];
  fs.writeFileSync(file, [...prelude, step.body, ...epilogue, 'export {};', ''].join('\n'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the snippet is written at run time
  require(file);
}

/** The guides that the README's table under "Where to read on" links to, in its order. */
function guidesOfReadme(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Where to read on\n'));
  if (section === undefined) throw new Error('README.md has no section "Where to read on"');
  return section
    .split('\n')
    .filter((l) => l.startsWith('| ['))
    .map((l) => /^\| \[[^\]]*\]\(([^)#]+)\)/.exec(l)?.[1] ?? l);
}

describe('README.md and docs/*.md', () => {
  const steps = DOCUMENTS.flatMap(stepsOf);

  test("GIVEN the guides in docs/ WHEN listed THEN the examples run each of them, in the order of the README's table of guides", () => {
    const guides = fs
      .readdirSync(path.join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`);
    expect([...DOCUMENTS].sort()).toEqual(['README.md', ...guides].sort());
    expect(guidesOfReadme()).toEqual(DOCUMENTS.slice(1));
  });

  test('GIVEN the documents WHEN their markers are read THEN each names a known action and has a block', () => {
    expect(steps.length).toBeGreaterThan(5);
    const unknown = steps.filter((s) => !['run', 'output', 'append', 'edit', 'excerpt', 'ts'].includes(s.action));
    expect(unknown.map((s) => `${s.file} line ${s.line}: ${s.action}`)).toEqual([]);
  });

  test('GIVEN a scratch copy of the repository WHEN the examples are executed in order THEN each works as written', () => {
    const dir = scratchCopy();
    let lastOutput: string | undefined;
    for (const step of steps) {
      const where = `${step.file} line ${step.line} (${step.action}${step.argument ? ` ${step.argument}` : ''})`;
      try {
        if (step.action === 'run') {
          lastOutput = run(dir, step.body);
          commitAll(dir, where);
        } else if (step.action === 'output') {
          if (lastOutput === undefined) throw new Error('no run block before this output block');
          expect({ where, missing: missingLines(step.body, lastOutput), output: lastOutput }).toEqual({ where, missing: [], output: lastOutput });
        } else if (step.action === 'append') {
          fs.appendFileSync(path.join(dir, step.argument), `${step.body}\n`);
        } else if (step.action === 'edit') {
          edit(path.join(dir, step.argument), step.body);
        } else if (step.action === 'excerpt') {
          expect({ where, missing: missingExcerpt(path.join(dir, step.argument), step.body) }).toEqual({ where, missing: [] });
        } else if (step.action === 'ts') {
          runTypeScript(dir, step);
        }
      } catch (e: any) {
        e.message = `${where}: ${e.message}`;
        throw e;
      }
    }
  }, 180_000);
});
