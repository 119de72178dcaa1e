/*
 * Every relative link of the repository's Markdown files (README.md, the guides in docs/, the
 * init template's README, ...) points at a file that exists, and every anchor (`#...`) at a heading
 * of the Markdown file it names, by GitHub's rules for heading anchors: the heading's text as
 * rendered, lower-cased, without punctuation, spaces turned into hyphens, and `-1`, `-2`, ... after a
 * repeated one. Links to other sites are not followed (the tests run offline).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './util';

const ROOT = path.join(__dirname, '..');

/** The anchor GitHub gives a heading whose Markdown text is `heading` (the rules of github-slugger). */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[((?:[^[\]]|\[[^\]]*\])*)\]\([^)]*\)/g, '$1') // a link or image: its text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/[`*]/g, ''); // code spans and emphasis: their text
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Each line of `markdown` outside fenced code blocks: its 1-based number, its text as written, and with its code spans blanked. */
function proseLines(markdown: string): { line: number; raw: string; text: string }[] {
  const result: { line: number; raw: string; text: string }[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, i) => {
    const opening = /^\s*(`{3,}|~{3,})/.exec(text);
    if (fence !== undefined) {
      if (opening && opening[1][0] === fence[0] && opening[1].length >= fence.length && text.trim() === opening[1]) fence = undefined;
      return;
    }
    if (opening) {
      fence = opening[1];
      return;
    }
    result.push({ line: i + 1, raw: text, text: text.replace(/(`+)(?:(?!\1).)+\1/g, (span) => ' '.repeat(span.length)) });
  });
  return result;
}

/** The anchors of a Markdown document: its headings' (GitHub's rules, repeats numbered) and explicit `id`s and `name`s. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { raw, text } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(raw);
    if (heading) {
      const base = githubSlug(heading[1]);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const explicit of text.matchAll(/<a\s[^>]*(?:name|id)="([^"]+)"/g)) anchors.add(explicit[1]);
  }
  return anchors;
}

/** Every problem of the relative links in `files` (paths relative to `root`), each naming its file and line. */
export function brokenLinks(root: string, files: string[]): string[] {
  const problems: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchors = (file: string) => {
    if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(fs.readFileSync(file, 'utf8')));
    return anchorCache.get(file)!;
  };
  for (const file of files) {
    const absolute = path.join(root, file);
    for (const { line, text } of proseLines(fs.readFileSync(absolute, 'utf8'))) {
      const inline = /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
      const definition = /^ {0,3}\[[^\]]+\]:\s*(\S+)/g;
      const targets = [...text.matchAll(inline), ...text.matchAll(definition)].map((m) => m[1].replace(/^<|>$/g, ''));
      for (const target of targets) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
        const where = `${file} line ${line}: link "${target}"`;
        const hash = target.indexOf('#');
        const linkPath = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
        const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
        const resolved = linkPath === '' ? absolute : path.resolve(path.dirname(absolute), linkPath);
        if (path.relative(root, resolved).startsWith('..')) {
          problems.push(`${where}: leaves the repository`);
          continue;
        }
        if (!fs.existsSync(resolved)) {
          problems.push(`${where}: ${path.relative(root, resolved)} does not exist`);
          continue;
        }
        if (anchor === undefined) continue;
        if (!resolved.endsWith('.md')) {
          if (!/^L\d+(-L\d+)?$/.test(anchor)) problems.push(`${where}: an anchor into a file that is not Markdown`);
          continue;
        }
        if (!anchors(resolved).has(anchor)) problems.push(`${where}: ${path.relative(root, resolved)} has no heading with the anchor "#${anchor}"`);
      }
    }
  }
  return problems;
}

/** The repository's Markdown files (tracked, or new and not ignored), relative paths. */
function markdownFiles(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', '*.md'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && fs.existsSync(path.join(ROOT, f)));
}

describe('links of the Markdown files', () => {
  test("GIVEN headings WHEN their anchors are computed THEN they are GitHub's", () => {
    expect(githubSlug("The VM's identity, pinned in Git")).toBe('the-vms-identity-pinned-in-git');
    expect(githubSlug('`edgefleet diff`')).toBe('edgefleet-diff');
    expect(githubSlug('Rollout rings, releases and `edgefleet diff`')).toBe('rollout-rings-releases-and-edgefleet-diff');
    expect(githubSlug('Validate: is every file accepted by its real consumer?')).toBe('validate-is-every-file-accepted-by-its-real-consumer');
    expect(githubSlug("What happens to a Flux store's objects when...")).toBe('what-happens-to-a-flux-stores-objects-when');
    expect(githubSlug('A [linked](x.md) **bold** heading_with_underscore')).toBe('a-linked-bold-heading_with_underscore');
    expect([...anchorsOf('# Notes\n## Notes\n```\n# not a heading\n```\n## Notes\n')]).toEqual(['notes', 'notes-1', 'notes-2']);
  });

  test('GIVEN broken links and links in code WHEN checked THEN each broken link is named with its file and line, and code is ignored', () => {
    // GIVEN
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'docs'));
    fs.writeFileSync(path.join(root, 'docs', 'guide.md'), '# Guide\n\n## Step one\n');
    fs.writeFileSync(
      path.join(root, 'README.md'),
      [
        '# Readme',
        'See [the guide](docs/guide.md), [step one](docs/guide.md#step-one) and [above](#readme), [site](https://example.com/x#y).',
        'Broken: [gone](docs/gone.md) and [no step](docs/guide.md#step-two).',
        '`[in code](nowhere.md)`',
        '```',
        '[in a block](nowhere.md)',
        '```',
        '',
      ].join('\n'),
    );

    // WHEN
    const problems = brokenLinks(root, ['README.md', 'docs/guide.md']);

    // THEN
    expect(problems).toEqual([
      'README.md line 3: link "docs/gone.md": docs/gone.md does not exist',
      'README.md line 3: link "docs/guide.md#step-two": docs/guide.md has no heading with the anchor "#step-two"',
    ]);
  });

  test("GIVEN the repository's Markdown files WHEN their relative links are checked THEN every file and anchor they name exists", () => {
    const files = markdownFiles();
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/tour.md', 'templates/new-fleet/README.md']));
    expect(brokenLinks(ROOT, files)).toEqual([]);
  });
});
