import type { StoresFound } from './for-each-store';
import { writeSopsConfig } from './write-sops-config';
import { FleetValidationError } from '../errors/fleet-validation-error';
import { IEdgeFleet } from '../model/contract';
import { sharedKeyProblems } from '../model/fleet-secrets';
import { refersToStores } from '../model/refers-to-stores';
import { compareStrings } from '../util/compare-strings';

/**
 * The fleet-wide checks that need every store: the age keys ({@link checkStoreKeys}), and the
 * references of fleet-wide constructs to stores (see `IRefersToStores`), when every store was built.
 */
export function checkAcrossStores(fleet: IEdgeFleet, found: StoresFound, writeTo?: string): { problems: string[]; sopsConfigWritten: boolean } {
  const keys = checkStoreKeys(fleet, found, writeTo);
  const stores = [...found.builtStores.values()];
  const references = found.everyStoreBuilt ? fleet.node.children.filter(refersToStores).flatMap((c) => c.referenceProblems(stores)) : [];
  return { problems: [...keys.problems, ...references], sopsConfigWritten: keys.sopsConfigWritten };
}

/**
 * The age-key checks that need every store (no two stores share an age key), and the
 * repository's `.sops.yaml` (when `writeTo` is given and every store could be built): written even
 * when synth then stops, so that `sops updatekeys` finds a changed store key's rules.
 */
function checkStoreKeys(fleet: IEdgeFleet, found: StoresFound, writeTo?: string): { problems: string[]; sopsConfigWritten: boolean } {
  if (!fleet.secrets) return { problems: [], sopsConfigWritten: false };
  const keyed = [...found.builtStores.values()].filter((s) => s.ageRecipient !== undefined).sort((a, b) => compareStrings(a.id, b.id));
  const problems = sharedKeyProblems(fleet.secrets, keyed);
  // A rule with another store's key would have the next `sops updatekeys` make a store's secrets readable by that store.
  const sopsConfigWritten = writeTo !== undefined && found.everyStoreBuilt && problems.length === 0 ? writeSopsConfig(fleet, writeTo, keyed) : false;
  return { problems, sopsConfigWritten };
}

/** Throws the problems found, if any. */
export function throwProblems(problems: string[]): void {
  if (problems.length > 0) throw new FleetValidationError(problems);
}
