import { IConstruct } from 'constructs';
import { EdgefleetError } from '../errors/edgefleet-error';

/** Every problem the fleet's late checks (`node.addValidation`) found. */
export class FleetValidationError extends EdgefleetError {
  /** @param problems every message of the late checks, each naming its store and object */
  constructor(public readonly problems: string[]) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the fleet definition:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Runs every construct's late checks and returns their messages, in construct-tree order. */
export function validateFleet(root: IConstruct): string[] {
  return lateProblems(root.node.findAll());
}

/** The messages of the late checks of `constructs` (all of a tree, from `node.findAll()`), in their order. */
export function lateProblems(constructs: IConstruct[]): string[] {
  return constructs.flatMap((c) => c.node.validate());
}
