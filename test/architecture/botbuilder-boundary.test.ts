import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Bot Framework SDK 4.23 is archived upstream: its code may run only in the few adapter files that
 * src/README.md lists, so that replacing it one day touches those files and nothing else.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const SDK = /^(botbuilder|botframework-connector|botframework-schema)(\/|$)/;

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(rel);
    return /\.(ts|js)$/.test(entry.name) ? [rel] : [];
  });
}

/** `import { A, type B } from 'botbuilder'` runs the SDK; `import type { … }` and all-`type` lists do not. */
function importsSdkAtRunTime(source: string): boolean {
  const imports = source.matchAll(/^import\s+(type\s+)?([\s\S]*?)\s+from\s+'([^']+)'/gm);
  for (const [, typeOnly, clause, from] of imports) {
    if (!SDK.test(from!) || typeOnly) continue;
    const names = /\{([\s\S]*)\}/.exec(clause!)?.[1]?.split(',').map((n) => n.trim()).filter(Boolean) ?? [];
    const hasDefaultOrNamespace = !clause!.trim().startsWith('{');
    if (hasDefaultOrNamespace || names.some((n) => !n.startsWith('type '))) return true;
  }
  return /require\(\s*'(botbuilder|botframework-connector)/.test(source);
}

function listedInReadme(): string[] {
  const readme = readFileSync(path.join(ROOT, 'src/README.md'), 'utf8');
  const section = /<!-- botbuilder-runtime -->([\s\S]*?)<!-- \/botbuilder-runtime -->/.exec(readme)?.[1];
  if (!section) throw new Error('src/README.md has no botbuilder-runtime list');
  return [...section.matchAll(/`(src\/[^`]+\.ts)`/g)].map((m) => m[1]!).sort();
}

test('only the files src/README.md lists run botbuilder; dialogs/ does not even import its types', () => {
  const runtime = sourceFiles('src').filter((file) => importsSdkAtRunTime(readFileSync(path.join(ROOT, file), 'utf8')));
  expect(runtime.sort()).toEqual(listedInReadme());
  const dialogs = sourceFiles('dialogs').filter((file) => /from\s+'(botbuilder|botframework-)/.test(readFileSync(path.join(ROOT, file), 'utf8')));
  expect(dialogs).toEqual([]);
});

test('the check itself tells a value import from a type-only one', () => {
  expect(importsSdkAtRunTime("import { CardFactory, type Attachment } from 'botbuilder';")).toBe(true);
  expect(importsSdkAtRunTime("import type { Activity } from 'botbuilder';")).toBe(false);
  expect(importsSdkAtRunTime("import { type Activity, type Storage } from 'botbuilder';")).toBe(false);
  expect(importsSdkAtRunTime("import * as bb from 'botbuilder';")).toBe(true);
  expect(importsSdkAtRunTime("import { z } from 'zod';")).toBe(false);
});
