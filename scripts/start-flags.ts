import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/**
 * The node flags of `npm start` (the heap settings among them), read from package.json's start
 * script, with `${NAME:-default}` expanded from `env` as sh does. The benchmark and the quick-start
 * test start the server with these, so that they measure and test what `npm start` runs.
 */
export function startScriptFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const match = /(?:^|&&\s*)node\s+(.*?)\s*dist\/src\/server\.js\s*$/.exec(start);
  if (!match) throw new Error(`package.json's start script no longer ends in "node … dist/src/server.js": ${start}`);
  return match[1]
    .split(/\s+/)
    .filter(Boolean)
    .map((flag) => flag.replace(/\$\{(\w+):-([^}]*)\}/g, (_, name: string, fallback: string) => env[name] || fallback));
}
