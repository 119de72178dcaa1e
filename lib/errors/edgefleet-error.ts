import { IConstruct } from 'constructs';

/**
 * A mistake in a fleet definition: the message says where, what was received and what is expected.
 * The CLI prints it without a stack trace; anything else that escapes is a bug in edgefleet.
 */
export class EdgefleetError extends Error {
  /** Whether `e` is an error about the user's input (as opposed to a bug). */
  public static isEdgefleetError(e: unknown): e is EdgefleetError {
    return e instanceof Error && e.name === 'EdgefleetError';
  }

  constructor(message: string) {
    super(message);
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

/** Throws an {@link EdgefleetError} located at `scope`. */
export function fail(scope: IConstruct, problem: string): never {
  throw new EdgefleetError(problemAt(scope, problem));
}
