import * as path from 'path';

/** `p` relative to `root`, with `/`, or undefined when `p` is outside `root`. */
export function insideFolder(root: string, p: string): string | undefined {
  const relative = path.relative(root, p).split(path.sep).join('/');
  return relative === '' || relative === '..' || relative.startsWith('../') || path.isAbsolute(relative) ? undefined : relative;
}
