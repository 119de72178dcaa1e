/**
 * An error of the fleet's own code (not an edgefleet error) for a message: its first line and the
 * first frames of its stack outside installed packages and Node.js, which point into the fleet's code.
 */
export function whereItFailed(error: unknown, frames = 3): string {
  if (!(error instanceof Error)) return String(error);
  const at = (error.stack ?? '').split('\n')
    .filter((line) => line.trimStart().startsWith('at ') && !/node_modules|[( ]node:/.test(line))
    .slice(0, frames);
  return [`${error.name}: ${error.message}`, ...at.map((f) => `      ${f.trim()}`)].join('\n');
}
