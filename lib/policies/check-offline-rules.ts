import { KEEP_ANNOTATIONS, PROTECTED_KINDS } from './keep-annotations';
import { ResolvedNodeProfile } from '../model/node-profile';
import { OfflineRule, Waiver } from '../model/waiver';
import { firstAndMore } from '../util/plural';

/** One finding of the offline-readiness rules on one object. */
export interface RuleFinding {
  /** The rule. */
  readonly rule: OfflineRule;
  /** The object, as `Kind/name`. */
  readonly object: string;
  /** The field's path in the object (`spec.template.spec.containers[0].image`), or `-` when the finding is not about one field. */
  readonly path: string;
  /** What is wrong with the field's value, and the fix. */
  readonly problem: string;
  /** The path and the problem, as one sentence. */
  readonly message: string;
}

/** Advice of the rules that does not fail synth. */
export interface RuleWarning extends RuleFinding {
  /** What kind of advice, the same for every warning of the kind (the report groups by it). */
  readonly kind: string;
}

/** Kinds of {@link RuleWarning}. */
export const WARNING_KINDS = { noDigest: 'image without digest', unneededWaiver: 'unneeded waiver' };

function ruleFinding(rule: OfflineRule, object: string, path: string, problem: string): RuleFinding {
  return { rule, object, path, problem, message: path === '-' ? problem : `${path} ${problem}` };
}

function ruleWarning(kind: string, rule: OfflineRule, object: string, path: string, problem: string): RuleWarning {
  return { ...ruleFinding(rule, object, path, problem), kind };
}

/** What the rules found in one store: violations fail synth, warnings go to the report. */
export interface RuleResult {
  /** Broken rules that no waiver covers. */
  readonly violations: RuleFinding[];
  /** Advice that does not fail synth (e.g. an image without a digest, an unused waiver). */
  readonly warnings: RuleWarning[];
  /** The waivers that covered a violation. */
  readonly usedWaivers: Waiver[];
  /** The waivers that name no object of the store (a misspelt object, or one since removed). */
  readonly strayWaivers: Waiver[];
}

/** Where each kind keeps its pod spec. */
const POD_SPEC_PATH: Record<string, string> = {
  Pod: 'spec',
  Deployment: 'spec.template.spec',
  StatefulSet: 'spec.template.spec',
  DaemonSet: 'spec.template.spec',
  ReplicaSet: 'spec.template.spec',
  Job: 'spec.template.spec',
  CronJob: 'spec.jobTemplate.spec.template.spec',
};

function at(o: any, dotted: string): any {
  return dotted.split('.').reduce((v, k) => v?.[k], o);
}

/** `name:tag@digest` parts of an image reference. */
function imageParts(image: string): { tag?: string; digest?: string } {
  const [withoutDigest, digest] = image.split('@');
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return { tag: colon >= 0 ? lastSegment.slice(colon + 1) : undefined, digest };
}

