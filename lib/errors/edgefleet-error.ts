import { IConstruct } from 'constructs';
import { shownMessage } from './shown-text';

/**
 * A mistake in a fleet definition: the message says where, what was received and what is expected.
 * The CLI prints it without a stack trace; anything else that escapes is a bug in edgefleet. The
 * message is kept as it may be shown (see `shownMessage`): the values it quotes cut to a readable
 * length, and nothing that looks like a private key.
 */
export class EdgefleetError extends Error {
  /** Whether `e` is an error about the user's input (as opposed to a bug). */
  public static isEdgefleetError(e: unknown): e is EdgefleetError {
    return e instanceof Error && e.name === 'EdgefleetError';
  }

  constructor(message: string) {
    super(shownMessage(message));
    this.name = 'EdgefleetError';
  }
}

/** Writing the output failed part-way (a full disk, a permission, a file where a folder should be). */
export class OutputWriteError extends EdgefleetError {
  constructor(message: string) {
    super(message);
    this.name = 'EdgefleetError';
  }
}

/** A construct that names itself in error messages, e.g. `store "store-017"` or `EdgePosVm "pos"`. */
export interface IDescribable {
  /** How the construct names itself in messages, e.g. `store "store-017"`. */
  readonly subject: string;
}

function isDescribable(c: IConstruct): c is IConstruct & IDescribable {
  return typeof (c as Partial<IDescribable>).subject === 'string';
}

/**
 * `store "store-017": EdgePosVm "pos"`: the describable constructs from the root down to `scope`.
 * The root (the fleet) names itself only in problems of its own settings (`fleet: telemetry.logsUrl ...`).
 */
export function describe(scope: IConstruct): string {
  const chain = scope.node.scopes.filter(isDescribable);
  const named = chain.length > 1 && chain[0].node.scope === undefined ? chain.slice(1) : chain;
  return named.map((c) => c.subject).join(': ');
}

/** Prefixes `problem` with where it happened, e.g. `store "store-017": EdgePosVm "pos": <problem>`. */
export function problemAt(scope: IConstruct, problem: string): string {
  const where = describe(scope);
  return where ? `${where}: ${problem}` : problem;
}

/** Throws an {@link EdgefleetError} located at `scope`: for a problem that building cannot go on after. */
export function fail(scope: IConstruct, problem: string): never {
  throw new EdgefleetError(problemAt(scope, problem));
}

/** Where a construct keeps the problems {@link failLate} recorded for it. */
const RECORDED_PROBLEMS = Symbol.for('edgefleet.recordedProblems');

/**
 * Reports a problem that building can go on after (a value out of range, a malformed quantity): it is
 * recorded with `scope` and reported by its late checks (`node.addValidation`), and the construct goes
 * on with the value as given, so that the rest of the store is still built, rendered and checked, and
 * one synth reports every problem of the store. At the fleet itself, whose settings every store
 * inherits, it is thrown as {@link fail} does.
 */
export function failLate(scope: IConstruct, problem: string): void {
  if (scope.node.scope === undefined) fail(scope, problem);
  const message = shownMessage(problemAt(scope, problem));
  const recorded = recordedProblems(scope);
  if (recorded.length === 0) {
    Object.defineProperty(scope, RECORDED_PROBLEMS, { value: recorded });
    scope.node.addValidation({ validate: () => [...recorded] });
  }
  recorded.push(message);
}

/** The problems {@link failLate} recorded for `scope` so far: those of a construct whose building then failed are reported with the failure. */
export function recordedProblems(scope: IConstruct): string[] {
  return (scope as { [RECORDED_PROBLEMS]?: string[] })[RECORDED_PROBLEMS] ?? [];
}
