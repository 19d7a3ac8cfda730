import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locale } from '../../dialogs/types';
import { loadLanguages } from '../../src/i18n/languages';
import { CONTENT_DIR, LOCALES_DIR, ROOT_DIR } from '../../src/paths';

/** Every language of the table (content/languages.json). */
const LOCALES = loadLanguages().tags;

/**
 * One term per concept: the variants content/GLOSSARY.md rejects must not appear in anything the
 * bot, the web chat page, the agent console or the Teams app shows. The glossary is the only list;
 * this test reads it. Training data for the intent model and on-screen error strings are left out
 * on purpose (the glossary says why).
 */

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

interface Variant {
  text: string;
  pattern: RegExp;
}

/** `word` is a whole word, `word*` also matches longer words, `*word*` also matches inside a compound. */
function variantPattern(variant: string): RegExp {
  const core = variant
    .replace(/^\*|\*$/g, '')
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\s+/g, '\\s+');
  const start = variant.startsWith('*') ? '' : '(?<![\\p{L}\\p{N}])';
  const end = variant.endsWith('*') ? '' : '(?![\\p{L}\\p{N}])';
  return new RegExp(`${start}${core}${end}`, 'iu');
}

/** The rejected columns of the glossary table, per locale. */
function rejectedVariants(markdown: string): Record<Locale, Variant[]> {
  const rows = markdown.split('\n').filter((line) => line.startsWith('|'));
  const header = rows[0]!.split('|').map((cell) => cell.trim());
  const found = { 'en-US': [], 'nl-NL': [] } as Record<Locale, Variant[]>;
  for (const locale of LOCALES) {
    const column = header.indexOf(`${locale} rejected`);
    if (column < 0) throw new Error(`GLOSSARY.md has no "${locale} rejected" column`);
    for (const row of rows.slice(2)) {
      const cell = row.split('|')[column] ?? '';
      for (const [, text] of cell.matchAll(/`([^`]+)`/g)) found[locale].push({ text: text!, pattern: variantPattern(text!) });
    }
  }
  return found;
}

/** Link addresses are not words: `support.office.com` is no "support". */
const withoutAddresses = (text: string) => text.replace(/\]\([^)]*\)/g, ']').replace(/https?:\/\/\S+/g, '');

function violations(texts: readonly string[], variants: readonly Variant[]): string[] {
  return texts.flatMap((text) =>
    variants.filter((v) => v.pattern.test(withoutAddresses(text))).map((v) => `\`${v.text}\` in "${text.slice(0, 120)}"`),
  );
}

function strings(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, v]) => (key === '$schema' ? [] : strings(v)));
  return typeof value === 'string' ? [value] : [];
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Json;
const jsonIn = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

interface Link {
  where: string;
  label: string;
  url: string;
}

/** Markdown links `[label](https://…)` in shown text. */
function markdownLinks(where: string, texts: readonly string[]): Link[] {
  return texts.flatMap((text) => [...text.matchAll(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g)].map((m) => ({ where, label: m[1]!, url: m[2]! })));
}

/**
 * Addresses linked under more than one label. Bold marks around a label do not make it another
 * label; a different case does ("your devices" and "Your devices" are two).
 */
function urlsWithTwoLabels(links: readonly Link[]): string[] {
  const labels = new Map<string, Map<string, string>>();
  for (const { where, label, url } of links) {
    const byLabel = labels.get(url) ?? new Map<string, string>();
    const plain = label.replace(/\*\*/g, '').trim();
    if (!byLabel.has(plain)) byLabel.set(plain, where);
    labels.set(url, byLabel);
  }
  return [...labels]
    .filter(([, byLabel]) => byLabel.size > 1)
    .map(([url, byLabel]) => `${url}: ${[...byLabel].map(([label, where]) => `"${label}" (${where})`).join(' vs ')}`);
}

/** Every link shown to people in one locale: Markdown links, and the known errors' "More information" links. */
function shownLinks(locale: Locale): Link[] {
  const links = shownTexts(locale).flatMap(([where, texts]) => markdownLinks(where, texts));
  for (const file of jsonIn(join(CONTENT_DIR, 'known-errors'))) {
    const entry = readJson(join(CONTENT_DIR, 'known-errors', file)) as { links: Array<{ url: string; label: Record<Locale, string> }> };
    for (const link of entry.links) links.push({ where: `content/known-errors/${file} links`, label: link.label[locale], url: link.url });
  }
  return links;
}

/** Everything shown to people, per locale, as [where, text]. */
function shownTexts(locale: Locale): Array<[string, string[]]> {
  const sources: Array<[string, string[]]> = [];
  for (const file of jsonIn(join(LOCALES_DIR, locale))) sources.push([`locales/${locale}/${file}`, strings(readJson(join(LOCALES_DIR, locale, file)))]);
  sources.push([`content/${locale}/guide.json`, strings(readJson(join(CONTENT_DIR, locale, 'guide.json')))]);
  for (const file of jsonIn(join(CONTENT_DIR, 'known-errors'))) {
    const entry = readJson(join(CONTENT_DIR, 'known-errors', file)) as {
      title: Record<Locale, string>;
      fix: Record<Locale, string[]>;
      links: Array<{ label: Record<Locale, string> }>;
    };
    sources.push([`content/known-errors/${file}`, [entry.title[locale], ...entry.fix[locale], ...entry.links.map((l) => l.label[locale])]]);
  }
  const teams = join(ROOT_DIR, 'teams');
  const teamsFiles = locale === 'nl-NL' ? ['nl-nl.json'] : ['en-us.json', 'manifest.template.json'];
  for (const file of teamsFiles) sources.push([`teams/${file}`, strings(readJson(join(teams, file)))]);
  if (locale === 'en-US') {
    const script = readFileSync(join(ROOT_DIR, 'scripts', 'teams-manifest.ts'), 'utf8');
    const literals = [...script.matchAll(/'([^'\n]*)'|"([^"\n]*)"|`([^`]*)`/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
    sources.push(['scripts/teams-manifest.ts', literals]);
  }
  return sources;
}

