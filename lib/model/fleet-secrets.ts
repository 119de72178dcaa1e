import * as path from 'path';
import { IConstruct } from 'constructs';
import { fail } from '../errors/edgefleet-error';
import { checkAgeRecipient } from '../prop-checks/age-recipient';
import { checkDnsLabel } from '../prop-checks/checks';

/**
 * How a fleet keeps its stores' Secrets in Git: encrypted with SOPS for exactly the store's age key
 * and the operators' keys. Each store that has secrets gives its own key (`EdgeStore` prop
 * `ageRecipient`); synth writes the matching `.sops.yaml` creation rules.
 */
export interface FleetSecrets {
  /**
   * The operators' age public keys (`age1...`): the people or CI jobs that write, edit and re-encrypt
   * the stores' secrets. Every encrypted file is readable by each of them, besides its store.
   */
  readonly operators: string[];
  /**
   * The folder, inside the fleet repository, of the SOPS-encrypted Secret files: one subfolder per
   * store id, one file `<name>.yaml` per Secret. Absolute, or relative to the folder synth runs in.
   * @default 'secrets'
   */
  readonly folder?: string;
  /**
   * Name of the Secret in `flux-system` that holds a store's age private key (its data key ending in
   * `.agekey`), created when the store is bootstrapped; the store's Flux Kustomizations decrypt with it.
   * @default 'sops-age'
   */
  readonly keySecretName?: string;
}

/** {@link FleetSecrets} with every field decided; `folder` is absolute. */
export type ResolvedFleetSecrets = Required<FleetSecrets>;

/** Checks the fleet's secrets settings and fills in the defaults. */
export function resolveFleetSecrets(scope: IConstruct, secrets: FleetSecrets): ResolvedFleetSecrets {
  const operators = [...(secrets.operators ?? [])];
  if (operators.length === 0) {
    fail(
      scope,
      "secrets.operators is empty (give at least one operator's age public key, from `age-keygen`: without one, nobody could re-encrypt a " +
        "store's secrets when its key changes)",
    );
  }
  operators.forEach((key, i) => checkAgeRecipient(scope, `secrets.operators[${i}]`, key, 'any'));
  if (new Set(operators).size !== operators.length) {
    fail(scope, `secrets.operators ${JSON.stringify(operators)} name a key twice (list each operator key once)`);
  }
  return {
    operators,
    folder: path.resolve(secrets.folder ?? 'secrets'),
    keySecretName: checkDnsLabel(scope, 'secrets.keySecretName', secrets.keySecretName ?? 'sops-age'),
  };
}

/** Said with a shared key: synth does not write `.sops.yaml` then (see `checkStoreKeys`). */
const NOT_UPDATED = '.sops.yaml was left as it was until then; fix this before re-encrypting any file as other problems suggest';

/**
 * Late check of the fleet: no two stores share an age key, and no store's key is an operator's, since
 * either would let one store read another's secrets.
 */
export function sharedKeyProblems(
  secrets: ResolvedFleetSecrets,
  stores: ReadonlyArray<{ readonly id: string; readonly ageRecipient?: string }>,
): string[] {
  const byKey = new Map<string, string[]>();
  for (const store of stores.filter((s) => s.ageRecipient !== undefined)) {
    byKey.set(store.ageRecipient!, [...(byKey.get(store.ageRecipient!) ?? []), store.id]);
  }
  const problems: string[] = [];
  for (const [key, ids] of byKey) {
    const named = ids.map((id) => `"${id}"`).join(', ');
    if (ids.length > 1) {
      problems.push(
        `fleet: stores ${named} have the same ageRecipient ${key}, so each could read the others' secrets (give each store a key of its own, ` +
          `made with \`age-keygen\` for it). ${NOT_UPDATED}`,
      );
    }
    if (secrets.operators.includes(key)) {
      problems.push(
        `fleet: store${ids.length > 1 ? 's' : ''} ${named}: ageRecipient ${key} is an operator's key, so the store could read every store's ` +
          `secrets (give the store a key of its own). ${NOT_UPDATED}`,
      );
    }
  }
  return problems;
}
