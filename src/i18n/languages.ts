import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { Locale } from '../../dialogs/types';
import { CONTENT_DIR } from '../paths';

/**
 * The nlp.js language packages the intent model can stem and filter stopwords with
 * (src/understanding/intent-model.ts). A language whose own package is not installed names the
 * nearest one (the pseudo-locale qps-ploc reads as English).
 */
export const NLP_MODULES = ['en', 'nl'] as const;
export type NlpModule = (typeof NLP_MODULES)[number];

/** BCP 47 as we use it: a language, then optional subtags ("nl-NL", "qps-ploc"). */
const TAG = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;
const tag = z.string().regex(TAG, 'must be a language tag such as nl-NL');

const languageRow = z
  .object({
    tag,
    /** The language's name in itself (the picker's label) and, optionally, in the other languages. */
    names: z.record(tag, z.string().trim().min(1)),
    nlp: z.enum(NLP_MODULES),
    /** The locale Bot Framework Web Chat gets for its own labels ("Send", "Upload file"). */
    webChat: tag,
    /** The Teams manifest's language tag for this language (teams/<teams>.json), if Teams has one. */
    teams: z.string().regex(/^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/, 'Teams language tags are lower case, e.g. nl-nl').optional(),
  })
  .strict();

const languageTable = z
  .object({
    description: z.string().optional(),
    /** Said when nothing the user or the channel sent picks a language. */
    default: tag,
    languages: z.array(languageRow).min(1),
  })
  .strict()
  .superRefine((table, ctx) => {
    const tags = table.languages.map((l) => l.tag);
    tags.forEach((t, i) => {
      if (tags.indexOf(t) !== i) ctx.addIssue({ code: 'custom', path: ['languages', i, 'tag'], message: `${t} is listed twice` });
    });
    if (!tags.includes(table.default)) ctx.addIssue({ code: 'custom', path: ['default'], message: `${table.default} is not one of the languages` });
    table.languages.forEach((l, i) => {
      if (!l.names[l.tag]) ctx.addIssue({ code: 'custom', path: ['languages', i, 'names'], message: `needs the name of ${l.tag} in itself` });
      for (const named of Object.keys(l.names)) {
        if (!tags.includes(named)) ctx.addIssue({ code: 'custom', path: ['languages', i, 'names', named], message: `${named} is not one of the languages` });
      }
    });
  });

export type LanguageRow = z.infer<typeof languageRow>;

/** The language table, validated: every per-language fact the code needs, and nothing else. */
export interface Languages {
  /** Every language, in the table's order (the order pickers list them). */
  readonly tags: readonly Locale[];
  readonly defaultTag: Locale;
  row(locale: Locale): LanguageRow;
  /** Whether `value` is exactly one of the tags: for values sent back by our own pages and cards. */
  has(value: unknown): value is Locale;
  /** A language's name as people reading `inLocale` call it; its own name when the table has none. */
  name(locale: Locale, inLocale: Locale): string;
  /**
   * The language for a tag a channel sent (Teams' clientInfo, Web Chat's locale, Accept-Language's
   * entries): the tag itself, else the first of ours with the same primary language ("nl-BE" is
   * nl-NL), else undefined.
   */
  match(tag: string | undefined): Locale | undefined;
  /** `match`, or the default. */
  fromChannel(tag: string | undefined): Locale;
  /** The best of `among` (all by default) for an Accept-Language header, else `fallback` (the default). */
  negotiate(acceptLanguage: string | undefined, among?: readonly Locale[], fallback?: Locale): Locale;
}

const primary = (t: string) => t.split(/[-_]/)[0]!.toLowerCase();

/** Whether `value` is exactly one of `locales` (a value sent back by our own pages: ?lang=, a stored choice). */
export const isLocaleIn = (value: unknown, locales: readonly Locale[]): value is Locale => typeof value === 'string' && locales.includes(value);

/** Picks a supported locale from an Accept-Language header (exact tag first, then language). */
export function negotiateLocale(acceptLanguage: string | undefined, locales: readonly Locale[], fallback: Locale): Locale {
  if (!acceptLanguage) return fallback;
  const ranked = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: tag!.trim().toLowerCase(), q: q ? Number(q[1]) : 1, index };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const found = matchLocale(tag, locales);
    if (found) return found;
  }
  return fallback;
}

/** The tag itself (any case, `_` for `-`), else the first with the same primary language. */
export function matchLocale(tag: string, locales: readonly Locale[]): Locale | undefined {
  const wanted = tag.trim().replace(/_/g, '-').toLowerCase();
  return locales.find((locale) => locale.toLowerCase() === wanted) ?? locales.find((locale) => primary(locale) === primary(wanted));
}

function languagesOf(table: z.infer<typeof languageTable>): Languages {
  const rows = new Map(table.languages.map((l) => [l.tag, l]));
  const tags = Object.freeze(table.languages.map((l) => l.tag));
  const match = (value: string | undefined): Locale | undefined => (value ? matchLocale(value, tags) : undefined);
  return {
    tags,
    defaultTag: table.default,
    row: (locale) => {
      const row = rows.get(locale);
      if (!row) throw new Error(`"${locale}" is not in the language table`);
      return row;
    },
    has: (value): value is Locale => typeof value === 'string' && rows.has(value),
    name: (locale, inLocale) => {
      const names = rows.get(locale)?.names ?? {};
      return names[inLocale] ?? names[locale] ?? locale;
    },
    match: (value) => match(value),
    fromChannel: (value) => match(value) ?? table.default,
    negotiate: (header, among = tags, fallback = table.default) => negotiateLocale(header, among, fallback),
  };
}

const loaded = new Map<string, Languages>();

/**
 * content/languages.json, read and checked once per content folder: a wrong table stops the
 * start with the file and the field named.
 */
export function loadLanguages(contentDir: string = CONTENT_DIR): Languages {
  const dir = resolve(contentDir);
  let languages = loaded.get(dir);
  if (!languages) {
    const path = join(dir, 'languages.json');
    const parsed = languageTable.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    loaded.set(dir, (languages = languagesOf(parsed.data)));
  }
  return languages;
}
