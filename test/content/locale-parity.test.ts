import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { guideMachine } from '../../dialogs/machine';
import type { StepMeta } from '../../dialogs/setup';
import { loadLanguages } from '../../src/i18n/languages';
import { createStrings } from '../../src/i18n/strings';
import { CONTENT_DIR, LOCALES_DIR } from '../../src/paths';

/** Every language of the table (content/languages.json). */
const LOCALES = loadLanguages().tags;

/** Both languages must say everything: same files, same keys, same number of steps, nothing empty. */

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function shape(value: Json, path = ''): string[] {
  if (Array.isArray(value)) return [`${path}[${value.length}]`, ...value.flatMap((v, i) => shape(v, `${path}[${i}]`))];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => shape(v, path ? `${path}.${k}` : k));
  return [path];
}

function leaves(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (value && typeof value === 'object') return Object.values(value).flatMap(leaves);
  return typeof value === 'string' ? [value] : [];
}

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Json;

describe.each([
  ['locales', LOCALES_DIR],
  ['content', CONTENT_DIR],
])('%s/ in en-US and nl-NL', (_name, dir) => {
  const files = (locale: string) => readdirSync(join(dir, locale)).filter((f) => f.endsWith('.json')).sort();

  test('have the same files', () => {
    expect(files('nl-NL')).toEqual(files('en-US'));
    expect(files('en-US').length).toBeGreaterThan(0);
  });

  test.each(files('en-US').map((f) => [f]))('%s has the same keys and list lengths in both', (file) => {
    const en = read(join(dir, 'en-US', file));
    const nl = read(join(dir, 'nl-NL', file));
    // Training examples are data, not sentences: their lists may differ in length per language.
    const normalise = (keys: string[]) => (file === 'intents.json' ? keys.map((k) => k.replace(/\[\d+\]/g, '[]')) : keys);
    expect(new Set(normalise(shape(nl)))).toEqual(new Set(normalise(shape(en))));
    for (const text of [...leaves(en), ...leaves(nl)]) expect(text.trim()).not.toBe('');
  });
});

test('every key the machine uses exists in both languages', () => {
  const strings = createStrings();
  const metas: StepMeta[] = [];
  const walk = (node: { meta?: unknown; states?: Record<string, unknown> }) => {
    if (node.meta) metas.push(node.meta as StepMeta);
    Object.values(node.states ?? {}).forEach((child) => walk(child as typeof node));
  };
  walk(guideMachine.config as never);
  const dialogs = join(__dirname, '../../dialogs');
  const source = readdirSync(dialogs)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(dialogs, f), 'utf8'))
    .join('\n');
  const notices = [...source.matchAll(/say\('([^']+)'/g)].map((m) => m[1]);
  const keys = [
    ...metas.map((m) => m.ask),
    ...metas.flatMap((m) => m.choices.map((c) => `common:choice.${c}`)),
    ...metas.map((m) => `common:step.${m.step}`),
    ...notices,
  ];
  expect(metas.length).toBeGreaterThan(20);
  expect(notices.length).toBeGreaterThan(4);
  for (const locale of LOCALES) {
    const missing = keys.filter((k) => !strings.has(locale, k));
    expect({ locale, missing }).toEqual({ locale, missing: [] });
  }
});
