import * as jsyaml from 'js-yaml';
import { ScopedFlag } from './scoped-flag';

/**
 * How edgefleet writes YAML, the same on every run and machine: js-yaml's output with no line folding
 * and no anchors; strings that YAML 1.1 would read as something else (`no`, `on`, `0755`) quoted,
 * because Kubernetes reads YAML 1.1.
 */
const JS_YAML_OPTIONS: jsyaml.DumpOptions = { lineWidth: -1, noRefs: true };

/** Options of {@link yamlText}. */
export interface YamlTextOptions {
  /** Write the keys of every mapping sorted. @default false */
  readonly sortKeys?: boolean;
}

/**
 * One document as YAML, byte for byte what `js-yaml`'s `dump` writes with edgefleet's options
 * ({@link jsYamlText}), several times faster: the block structure (mappings, sequences, indentation)
 * is written here, and every scalar's style (plain, quoted, literal block) is js-yaml's own, computed
 * once per distinct string. A document with anything but JSON data (a Date, a class instance, a
 * multi-line or very long key) is written by js-yaml itself.
 */
export function yamlText(document: unknown, options: YamlTextOptions = {}): string {
  if (referenceWriter.isOn) return jsYamlText(document, options);
  const sortKeys = options.sortKeys ?? false;
  try {
    const text = writeNode(document, 0, true, sortKeys);
    return text === undefined ? '' : `${text}\n`;
  } catch (e) {
    if (e === NOT_JSON) return jsYamlText(document, options);
    throw e;
  }
}

/** The reference writer: js-yaml's `dump` with edgefleet's options. {@link yamlText} writes the same bytes. */
export function jsYamlText(document: unknown, options: YamlTextOptions = {}): string {
  return jsyaml.dump(document, { ...JS_YAML_OPTIONS, sortKeys: options.sortKeys ?? false });
}

const referenceWriter = new ScopedFlag();

/**
 * Runs `render` with every YAML text written by js-yaml itself ({@link jsYamlText}): to prove that
 * {@link yamlText} writes the same bytes (`test/output/reference-rendering.test.ts`).
 */
export function withJsYaml<T>(render: () => T): T {
  return referenceWriter.runWith(render);
}

/** Documents as one YAML file, separated by `---`. */
export function toYaml(documents: object[]): string {
  return documents.map((d) => yamlText(d)).join('---\n');
}

/** Thrown inside the writer for a value it leaves to js-yaml. */
const NOT_JSON = Symbol('not JSON data');

/** js-yaml's block indentation: two spaces per level. */
const INDENT = 2;

/** js-yaml writes a key longer than this as an explicit `? key` pair. */
const MAX_IMPLICIT_KEY = 1024;

/** Most distinct strings kept with their rendering; past that the cache starts afresh. */
const MAX_CACHED_SCALARS = 100_000;

const scalars = new Map<string, string>();
const indents: string[] = [];

/**
 * A value as js-yaml's `writeNode` writes it at `level` in block style (`compact`: a mapping or
 * sequence starts on the current line, as after `- `); undefined where js-yaml skips the value.
 */
function writeNode(value: unknown, level: number, compact: boolean, sortKeys: boolean): string | undefined {
  switch (typeof value) {
    case 'string':
      return value.includes('\n') ? multiLineScalar(value, level) : singleLineScalar(value);
    case 'number':
      return Number.isInteger(value) && !Object.is(value, -0) ? String(value) : jsYamlScalar(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return value.length === 0 ? '[]' : writeSequence(value, level, compact, sortKeys);
      if (!isPlainObject(value)) throw NOT_JSON;
      return writeMapping(value as Record<string, unknown>, level, compact, sortKeys);
    default:
      throw NOT_JSON;
  }
}

/** js-yaml's `writeBlockMapping`; an empty mapping (or one whose values are all undefined) is `{}`. */
function writeMapping(object: Record<string, unknown>, level: number, compact: boolean, sortKeys: boolean): string {
  const keys = Object.keys(object);
  if (sortKeys) keys.sort();
  const newLine = `\n${indent(level)}`;
  let out = '';
  for (const key of keys) {
    const value = writeNode(object[key], level + 1, false, sortKeys);
    if (value === undefined) continue;
    const keyText = keyScalar(key);
    if (!compact || out !== '') out += newLine;
    out += keyText;
    out += value.charCodeAt(0) === 0x0a ? ':' : ': ';
    out += value;
  }
  return out === '' ? '{}' : out;
}

/** js-yaml's `writeBlockSequence`; an undefined item is written as null. */
function writeSequence(items: unknown[], level: number, compact: boolean, sortKeys: boolean): string {
  const newLine = `\n${indent(level)}`;
  let out = '';
  for (const item of items) {
    const value = writeNode(item, level + 1, true, sortKeys) ?? 'null';
    if (!compact || out !== '') out += newLine;
    out += value.charCodeAt(0) === 0x0a ? '-' : '- ';
    out += value;
  }
  return out;
}

/**
 * Words js-yaml quotes although they look plain: YAML 1.1 booleans, and YAML 1.2 null and booleans
 * (its DEPRECATED_BOOLEANS_SYNTAX and the null and bool types of its default schema).
 */
const QUOTED_WORDS = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'on',
  'On',
  'ON',
  'off',
  'Off',
  'OFF',
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
  'null',
  'Null',
  'NULL',
]);