const glossary = readFileSync(join(CONTENT_DIR, 'GLOSSARY.md'), 'utf8');
const rejected = rejectedVariants(glossary);

describe('the glossary', () => {
  test('rejects the variants the issue named, in the language where they are wrong', () => {
    const names = (locale: Locale) => rejected[locale].map((v) => v.text);
    expect(names('nl-NL')).toEqual(
      expect.arrayContaining(['verzilver*', '*thuiscode*', '*activatie*', 'support', 'Microsoft-ondersteuning', 'betaalgegevens', 'opgezegd*', 'Mijn producten']),
    );
    expect(names('en-US')).toEqual(expect.arrayContaining(['recognis*', 'organisation*', 'support colleague*', 'tick']));
    // Issue 24.
    expect(names('nl-NL')).toEqual(expect.arrayContaining(['*thuisabonnement*', 'werkaccount']));
    expect(names('en-US')).toEqual(expect.arrayContaining(['work account', 'seller']));
  });

  test.each([
    ['nl-NL', 'Verzilver de code op setup.microsoft365.com.', ['verzilver*']],
    ['nl-NL', 'Activatiehulp voor Microsoft 365', ['*activatie*']],
    ['nl-NL', 'Neem contact op met [Microsoft-support](https://support.office.com/article/x).', ['support']],
    ['nl-NL', 'Het abonnement is opgezegd.', ['opgezegd*']],
    ['nl-NL', 'Wissel de code in via [Ondersteuning](https://support.office.com/article/x).', []],
    ['nl-NL', 'Een code voor thuisgebruik inwisselen bij de activering.', []],
    ['en-US', 'Your organisation has recognised it.', ['recognis*', 'organisation*']],
    ['en-US', 'Tick the license, then open the ticket.', ['tick']],
    ['en-US', 'A support colleague will help.', ['support colleague*']],
    ['en-US', 'Select the license, then contact Microsoft support.', []],
    ['en-US', 'Sign in to the apps with your work account.', ['work account']],
    ['en-US', 'Sign in with your work or school account, or ask the reseller.', []],
    ['en-US', 'Ask the seller for a new key.', ['seller']],
    ['nl-NL', 'Code voor een thuisabonnement, niet zakelijk', ['*thuisabonnement*']],
  ] as const)('in %s, "%s" breaks %j', (locale, text, expected) => {
    const broken = rejected[locale].filter((v) => violations([text], [v]).length > 0).map((v) => v.text);
    expect(broken).toEqual(expected);
  });
});

describe('one label per link', () => {
  test.each([
    [
      'one address, two labels (issue 24: linkid=842054)',
      [
        { where: 'guide.json', label: '**Billing > Subscriptions**', url: 'https://go.microsoft.com/fwlink/p/?linkid=842054' },
        { where: 'key-expired.json', label: 'Billing > Your products', url: 'https://go.microsoft.com/fwlink/p/?linkid=842054' },
      ],
      1,
    ],
    [
      'only the case differs',
      [
        { where: 'guide.json', label: 'your devices', url: 'https://myaccount.microsoft.com/device-list' },
        { where: 'account-problem.json', label: 'Your devices', url: 'https://myaccount.microsoft.com/device-list' },
      ],
      1,
    ],
    [
      'bold marks only',
      [
        { where: 'guide.json', label: '**Billing > Your products**', url: 'https://go.microsoft.com/fwlink/p/?linkid=842054' },
        { where: 'key-expired.json', label: 'Billing > Your products', url: 'https://go.microsoft.com/fwlink/p/?linkid=842054' },
      ],
      0,
    ],
  ] as const)('%s', (_name, links, expected) => {
    expect(urlsWithTwoLabels(links)).toHaveLength(expected);
  });

  test('finds the links inside sentences', () => {
    const links = markdownLinks('x', ['Go to [**Billing > Your products**](https://go.microsoft.com/fwlink/p/?linkid=842054), then [Your devices](https://myaccount.microsoft.com/device-list).']);
    expect(links.map((l) => [l.label, l.url])).toEqual([
      ['**Billing > Your products**', 'https://go.microsoft.com/fwlink/p/?linkid=842054'],
      ['Your devices', 'https://myaccount.microsoft.com/device-list'],
    ]);
  });

  test.each(LOCALES.map((l) => [l]))('in %s, every address shown carries one label', (locale: Locale) => {
    const links = shownLinks(locale);
    expect(links.length).toBeGreaterThan(40);
    expect(urlsWithTwoLabels(links)).toEqual([]);
  });
});

describe.each(LOCALES.map((l) => [l]))('text shown in %s', (locale: Locale) => {
  const sources = shownTexts(locale);

  test('covers the locales, the guide, the known errors, the web page and the Teams app', () => {
    const where = sources.map(([w]) => w);
    expect(where).toEqual(expect.arrayContaining([`locales/${locale}/webchat.json`, `content/${locale}/guide.json`, 'content/known-errors/key-expired.json']));
    expect(where.some((w) => w.startsWith('teams/'))).toBe(true);
    expect(sources.reduce((n, [, texts]) => n + texts.length, 0)).toBeGreaterThan(200);
  });

  test.each(sources.map(([where, texts]) => [where, texts] as const))('%s uses no rejected variant', (_where, texts) => {
    expect(violations(texts, rejected[locale])).toEqual([]);
  });
});
