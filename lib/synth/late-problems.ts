import { IConstruct } from 'constructs';

/** Runs every construct's late checks and returns their messages, in construct-tree order. */
export function validateFleet(root: IConstruct): string[] {
  return lateProblems(root.node.findAll());
}

/** The messages of the late checks of `constructs` (all of a tree, from `node.findAll()`), in their order. */
export function lateProblems(constructs: IConstruct[]): string[] {
  return constructs.flatMap((c) => c.node.validate());
}
