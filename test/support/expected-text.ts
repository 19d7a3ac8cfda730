/**
 * What the bot and the page are expected to show, read from the same files the bot reads
 * (locales/ and content/), never written in a test, and normalised the way the browser tests
 * compare text.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export type { Locale } from '../../dialogs/types';
import type { Locale } from '../../dialogs/types';

const ROOT = path.resolve(__dirname, '..', '..');
const files = new Map<string, unknown>();

export function readJson(file: string): unknown {
  if (!files.has(file)) files.set(file, JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')));
  return files.get(file);
}

function lookup(file: string, key: string): unknown {
  const value = key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), readJson(file));
  if (value === undefined) throw new Error(`${file} has nothing at "${key}"`);
  return value;
}

export function lookupString(file: string, key: string): string {
  const value = lookup(file, key);
  if (typeof value !== 'string') throw new Error(`${file}: "${key}" is not a string`);
  return value;
}

/** An i18next string, `namespace:key.path`, from locales/<locale>/<namespace>.json. */
export function t(locale: Locale, ref: string, values: Record<string, string> = {}): string {
  const [ns, key] = ref.split(':');
  return lookupString(`locales/${locale}/${ns}.json`, key).replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? '');
}

/** A content block from content/<locale>/guide.json: its title, text, steps and "more" line. */
export function block(locale: Locale, ref: string): string[] {
  const value = lookup(`content/${locale}/guide.json`, ref) as { title?: string; text?: string; steps?: string[]; more?: string };
  return [value.title, value.text, ...(value.steps ?? []), value.more].filter((part): part is string => typeof part === 'string');
}

/** What Markdown looks like once rendered: link labels without their targets, no emphasis marks. */
export function rendered(markdown: string): string {
  return markdown.replace(/\[([^\]]*)\]\([^)\s]+\)/g, '$1').replace(/\*\*|__/g, '');
}

/** Whitespace, zero-width spaces (Web Chat puts them around links) and typographic quotes do not matter. */
export function normalize(text: string): string {
  return text
    .replace(/[\u200b-\u200d\ufeff]/g, '')
    .replace(/[\u201c\u201d\u201e]/g, '"').replace(/[\u2018\u2019]/g, "'").replace(/\s+/g, ' ').trim();
}
