/**
 * GET /privacy and GET /terms: the pages the Teams manifest links to (developer.privacyUrl and
 * termsOfUseUrl, PUBLIC_URL/privacy and PUBLIC_URL/terms). Their text is locale data
 * (locales/<locale>/legal.json), one short Markdown text per page that an operator edits to
 * name their own contact; the retention period comes from STATE_TTL_DAYS, so the page cannot
 * promise something the store does not do.
 */
import { createHash } from 'node:crypto';
import MarkdownIt from 'markdown-it';
import type { Request, Response, Server } from 'restify';
import type { Locale } from '../../dialogs/types';
import { escapeHtml } from '../channels/webchat-page';
import { isLocaleIn } from '../i18n/languages';
import type { Strings } from '../i18n/strings';

export const LEGAL_PAGES = ['privacy', 'terms'] as const;
export type LegalPage = (typeof LEGAL_PAGES)[number];

export interface LegalPagesOptions {
  strings: Strings;
  /** STATE_TTL_DAYS: how long conversation state, transcripts and cases are kept; 0 = for ever. */
  stateTtlDays: number;
  /** Page order of the language links. Default: the language table's. */
  locales?: readonly Locale[];
  /** When neither ?lang= nor Accept-Language picks one. Default: the language table's. */
  defaultLocale?: Locale;
}

// Operators write this text: no raw HTML, and markdown-it's own link check (no javascript: URLs).
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });

const STYLE = `
body { margin: 0; background: #f5f5f5; color: #1b1b1b; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; line-height: 1.5; }
main { max-width: 42rem; margin: 0 auto; padding: 1.5rem 1rem 2rem; background: #fff; min-height: 100vh; box-sizing: border-box; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
a { color: #0f6cbd; }
a:focus-visible { outline: 2px solid #0f6cbd; outline-offset: 2px; }
nav ul { display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; list-style: none; margin: 2rem 0 0; padding: 1rem 0 0; border-top: 1px solid #d1d1d1; }
`;
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/** 30 → "30", 0.5 → "0.5": the figure as the operator wrote it in STATE_TTL_DAYS. */
function formatDays(days: number): number {
  return Number(days.toFixed(2));
}

export function renderLegalPage(page: LegalPage, locale: Locale, options: LegalPagesOptions): string {
  const { strings } = options;
  const locales = options.locales ?? strings.languages.tags;
  const t = (key: string, vars?: Record<string, unknown>) => strings.t(locale, `legal:${key}`, vars);
  const retention = options.stateTtlDays > 0 ? t('retention', { count: formatDays(options.stateTtlDays) }) : t('retentionForever');
  const body = markdown.render(t(`${page}.text`, { retention }));
  const other = LEGAL_PAGES.find((p) => p !== page)!;
  const links = [
    `<li><a href="/${other}?lang=${locale}">${escapeHtml(t(`${other}.title`))}</a></li>`,
    ...locales
      .filter((l) => l !== locale)
      .map((l) => `<li><a href="/${page}?lang=${l}" lang="${l}" hreflang="${l}">${escapeHtml(strings.languages.name(l, l))}</a></li>`),
  ];
  return `<!DOCTYPE html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t(`${page}.title`))} · ${escapeHtml(t('botName'))}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(t(`${page}.title`))}</h1>
${body}
<nav aria-label="${escapeHtml(t('navLabel'))}"><ul>${links.join('')}</ul></nav>
</main>
</body>
</html>
`;
}

export function registerLegalPages(server: Server, options: LegalPagesOptions): void {
  const { languages } = options.strings;
  const locales = options.locales ?? languages.tags;
  const fallback = options.defaultLocale ?? languages.defaultTag;
  // Rendered once per page and language: the text and the TTL are fixed at boot.
  const cache = new Map<string, string>();
  for (const page of LEGAL_PAGES) {
    server.get(`/${page}`, (req: Request, res: Response, next: (err?: unknown) => void) => {
      const lang = ((req.query ?? {}) as Record<string, unknown>).lang;
      const locale = isLocaleIn(lang, locales) ? lang : languages.negotiate(req.header('accept-language'), locales, fallback);
      const id = `${page}|${locale}`;
      let html = cache.get(id);
      if (html === undefined) cache.set(id, (html = renderLegalPage(page, locale, { ...options, locales })));
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(html)),
        'Content-Language': locale,
        'Cache-Control': 'public, max-age=3600',
        Vary: 'Accept-Language',
        'Content-Security-Policy': `default-src 'none'; style-src ${STYLE_HASH}; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      });
      res.end(html);
      next();
    });
  }
}
