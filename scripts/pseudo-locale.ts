/**
 * Writes a pseudo-locale (qps-ploc by default) from a real language, so that a language can be
 * added as data alone and every screen checked for text that is cut off or left untranslated:
 *
 *   npm run --silent pseudo-locale -- --content DIR --locales DIR [--from en-US] [--tag qps-ploc]
 *
 * DIR are copies of content/ and locales/ (never the real ones: the pseudo-locale is for tests).
 * It adds the language's row to DIR/languages.json and writes every file a language needs: the UI
 * strings (locales/<tag>/*.json), the step content (guide.json), the training data (intents.json)
 * and each known error's title, fix and link labels. Every letter gets an accent, and shown text
 * grows by about 30 % (translations run longer than English), in brackets so a cut end shows.
 * i18next {{placeholders}}, Markdown and URLs stay as they are. The accents all decompose
 * (NFD) to the plain letter, so typed pseudo text still reads as the source language's words.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLanguages, type LanguageRow } from '../src/i18n/languages';

const ACCENTED: Record<string, string> = Object.fromEntries(
  [...'abcdefghijklmnoprstuvwxyzABCDEFGHIJKLMNOPRSTUVWXYZ'].map((c, i) => [c, [...'áḃçḋéḟĝĥíĵķĺṁñóṗŕšţúṽŵẋýžÁḂÇḊÉḞĜĤÍĴĶĹṀÑÓṖŔŠŢÚṼŴẊÝŽ'][i]!]),
);

/** Filler words for the extra length, in the same decomposable accents. */
const FILLER = ['ĺóŕéṁ', 'íṗšúṁ', 'ḋóĺóŕ', 'šíţ', 'áṁéţ', 'çóñšéçţéţúŕ', 'áḋíṗíšçíñĝ', 'éĺíţ'];

/** Share of length added to shown text. */
export const EXPANSION = 0.3;

/**
 * What must reach the reader unchanged: {{placeholders}}, a Markdown link's target, bare URLs,
 * code spans and HTML entities. Everything between them is text.
 */
const KEEP = /(\{\{[^}]*\}\}|\]\([^)\s]+\)|https?:\/\/[^\s)>\]]+|`[^`]*`|&[a-z]+;|&#\d+;)/g;

const accent = (text: string) => [...text].map((c) => ACCENTED[c] ?? c).join('');

/** Accents only: for training data, which people type, and which must still be words. */
export function accentOnly(text: string): string {
  return text
    .split(KEEP)
    .map((part, i) => (i % 2 === 1 ? part : accent(part)))
    .join('');
}

/** Shown text: accented, about 30 % longer, between « and » so a cut end is visible. */
export function pseudoText(text: string): string {
  const parts = text.split(KEEP);
  const visible = parts.filter((_, i) => i % 2 === 0).join('').length;
  const accented = parts.map((part, i) => (i % 2 === 1 ? part : accent(part))).join('');
  const filler: string[] = [];
  let added = 0;
  for (let n = 0; added < Math.ceil(visible * EXPANSION) - 2; n++) {
    const word = FILLER[(visible + n) % FILLER.length]!;
    filler.push(word);
    added += word.length + 1;
  }
  return `«${accented}${filler.length ? ` ${filler.join(' ')}` : ''}»`;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const mapStrings = (value: Json, change: (text: string) => string): Json =>
  typeof value === 'string'
    ? change(value)
    : Array.isArray(value)
      ? value.map((v) => mapStrings(v, change))
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, change)]))
        : value;

const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8')) as Json;
const writeJson = (path: string, value: unknown) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);

export interface PseudoLocaleOptions {
  contentDir: string;
  localesDir: string;
  /** The language it is made from. Default: the table's default. */
  from?: string;
  tag?: string;
}

/** Writes the pseudo-locale into `contentDir` and `localesDir` (copies that already hold `from`). */
export function writePseudoLocale(options: PseudoLocaleOptions): LanguageRow {
  const { contentDir, localesDir } = options;
  const tag = options.tag ?? 'qps-ploc';
  const table = readJson(join(contentDir, 'languages.json')) as { default: string; languages: LanguageRow[] };
  const from = options.from ?? table.default;
  const source = table.languages.find((l) => l.tag === from);
  if (!source) throw new Error(`pseudo-locale: ${from} is not in ${contentDir}/languages.json`);
  if (table.languages.some((l) => l.tag === tag)) throw new Error(`pseudo-locale: ${tag} is already in ${contentDir}/languages.json`);

  // UI strings: every file of the source language, every string shown.
  mkdirSync(join(localesDir, tag), { recursive: true });
  for (const file of readdirSync(join(localesDir, from)).filter((f) => f.endsWith('.json'))) {
    writeJson(join(localesDir, tag, file), mapStrings(readJson(join(localesDir, from, file)), pseudoText));
  }

  // Step content is shown; training data is typed: accents only, and the language's own name.
  mkdirSync(join(contentDir, tag), { recursive: true });
  writeJson(join(contentDir, tag, 'guide.json'), mapStrings(readJson(join(contentDir, from, 'guide.json')), pseudoText));
  const intents = readJson(join(contentDir, from, 'intents.json')) as { intents: Json; languageNames: Record<string, string[]> };
  writeJson(join(contentDir, tag, 'intents.json'), {
    ...intents,
    languageNames: { ...intents.languageNames, [tag]: ['pseudo', tag] },
    intents: mapStrings(intents.intents, accentOnly),
  });

  // Known errors: title, fix and link labels are shown; `match` is what screens say, which stays the source's.
  const errorsDir = join(contentDir, 'known-errors');
  for (const file of readdirSync(errorsDir).filter((f) => f.endsWith('.json'))) {
    type Localised = Record<string, Json>;
    const entry = readJson(join(errorsDir, file)) as { title: Localised; fix: Localised; match: Localised; links: { label: Localised }[] };
    entry.title[tag] = mapStrings(entry.title[from]!, pseudoText);
    entry.fix[tag] = mapStrings(entry.fix[from]!, pseudoText);
    entry.match[tag] = entry.match[from]!;
    for (const link of entry.links) link.label[tag] = mapStrings(link.label[from]!, pseudoText);
    writeJson(join(errorsDir, file), entry);
  }

  // The row: named in itself in pseudo text, stemmed and shown by Web Chat as the source language.
  const row: LanguageRow = {
    tag,
    names: { [tag]: pseudoText(source.names[from] ?? from), ...Object.fromEntries(table.languages.map((l) => [l.tag, `Pseudo (${tag})`])) },
    nlp: source.nlp,
    webChat: source.webChat,
  };
  writeJson(join(contentDir, 'languages.json'), { ...table, languages: [...table.languages, row] });
  // Read back through the loader: the table a server would start with.
  loadLanguages(contentDir);
  return row;
}

function main(argv: string[]): void {
  const arg = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const contentDir = arg('content');
  const localesDir = arg('locales');
  if (!contentDir || !localesDir) {
    process.stderr.write('usage: npm run --silent pseudo-locale -- --content DIR --locales DIR [--from en-US] [--tag qps-ploc]\n');
    process.exit(64);
  }
  const row = writePseudoLocale({ contentDir, localesDir, from: arg('from'), tag: arg('tag') });
  process.stdout.write(`${row.tag} written to ${contentDir} and ${localesDir}\n`);
}

if (require.main === module) main(process.argv.slice(2));
