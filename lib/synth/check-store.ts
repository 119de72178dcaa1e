import { secretsOutOfBand } from './secrets-out-of-band';
import { problemAt } from '../errors/edgefleet-error';
import { shownMessage } from '../errors/shown-text';
import { IEdgeStore } from '../model/contract';
import { describeVmRestart } from '../model/vm-restart-policy';
import { Waiver } from '../model/waiver';
import { overBudget, planStore } from '../planner/plan-store';
import { checkPlatform, platformWarnings } from '../platform/check-platform';
import { checkOfflineRules } from '../policies/check-offline-rules';
import { ReportWaiver, ReportWarning, StoreReport } from '../report/report-model';
import { compareStrings } from '../util/compare-strings';

/** What synth learns of one store beyond its files: problems that fail synth, and what the report shows. */
export interface StoreCheck {
  /** Problems that fail synth, each naming store, object, field, value and fix. */
  readonly problems: string[];
  /** Warnings for the report. */
  readonly warnings: ReportWarning[];
  /** Waivers that covered a violation, for the report. */
  readonly waivers: ReportWaiver[];
  /** The store's resource plan and sync state. */
  readonly plan: StoreReport;
  /** Every image the store needs, sorted, for operators to pre-load. */
  readonly images: string[];
}

/** The kind of the report's warning about a Secret that nothing in Git delivers. */
export const SECRET_OUT_OF_BAND = 'Secret to create on the store';

/**
 * Checks a store's rendered objects against the offline-readiness rules, its node's resources and its
 * platform objects, and finds the Secrets they need that its tree does not deliver (`delivered`: the
 * names of its encrypted Secrets).
 */
export function checkStore(store: IEdgeStore, objects: any[], delivered: Set<string> = new Set()): StoreCheck {
  const rules = checkOfflineRules(objects, store.nodeProfile, store.waivers);
  const plan = planStore({ id: store.id, labels: store.storeLabels, profile: store.nodeProfile, agent: store.sync.agent }, objects);
  const { agent, autoSync, interval, source } = store.sync;
  return {
    problems: [
      ...rules.violations.map((v) =>
        problemAt(
          store,
          `${v.object}: ${v.message}; or waive rule "${v.rule}" for ${v.object} with a reason${strayWaiverHint(rules.strayWaivers, v.rule)}`,
        ),
      ),
      ...overBudget(plan).map((p) => problemAt(store, p)),
      ...checkPlatform(objects).map((p) => problemAt(store, p)),
    ],
    warnings: [
      ...rules.warnings.map((w) => ({ store: store.id, object: w.object, kind: w.kind, message: shownMessage(w.message) })),
      ...platformWarnings(objects).map((w) => ({ store: store.id, object: w.object, kind: w.kind, message: shownMessage(`${w.path} ${w.message}`) })),
      ...secretsOutOfBand(objects, delivered).map(({ object, secret }) => ({
        store: store.id,
        object,
        kind: SECRET_OUT_OF_BAND,
        message: `needs Secret "${secret}", which nothing in Git delivers: ${outOfBandFix(store)}`,
      })),
    ],
    waivers: rules.usedWaivers.map((w) => ({ store: store.id, rule: w.rule, object: w.object, reason: w.reason })),
    plan: {
      ...plan,
      sync: { agent, autoSync, interval, source: agent === 'flux' ? source : undefined },
      ...(plan.vms > 0 ? { vmRestart: { when: describeVmRestart(store.vmRestart), images: vmBootImages(objects) } } : {}),
    },
    images: imagesOf(objects),
  };
}

/** The images the store's VMs boot from: their containerDisks and the registry sources of their DataVolume templates. */
function vmBootImages(objects: any[]): string[] {
  const images = new Set<string>();
  for (const vm of objects.filter((o) => o.kind === 'VirtualMachine')) {
    for (const volume of vm.spec?.template?.spec?.volumes ?? []) {
      if (typeof volume.containerDisk?.image === 'string') images.add(volume.containerDisk.image);
    }
    for (const template of vm.spec?.dataVolumeTemplates ?? []) {
      const url = template.spec?.source?.registry?.url;
      if (typeof url === 'string') images.add(url.replace(/^docker:\/\//, ''));
    }
  }
  return [...images].sort(compareStrings);
}

/** How a store gets a Secret that its tree does not deliver. */
function outOfBandFix(store: IEdgeStore): string {
  return store.sync.agent === 'fleet'
    ? 'create it on the store out of band (Rancher Fleet cannot decrypt SOPS-encrypted files), or its pods wait for it'
    : 'add it with EncryptedSecret, or create it on the store out of band, or its pods wait for it';
}

/** Every container, containerDisk and DataVolume registry image of the objects, sorted and unique. */
function imagesOf(objects: any[]): string[] {
  const images = new Set<string>();
  const visit = (value: any, key?: string): void => {
    if (Array.isArray(value)) value.forEach((v) => visit(v));
    else if (value && typeof value === 'object') Object.entries(value).forEach(([k, v]) => visit(v, k));
    else if (key === 'image' && typeof value === 'string') images.add(value);
    else if (key === 'url' && typeof value === 'string' && value.startsWith('docker://')) images.add(value.slice('docker://'.length));
  };
  objects.forEach((o) => visit(o.spec));
  return [...images].sort();
}

/** Points at the store's waivers of `rule` that name no object: the likely reason the violation was not waived. */
function strayWaiverHint(strayWaivers: Waiver[], rule: string): string {
  const stray = strayWaivers.filter((w) => w.rule === rule).map((w) => w.object);
  return stray.length > 0 ? ` (the store's waiver of "${rule}" for ${stray.join(', ')} names no object of the store: misspelt?)` : '';
}