/**
 * A letter, then letters, digits, `_`, `.`, `/`, `-`: js-yaml writes such a string plain unless it is
 * one of {@link QUOTED_WORDS}, since no other type of its default schema (int, float, timestamp,
 * merge) reads a value that starts with a letter. Most keys and many values are such words; they
 * skip the cache.
 */
const PLAIN_WORD = /^[A-Za-z][A-Za-z0-9_./-]*$/;

/** A mapping key as js-yaml writes it; a key it would write otherwise (multi-line, or explicit `? key`) is left to js-yaml. */
function keyScalar(key: string): string {
  if (key.length <= MAX_IMPLICIT_KEY && PLAIN_WORD.test(key) && !QUOTED_WORDS.has(key)) return key;
  let text = scalars.get(key);
  if (text === undefined) {
    if (key.includes('\n')) throw NOT_JSON;
    text = singleLineScalar(key);
  }
  if (text.length > MAX_IMPLICIT_KEY) throw NOT_JSON;
  return text;
}

/** A string without line breaks as js-yaml writes it: the same at every level, as a key or a value. */
function singleLineScalar(value: string): string {
  if (PLAIN_WORD.test(value) && !QUOTED_WORDS.has(value)) return value;
  let text = scalars.get(value);
  if (text === undefined) {
    text = jsYamlScalar(value);
    if (scalars.size >= MAX_CACHED_SCALARS) scalars.clear();
    scalars.set(value, text);
  }
  return text;
}

/**
 * A string with line breaks. js-yaml writes a value with only printable characters as a literal
 * block (`|`; with an indentation indicator when its first line starts with a space; chomping `-`
 * without a final line break, `+` with more than one), and anything else double-quoted. Printable
 * ASCII is decided here; any other text is left to js-yaml. The block's lines are indented for
 * `level` as js-yaml's `indentString` does: every line but the empty ones.
 */
function multiLineScalar(value: string, level: number): string {
  let header: string;
  if (PRINTABLE_ASCII.test(value)) {
    header = literalHeader(value);
  } else {
    const written = jsYamlScalar(value);
    if (written[0] === '"') return written;
    if (written[0] !== '|') throw NOT_JSON;
    header = written.slice(0, written.indexOf('\n') + 1);
  }
  const pad = ' '.repeat(INDENT * Math.max(1, level));
  const lines = value.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return header + lines.map((line) => (line === '' ? line : pad + line)).join('\n');
}

const PRINTABLE_ASCII = /^[\x20-\x7e\n]*$/;

/** The first line of js-yaml's literal block for `value`: `|`, indentation indicator, chomping indicator. */
function literalHeader(value: string): string {
  const indicator = /^\n* /.test(value) ? String(INDENT) : '';
  const clip = value.endsWith('\n');
  const keep = clip && (value.endsWith('\n\n') || value === '\n');
  return `|${indicator}${keep ? '+' : clip ? '' : '-'}\n`;
}

/** A scalar as js-yaml writes it on its own, without the final line break. */
function jsYamlScalar(value: string | number): string {
  return jsyaml.dump(value, JS_YAML_OPTIONS).slice(0, -1);
}

function indent(level: number): string {
  return (indents[level] ??= ' '.repeat(INDENT * level));
}

/** An object js-yaml writes as a mapping of its own keys, with nothing else to it. */
function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && !(Symbol.toStringTag in value);
}
