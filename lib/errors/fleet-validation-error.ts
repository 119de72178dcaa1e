import { EdgefleetError } from './edgefleet-error';
import { shownMessage } from './shown-text';
import { firstAndMore } from '../util/plural';

/** Every problem the fleet's late checks (`node.addValidation`) found. */
export class FleetValidationError extends EdgefleetError {
  /** Every problem, each as it may be shown (see {@link EdgefleetError}). */
  public readonly problems: string[];

  /** @param problems every message of the late checks, each naming its store and object */
  constructor(problems: string[]) {
    const shown = problems.map(shownMessage);
    super(
      `${shown.length} problem${shown.length === 1 ? '' : 's'} in the fleet definition:\n${problemsSaidOnce(shown)
        .map((p) => `  - ${p}`)
        .join('\n')}`,
    );
    this.problems = shown;
  }
}

/** A store's problem: `[<file> line <n>: ]store "<id>": <what>`. */
const STORE_PROBLEM = /^(?:(.+) line (\d+): )?store "([^"]+)": (.+)$/s;

/**
 * The problems with those that several stores share said once, naming the stores (a mistake in the
 * definition that every store shares would otherwise fill the screen with one line per store).
 */
export function problemsSaidOnce(problems: string[]): string[] {
  const groups = new Map<string, Array<{ problem: string; store?: string; file?: string; line?: string }>>();
  for (const problem of problems) {
    const match = STORE_PROBLEM.exec(problem);
    const what = match ? match[4] : `\0${problem}`;
    if (!groups.has(what)) groups.set(what, []);
    groups.get(what)!.push({ problem, store: match?.[3], file: match?.[1], line: match?.[2] });
  }
  return [...groups].map(([what, found]) => {
    if (found.length === 1) return found[0].problem;
    const files = new Set(found.map((f) => f.file));
    const where =
      files.size === 1 && found[0].file !== undefined
        ? ` (${found[0].file} lines ${firstAndMore(
            found.map((f) => f.line!),
            3,
          )})`
        : '';
    return `${found.length} stores, ${firstAndMore(
      found.map((f) => `"${f.store}"`),
      3,
    )}${where}: ${what}`;
  });
}
