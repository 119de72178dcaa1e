import * as jsYaml from 'js-yaml';
import * as YAML from 'yaml';

/**
 * YAML as Kubernetes reads it: the core schema (no timestamps: `2024-05-01` stays a string, as
 * sigs.k8s.io/yaml leaves it) with merge keys (`<<`), which go-yaml supports.
 */
const KUBERNETES_YAML = jsYaml.CORE_SCHEMA.extend([mergeType()]);

/** js-yaml's `<<` type, which it exports as `types.merge` although @types/js-yaml does not declare it. */
function mergeType(): jsYaml.Type {
  return (jsYaml as unknown as { types: { merge: jsYaml.Type } }).types.merge;
}

/** The documents of a YAML text, and the first syntax error, if any (the documents before it are kept). */
export interface ParsedYaml {
  /** The non-empty documents, in order. */
  readonly documents: unknown[];
  /** The first syntax error: what is wrong and on which line (1-based). */
  readonly error?: { readonly message: string; readonly line?: number };
  /** With `refuseAliases`, the first anchor or alias of the text (`&name`, `*name`) and its line (1-based); then no document is read. */
  readonly alias?: { readonly text: string; readonly line: number };
}

/** Options of {@link parseYamlDocuments}. */
export interface ParseYamlOptions {
  /**
   * Refuse a text with anchors or aliases, before anything expands them: a few nested aliases make a
   * small text expand into billions of values. For texts that no tool writes with them (sops never does).
   * @default false
   */
  readonly refuseAliases?: boolean;
}

/** Parses every document of `text` with js-yaml (several times faster than the `yaml` package at fleet scale). */
export function parseYamlDocuments(text: string, options: ParseYamlOptions = {}): ParsedYaml {
  const alias = options.refuseAliases ? firstAlias(text) : undefined;
  if (alias) return { documents: [], alias };
  const documents: unknown[] = [];
  try {
    jsYaml.loadAll(
      text,
      (d) => {
        if (d !== null && d !== undefined) documents.push(d);
      },
      { schema: KUBERNETES_YAML },
    );
    return { documents };
  } catch (e: any) {
    const line = typeof e.mark?.line === 'number' ? e.mark.line + 1 : undefined;
    return { documents, error: { message: String(e.reason ?? e.message).split('\n')[0], line } };
  }
}

/**
 * The first anchor or alias of `text`, found in the `yaml` package's document model, which keeps
 * aliases as nodes of their own and expands none. Neither can be written without `&` or `*`, so a
 * text without them (every file sops writes) is not parsed twice.
 */
function firstAlias(text: string): { readonly text: string; readonly line: number } | undefined {
  if (!/[&*]/.test(text)) return undefined;
  const lines = new YAML.LineCounter();
  for (const document of YAML.parseAllDocuments(text, { lineCounter: lines })) {
    let found: { text: string; line: number } | undefined;
    YAML.visit(document, (_, node) => {
      const name = YAML.isAlias(node) ? `*${node.source}` : YAML.isNode(node) && node.anchor ? `&${node.anchor}` : undefined;
      if (name === undefined) return undefined;
      found = { text: name, line: lines.linePos((node as YAML.Node).range?.[0] ?? 0).line };
      return YAML.visit.BREAK;
    });
    if (found) return found;
  }
  return undefined;
}
