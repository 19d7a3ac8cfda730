import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The project root, found from this file, so data folders resolve the same way whether the code
 * runs from src/ (ts-node, tests) or from dist/src/ (the built server).
 */
function findRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`activation-guide: cannot find package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export const ROOT_DIR = findRoot(__dirname);
/**
 * The data folders shipped with the code. The running service reads LOCALES_DIR and CONTENT_DIR
 * from the environment instead when set (src/config.ts); these are their defaults and what
 * scripts and tests read unless told otherwise.
 */
export const LOCALES_DIR = join(ROOT_DIR, 'locales');
export const CONTENT_DIR = join(ROOT_DIR, 'content');
/** Where `npm run build` keeps the intent models it trained for CONTENT_DIR (src/understanding/trained-networks.ts). */
export const MODELS_DIR = join(ROOT_DIR, 'dist', 'models');
