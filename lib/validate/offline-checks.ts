import { Finding } from './findings';
import { LoadedDocument, LoadedTree, isApiObject, objectName } from './loaded-tree';
import { DEFAULT_NODE_PROFILE } from '../model/node-profile';
import { OFFLINE_RULES, Waiver } from '../model/waiver';
import { RuleFinding, checkOfflineRules } from '../policies/check-offline-rules';
import { WAIVERS_ANNOTATION } from '../policies/waiver';

/** Options of {@link checkOfflineReadiness}. */
export interface OfflineCheckOptions {
  /** The stores' local StorageClass, which every VM disk must use. @default 'local-path' */
  readonly localStorageClass?: string;
}

/** Violations of the offline-readiness rules, and their warnings (which do not fail validation). */
export interface OfflineReport {
  readonly findings: Finding[];
  readonly warnings: Finding[];
}

/**
 * Runs the offline-readiness rules that synth runs on every store over any YAML, store folder by
 * store folder, applying the waivers listed on the folder's Namespace (annotation
 * `edgefleet.io/waivers`). The `runtime-class` rule is left to the cross-object checks, which read
 * the node's runtime classes from the Namespace too.
 */
export function checkOfflineReadiness(tree: LoadedTree, options: OfflineCheckOptions = {}): OfflineReport {
  const profile = { ...DEFAULT_NODE_PROFILE, localStorageClass: options.localStorageClass ?? DEFAULT_NODE_PROFILE.localStorageClass };
  const findings: Finding[] = [];
  const warnings: Finding[] = [];
  for (const docs of tree.scopes.values()) {
    const objects = docs.filter(isApiObject);
    if (objects.length === 0) continue;
    const { waivers, problems } = waiversOf(objects);
    findings.push(...problems);
    const result = checkOfflineRules(
      objects.map((d) => d.value),
      profile,
      waivers,
    );
    const byName = new Map<string, LoadedDocument>();
    for (const d of objects) if (!byName.has(`${d.value.kind}/${d.value.metadata.name}`)) byName.set(`${d.value.kind}/${d.value.metadata.name}`, d);
    findings.push(...result.violations.filter((v) => v.rule !== 'runtime-class').map((v) => toFinding(v, byName)));
    warnings.push(...result.warnings.map((w) => ({ ...toFinding(w, byName), kind: w.kind })));
  }
  return { findings, warnings };
}

function toFinding(f: RuleFinding, byName: Map<string, LoadedDocument>): Finding {
  const doc = byName.get(f.object);
  return { file: doc?.file ?? '-', object: doc ? objectName(doc.value) : f.object, path: f.path, message: `${f.problem} [offline rule "${f.rule}"]` };
}

/** The waivers on the Namespaces among `objects`, and a finding for each that cannot be read. */
function waiversOf(objects: LoadedDocument[]): { waivers: Waiver[]; problems: Finding[] } {
  const waivers: Waiver[] = [];
  const problems: Finding[] = [];
  for (const ns of objects.filter((d) => d.value.kind === 'Namespace')) {
    const text = ns.value.metadata.annotations?.[WAIVERS_ANNOTATION];
    if (text === undefined) continue;
    const problem = (message: string) =>
      problems.push({ file: ns.file, object: objectName(ns.value), path: `metadata.annotations.${WAIVERS_ANNOTATION}`, message });
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(text));
    } catch {
      problem('is not JSON (use a list such as [{"rule":"pull-policy","object":"Deployment/legacy","reason":"why the exception is acceptable"}])');
      continue;
    }
    if (!Array.isArray(parsed)) {
      problem('is not a JSON list of waivers');
      continue;
    }
    parsed.forEach((w: any, i) => {
      if (!(OFFLINE_RULES as readonly string[]).includes(w?.rule)) {
        problem(`[${i}].rule "${w?.rule}" is not a rule (use one of ${OFFLINE_RULES.map((r) => `"${r}"`).join(', ')})`);
      } else if (typeof w.object !== 'string' || !w.object.includes('/')) {
        problem(`[${i}].object "${w.object}" does not name an object (use "Kind/name")`);
      } else if (typeof w.reason !== 'string' || w.reason.trim().length < 10) {
        problem(`[${i}].reason is missing or too short (say why the exception is acceptable)`);
      } else {
        waivers.push({ rule: w.rule, object: w.object, reason: w.reason });
      }
    });
  }
  return { waivers, problems };
}
