import * as fs from 'fs';
import * as path from 'path';

/**
 * The folder holding the nearest package.json above `dir`: the project root, whether code runs from
 * its TypeScript sources (tests) or from the compiled `build/` folder (the CLI).
 */
export function packageRoot(dir: string): string {
  let current = dir;
  while (!fs.existsSync(path.join(current, 'package.json'))) {
    const parent = path.dirname(current);
    if (parent === current) throw new Error(`no package.json above ${dir}`);
    current = parent;
  }
  return current;
}
