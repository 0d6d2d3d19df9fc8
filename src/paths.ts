import fs from 'node:fs';
import path from 'node:path';

/**
 * The project's root: the nearest folder above this file with a package.json. The same answer
 * from src/ (tsx, jest) and from the compiled dist/src/ (`npm start`), so files read at run time
 * (locales/, prisma/, public/, data/) are found from either.
 */
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..');
  }
}

export const ROOT = findRoot(__dirname);

/** A path under the project's root. */
export function fromRoot(...parts: string[]): string {
  return path.join(ROOT, ...parts);
}
