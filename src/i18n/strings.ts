import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import i18next, { type i18n } from 'i18next';
import type { Locale } from '../../dialogs/types';
import { LOCALES_DIR } from '../paths';
import { loadLanguages, type Languages } from './languages';

export type Resources = Record<Locale, Record<string, Record<string, unknown>>>;

/** Reads locales/<locale>/<namespace>.json for every language in the table. */
export function readLocaleFiles(dir = LOCALES_DIR, languages: Languages = loadLanguages()): Resources {
  const resources: Resources = {};
  for (const locale of languages.tags) {
    const folder = join(dir, locale);
    resources[locale] = Object.fromEntries(
      readdirSync(folder)
        .filter((f) => f.endsWith('.json'))
        .map((f) => [basename(f, '.json'), JSON.parse(readFileSync(join(folder, f), 'utf8'))]),
    );
  }
  return resources;
}

export interface Strings {
  /** The language table these strings were loaded for. */
  readonly languages: Languages;
  t(locale: Locale, key: string, vars?: Record<string, unknown>): string;
  has(locale: Locale, key: string): boolean;
  /** For pages that need a whole namespace at once (the web chat page). */
  namespace(locale: Locale, ns: string): Record<string, unknown>;
}

/** The strings of every language of CONTENT_DIR's table, from LOCALES_DIR: what the service answers with. */
export function loadStrings(contentDir: string, localesDir: string): Strings {
  const languages = loadLanguages(contentDir);
  return createStrings(languages, readLocaleFiles(localesDir, languages));
}

/**
 * One i18next instance for the process, initialised synchronously from files on disk so that a
 * broken or missing locale file stops the server at boot rather than mid-conversation.
 */
export function createStrings(languages: Languages = loadLanguages(), resources: Resources = readLocaleFiles(LOCALES_DIR, languages)): Strings {
  const fallback = languages.defaultTag;
  const namespaces = Object.keys(resources[fallback] ?? {});
  for (const locale of languages.tags) {
    const missing = namespaces.filter((ns) => !resources[locale]?.[ns]);
    if (missing.length) throw new Error(`locales/${locale} lacks ${missing.map((ns) => `${ns}.json`).join(', ')}`);
  }
  // i18next looks strings up under a tag's canonical spelling (BCP 47 capitalises a script:
  // "qps-ploc" is read as "qps-Ploc"), so the bundles are filed under it.
  const code = (locale: Locale) => Intl.getCanonicalLocales(locale)[0]!;
  const instance: i18n = i18next.createInstance();
  void instance.init({
    resources: Object.fromEntries(Object.entries(resources).map(([locale, bundle]) => [code(locale), bundle])),
    lng: code(fallback),
    fallbackLng: code(fallback),
    supportedLngs: languages.tags.map(code),
    ns: namespaces,
    defaultNS: 'common',
    initAsync: false,
    // Replies are Markdown, not HTML; escaping is done where HTML is produced (the agent console).
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  // Strings never change after boot, and a reply looks up a dozen of them: a string without
  // variables is resolved by i18next once, then served from here.
  const plain = new Map<string, string>();
  const known = new Map<string, boolean>();
  const once = <T>(cache: Map<string, T>, locale: Locale, key: string, resolve: () => T): T => {
    const id = `${locale}\u0000${key}`;
    let value = cache.get(id);
    if (value === undefined) cache.set(id, (value = resolve()));
    return value;
  };
  return {
    languages,
    t: (locale, key, vars) =>
      vars ? (instance.t(key, { lng: locale, ...vars }) as string) : once(plain, locale, key, () => instance.t(key, { lng: locale }) as string),
    has: (locale, key) => once(known, locale, key, () => instance.exists(key, { lng: locale, fallbackLng: false })),
    namespace: (locale, ns) => (instance.getResourceBundle(code(locale), ns) ?? {}) as Record<string, unknown>,
  };
}
