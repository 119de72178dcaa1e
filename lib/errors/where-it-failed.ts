import * as path from 'path';
import { shownPath } from '../util/shown-path';

/** edgefleet's own code: its frames are not the fleet's, whether it runs from an installed package or a checkout. */
const LIBRARY_FOLDER = path.resolve(__dirname, '..');

/**
 * An error of the fleet's own code (not an edgefleet error) for a message: its first line and the
 * first frames of its stack outside installed packages, Node.js and edgefleet itself, which point
 * into the fleet's code, with paths relative to the folder the command runs in.
 */
export function whereItFailed(error: unknown, frames = 3): string {
  if (!(error instanceof Error)) return String(error);
  const at = (error.stack ?? '')
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at ') && !/node_modules|[( ]node:/.test(line) && !line.includes(`${LIBRARY_FOLDER}${path.sep}`))
    .slice(0, frames)
    .map((line) => line.trim().replace(/(\(|at )(\/[^():]+)(?=:\d+:\d+\)?$)/, (_, before: string, file: string) => `${before}${shownPath(file)}`));
  return [`${error.name}: ${error.message}`, ...at.map((f) => `      ${f}`)].join('\n');
}