/** Checks a store's objects against the offline-readiness rules, applying its waivers. */
export function checkOfflineRules(objects: any[], profile: ResolvedNodeProfile, waivers: Waiver[]): RuleResult {
  const found: RuleFinding[] = [];
  const warnings: RuleWarning[] = [];
  const claims = new Map(objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => [o.metadata?.name, o.spec?.storageClassName]));
  const dataVolumes = new Map(
    objects.filter((o) => o.kind === 'DataVolume').map((o) => [o.metadata?.name, o.spec?.storage?.storageClassName ?? o.spec?.pvc?.storageClassName]),
  );

  for (const o of objects) {
    const object = `${o.kind}/${o.metadata?.name}`;
    const add = (rule: OfflineRule, path: string, problem: string) => found.push(ruleFinding(rule, object, path, problem));
    const image = (field: string, ref: string) => {
      const { tag, digest } = imageParts(ref);
      if (!tag || tag === 'latest') {
        add(
          'pinned-image',
          field,
          `"${ref}" is not pinned (use a version tag such as ":1.4.2", ideally with "@sha256:..."): a store that restarts offline cannot fetch ` +
            `a moving tag`,
        );
      } else if (!digest) {
        warnings.push(
          ruleWarning(
            WARNING_KINDS.noDigest,
            'pinned-image',
            object,
            field,
            `"${ref}" has a tag but no digest (pin "@sha256:..." so that a re-pushed tag cannot change what a store runs)`,
          ),
        );
      }
    };

    const podPath = POD_SPEC_PATH[o.kind];
    if (podPath) {
      const pod = at(o, podPath) ?? {};
      for (const group of ['initContainers', 'containers']) {
        (pod[group] ?? []).forEach((c: any, i: number) => {
          const field = `${podPath}.${group}[${i}]`;
          image(`${field}.image`, String(c.image ?? ''));
          if (c.imagePullPolicy !== 'IfNotPresent') {
            add(
              'pull-policy',
              `${field}.imagePullPolicy`,
              `"${c.imagePullPolicy ?? '(unset)'}" must be "IfNotPresent" (with the WAN down, a restart must use the cached image)`,
            );
          }
          const missing = [
            ['requests', 'cpu'],
            ['requests', 'memory'],
            ['limits', 'memory'],
          ].filter(([k, r]) => c.resources?.[k]?.[r] === undefined);
          if (missing.length) {
            add(
              'resources',
              `${field}.resources`,
              `lacks ${missing.map(([k, r]) => `${k}.${r}`).join(', ')} (set CPU and memory requests and a memory limit, so the planner can ` +
                `count it and the node is never overcommitted)`,
            );
          }
        });
      }
      if (pod.runtimeClassName && !profile.runtimeClasses.includes(pod.runtimeClassName)) {
        add(
          'runtime-class',
          `${podPath}.runtimeClassName`,
          `"${pod.runtimeClassName}" is not provided by the store's node (add it to nodeProfile.runtimeClasses where the store image carries ` +
            `its shim)`,
        );
      }
    }

    if (o.kind === 'VirtualMachine') {
      const volumes: any[] = o.spec?.template?.spec?.volumes ?? [];
      const templates = new Map<string, string | undefined>(
        (o.spec?.dataVolumeTemplates ?? []).map((t: any) => [t.metadata?.name, t.spec?.storage?.storageClassName ?? t.spec?.pvc?.storageClassName]),
      );
      (o.spec?.dataVolumeTemplates ?? []).forEach((t: any, i: number) => {
        const url = t.spec?.source?.registry?.url;
        if (url) image(`spec.dataVolumeTemplates[${i}].spec.source.registry.url`, String(url).replace(/^docker:\/\//, ''));
      });
      volumes.forEach((v, i) => {
        const field = `spec.template.spec.volumes[${i}]`;
        if (v.containerDisk) {
          image(`${field}.containerDisk.image`, String(v.containerDisk.image ?? ''));
          if (v.containerDisk.imagePullPolicy !== 'IfNotPresent') {
            add('pull-policy', `${field}.containerDisk.imagePullPolicy`, `"${v.containerDisk.imagePullPolicy ?? '(unset)'}" must be "IfNotPresent"`);
          }
          return;
        }
        if (v.cloudInitNoCloud || v.cloudInitConfigDrive || v.emptyDisk) return;
        const claim = v.persistentVolumeClaim?.claimName ?? v.dataVolume?.name;
        const storageClass = claim === undefined ? undefined : (claims.get(claim) ?? dataVolumes.get(claim) ?? templates.get(claim));
        if (storageClass !== profile.localStorageClass) {
          add(
            'local-storage',
            field,
            `"${v.name}" is not on the store's local storage class "${profile.localStorageClass}" ` +
              `(${claim ? `its claim "${claim}" has storage class "${storageClass ?? '(unknown)'}"` : 'its source is not a local disk'}); use a ` +
              `containerDisk, or a claim or DataVolume of "${profile.localStorageClass}"`,
          );
        }
      });
    }

    if (PROTECTED_KINDS.includes(o.kind)) {
      const missing = Object.entries(KEEP_ANNOTATIONS).filter(([k, v]) => o.metadata?.annotations?.[k] !== v);
      if (missing.length) {
        add(
          'prune-protection',
          'metadata.annotations',
          `lacks ${missing.map(([k, v]) => `${k}: ${v}`).join(', ')} (so that removing or renaming it in Git never deletes the store's data)`,
        );
      }
    }
  }

  const covers = (w: Waiver, f: RuleFinding) => w.rule === f.rule && w.object === f.object;
  const violations = found.filter((f) => !waivers.some((w) => covers(w, f)));
  const usedWaivers = waivers.filter((w) => found.some((f) => covers(w, f)));
  // Most stores waive nothing: their objects' names are only listed for a waiver to match.
  const names = waivers.length > 0 ? new Set(objects.map((o) => `${o.kind}/${o.metadata?.name}`)) : new Set<string>();
  const strayWaivers = waivers.filter((w) => !names.has(w.object));
  const unused = waivers
    .filter((w) => !usedWaivers.includes(w))
    .map((w) =>
      ruleWarning(
        WARNING_KINDS.unneededWaiver,
        w.rule,
        w.object,
        '-',
        strayWaivers.includes(w)
          ? `waiver of "${w.rule}" names no object of the store (${sameKind(names, w.object)}): fix its object, or remove it`
          : `waiver of "${w.rule}" is not needed (nothing breaks the rule): remove it`,
      ),
    );
  return { violations, warnings: [...warnings, ...unused], usedWaivers, strayWaivers };
}

/** The store's objects of the kind that `object` (`Kind/name`) names, for a waiver that matches none. */
function sameKind(names: Set<string>, object: string): string {
  const kind = object.split('/')[0];
  const ofKind = [...names].filter((n) => n.startsWith(`${kind}/`)).sort();
  return ofKind.length > 0 ? `its ${kind} objects: ${firstAndMore(ofKind, 5)}` : `it has no ${kind}`;
}
