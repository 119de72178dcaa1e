import { IConstruct } from 'constructs';
import { fail } from '../errors/edgefleet-error';
import { OFFLINE_RULES, Waiver } from '../model/waiver';
import { compareStrings } from '../util/compare-strings';

/**
 * Annotation of a store's Namespace that lists its waivers as JSON (`[{"rule":..., "object":...,
 * "reason":...}]`), so that the synthesized folder carries them: `edgefleet validate` applies them
 * when it runs the offline-readiness rules, and a hand-written folder can waive a rule the same way.
 */
export const WAIVERS_ANNOTATION = 'edgefleet.io/waivers';

/** The value of {@link WAIVERS_ANNOTATION} for `waivers`; empty when there are none. */
export function waiversAnnotation(waivers: Waiver[]): string {
  const ordered = [...waivers].sort((a, b) => compareStrings(a.object, b.object) || compareStrings(a.rule, b.rule));
  return ordered.length === 0 ? '' : JSON.stringify(ordered.map(({ rule, object, reason }) => ({ rule, object, reason })));
}

/** Fails unless every waiver names a known rule, an object and a real reason. */
export function checkWaivers(scope: IConstruct, waivers: Waiver[]): Waiver[] {
  waivers.forEach((w, i) => {
    if (!(OFFLINE_RULES as readonly string[]).includes(w.rule)) {
      fail(scope, `waivers[${i}].rule "${w.rule}" is not a rule (use one of ${OFFLINE_RULES.map((r) => `"${r}"`).join(', ')})`);
    }
    if (!/^[A-Za-z]+\/[a-z0-9.-]+$/.test(w.object ?? '')) {
      fail(scope, `waivers[${i}].object "${w.object}" does not name an object (use "Kind/name", such as "Deployment/legacy-kiosk")`);
    }
    if (typeof w.reason !== 'string' || w.reason.trim().length < 10) {
      fail(scope, `waivers[${i}].reason "${w.reason ?? ''}" is too short (say why the exception is acceptable, for the reviewer)`);
    }
  });
  return waivers;
}
