import * as jsyaml from 'js-yaml';

/**
 * One document as YAML, the same on every run and machine: no line folding, and strings that YAML 1.1
 * would read as something else (`no`, `on`, `0755`) quoted, because Kubernetes reads YAML 1.1.
 * js-yaml rather than `yaml` for writing: it is several times faster, and synth writes every store.
 */
export function yamlText(document: object, options: { sortKeys?: boolean } = {}): string {
  return jsyaml.dump(document, { lineWidth: -1, noRefs: true, sortKeys: options.sortKeys ?? false });
}

/** Documents as one YAML file, separated by `---`. */
export function toYaml(documents: object[]): string {
  return documents.map((d) => yamlText(d)).join('---\n');
}
