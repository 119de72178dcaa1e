import * as path from 'path';

/** A file as people see it in messages: relative to the folder the command runs in when inside it, with `/`. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : file;
}
