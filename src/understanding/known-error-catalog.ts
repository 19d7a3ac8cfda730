import type { KnownErrorId, Locale, MatchResult } from '../../dialogs/types';
import { createErrorMatcher, loadKnowledgeBase, localisedEntry, type ErrorMatcher } from './known-errors';

/** What the renderer and the interpreter need from the knowledge base of known errors. */
export interface KnownErrorCatalog {
  match(text: string): MatchResult;
  /** Whether the text names a known error's code, as written or retyped one character off ("0xC004BI00"). */
  namesCode(text: string): boolean;
  has(id: KnownErrorId): boolean;
  title(id: KnownErrorId, locale: Locale): string;
  fix(id: KnownErrorId, locale: Locale): string[];
  /** Pages for further reading, shown after the fix. */
  links(id: KnownErrorId, locale: Locale): { label: string; url: string }[];
  /** Ids to offer as buttons when nothing matched, most frequent first. */
  common(): KnownErrorId[];
}


/** The knowledge base as the renderer and the interpreter see it. */
export function loadKnownErrorCatalog(matcher: ErrorMatcher = createErrorMatcher(loadKnowledgeBase())): KnownErrorCatalog {
  const entry = (id: KnownErrorId) => {
    const found = matcher.entry(id);
    if (!found) throw new Error(`unknown known-error id "${id}"`);
    return found;
  };
  return {
    match: (text) => matcher.match(text),
    namesCode: (text) => matcher.namesCode(text),
    has: (id) => matcher.entry(id) !== undefined,
    title: (id, locale: Locale) => localisedEntry(entry(id), locale).title,
    fix: (id, locale: Locale) => localisedEntry(entry(id), locale).fix,
    links: (id, locale: Locale) => entry(id).links.map((link) => ({ label: link.label[locale], url: link.url })),
    common: () => matcher.common().map((e) => e.id),
  };
}
