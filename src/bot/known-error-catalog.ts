import type { KnownErrorId, Locale } from '../../dialogs/types';
import { createErrorMatcher, loadKnowledgeBase, localisedEntry, type ErrorMatcher } from '../matching/known-errors';
import type { KnownErrorCatalog } from './render';

/** The knowledge base as the renderer and the interpreter see it. */
export function loadKnownErrorCatalog(matcher: ErrorMatcher = createErrorMatcher(loadKnowledgeBase())): KnownErrorCatalog {
  const entry = (id: KnownErrorId) => {
    const found = matcher.entry(id);
    if (!found) throw new Error(`unknown known-error id "${id}"`);
    return found;
  };
  return {
    match: (text) => matcher.match(text),
    has: (id) => matcher.entry(id) !== undefined,
    title: (id, locale: Locale) => localisedEntry(entry(id), locale).title,
    fix: (id, locale: Locale) => localisedEntry(entry(id), locale).fix,
    links: (id, locale: Locale) => entry(id).links.map((link) => ({ label: link.label[locale], url: link.url })),
    common: () => matcher.common().map((e) => e.id),
  };
}
