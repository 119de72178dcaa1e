import { IConstruct } from 'constructs';
import { StoreCheck, checkStore } from './check-store';
import { lateProblems } from './late-problems';
import { RenderedStore, renderStoreWithObjects } from './render-store';
import { EdgefleetError, recordedProblems } from '../errors/edgefleet-error';
import { FleetValidationError } from '../errors/fleet-validation-error';
import type { FleetRegistration } from '../model/contract';
import { IEdgeFleet, IEdgeStore, IStoreDeclaration } from '../model/contract';
import { readsFiles } from '../model/digestible';
import { IMAGES_FILE } from '../model/dist-layout';
import type { NodeTaint } from '../model/node-profile';
import type { ResolvedSyncPolicy } from '../model/sync-policy';
import { ReportWaiver, ReportWarning, StoreReport } from '../report/report-model';
import { treeSize } from '../report/tree-sizes';
import { EncryptedSecret } from '../secrets/encrypted-secret';
import { inRenderPass } from '../util/rendered-json';

/**
 * What synth keeps of a store once its construct tree is released: what the fleet-wide files
 * (`dist/fleet/`, the report) and checks (the blast-radius guard) need. Plain data, so that it can be
 * cached and passed between threads.
 */
export interface StoreSummary {
  /** The store id. */
  readonly id: string;
  /** The store's labels. */
  readonly storeLabels: Record<string, string>;
  /** The store's rollout ring, when the fleet has rings. */
  readonly ring?: string;
  /** The store's sync policy. */
  readonly sync: ResolvedSyncPolicy;
  /** Manager-initiated Fleet registration, when given. */
  readonly fleetRegistration?: FleetRegistration;
  /** The taints of the store's node (the Fleet agent tolerates them). */
  readonly nodeProfile: { readonly taints: NodeTaint[] };
  /** The store's age public key, when it can have encrypted Secrets. */
  readonly ageRecipient?: string;
  /** The store's resource plan and sync state, for the report. */
  readonly plan: StoreReport;
  /** Waivers that covered a violation, for the report. */
  readonly waivers: ReportWaiver[];
  /** Warnings, for the report. */
  readonly warnings: ReportWarning[];
}

/** What the fleet-wide checks after the stores need of each store built. */
export interface BuiltStore {
  readonly id: string;
  readonly ageRecipient?: string;
  readonly storeLabels: Readonly<Record<string, string>>;
}

/** One store built, checked and rendered. */
export interface StorePass {
  /** The store's files, as paths relative to dist/ mapped to their content. */
  readonly files: Map<string, string>;
  /** What synth keeps of the store. */
  readonly summary: StoreSummary;
  /** Files outside the fleet definition that the store's constructs read (see `IReadsFiles`), absolute. */
  readonly inputFiles: string[];
}

/**
 * Runs a store's late checks, renders its files (each object once) and checks them against the
 * offline-readiness rules and the node's resources. Throws a {@link FleetValidationError} with every
 * problem found in the store: those of its late checks first (a prop that building went on without,
 * see `failLate`), then those of its rendered objects.
 */
export function passStore(store: IEdgeStore): StorePass {
  return inRenderPass(() => {
    const constructs = store.node.findAll();
    const late = lateProblems(constructs);
    const encryptedSecrets = new Set(constructs.filter(EncryptedSecret.isEncryptedSecret).map((s) => s.node.id));
    const { rendered, check } = renderAndCheck(store, late, encryptedSecrets);
    const problems = [...late, ...check.problems];
    if (problems.length > 0) throw new FleetValidationError(problems);
    const files = rendered.files;
    if (check.images.length > 0) files.set(`stores/${store.id}/${IMAGES_FILE}`, `${check.images.join('\n')}\n`);
    const summary: StoreSummary = {
      id: store.id,
      storeLabels: store.storeLabels,
      ring: store.ring,
      sync: store.sync,
      fleetRegistration: store.fleetRegistration,
      nodeProfile: { taints: store.nodeProfile.taints },
      ageRecipient: store.ageRecipient,
      plan: { ...check.plan, folders: treeSize(files.values()) },
      waivers: check.waivers,
      warnings: check.warnings,
    };
    const inputFiles = constructs.filter(readsFiles).flatMap((c) => c.inputFiles);
    return { files, summary, inputFiles };
  });
}

/**
 * Renders the store and checks what it rendered. After late problems, the values they name are in the
 * objects as given: should rendering or checking fail on one of them, the late problems (and the
 * failure, when it is a problem of the definition) are reported, not an error of edgefleet.
 */
function renderAndCheck(store: IEdgeStore, late: string[], encryptedSecrets: Set<string>): { rendered: RenderedStore; check: StoreCheck } {
  try {
    const rendered = renderStoreWithObjects(store);
    return { rendered, check: checkStore(store, rendered.objects, encryptedSecrets) };
  } catch (e) {
    if (late.length === 0) throw e;
    throw new FleetValidationError([...late, ...(EdgefleetError.isEdgefleetError(e) ? problemsOf(e, undefined) : [])]);
  }
}

/**
 * Builds a declared store (telling `onBuilt` the store, or undefined when it could not be built),
 * passes it ({@link passStore}), and removes it, and anything else its definition added, from the
 * fleet: what synth keeps of it is in the result.
 */
export function buildAndPass(fleet: IEdgeFleet, declaration: IStoreDeclaration, onBuilt?: (store: IEdgeStore | undefined) => void): StorePass {
  const before = new Set(fleet.node.children.map((c) => c.node.id));
  try {
    let store: IEdgeStore;
    try {
      store = declaration.build(fleet);
    } catch (e) {
      onBuilt?.(undefined);
      throw withRecordedProblems(
        e,
        fleet.node.children.filter((c) => !before.has(c.node.id)),
      );
    }
    onBuilt?.(store);
    return passStore(store);
  } finally {
    for (const child of fleet.node.children) {
      if (!before.has(child.node.id)) fleet.node.tryRemoveChild(child.node.id);
    }
  }
}

/**
 * A failure to build a store, with the problems that building recorded before it (see `failLate`) in
 * the constructs it `added`, in their order: a problem of the definition, reported with those first.
 */
function withRecordedProblems(error: unknown, added: IConstruct[]): unknown {
  const recorded = added.flatMap((c) => c.node.findAll()).flatMap(recordedProblems);
  return recorded.length > 0 && EdgefleetError.isEdgefleetError(error)
    ? new FleetValidationError([...recorded, ...problemsOf(error, undefined)])
    : error;
}

/** The problems a mistake in a fleet definition reports, prefixed with `where`; anything else is rethrown. */
export function problemsOf(error: unknown, where: string | undefined): string[] {
  if (!EdgefleetError.isEdgefleetError(error)) throw error;
  const found = error instanceof FleetValidationError ? error.problems : [error.message];
  return found.map((p) => (where ? `${where}: ${p}` : p));
}
