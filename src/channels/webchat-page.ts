/**
 * The Web Chat page at GET /, its static assets under /webchat/, and (with Azure Direct Line) the
 * server-side token exchange, so the Direct Line secret never reaches a browser.
 *
 * Nothing is loaded from the web: Web Chat comes from node_modules/botframework-webchat/dist, and
 * a Content-Security-Policy holds the page to that.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Next, Request, Response, Server } from 'restify';
import type { Locale } from '../../dialogs/types';
import { isLocaleIn, type Languages } from '../i18n/languages';
import { lazyStaticAsset, sendStaticAsset, type StaticAsset } from '../web/static-asset';
import type { ChannelLogger } from './directline';

/** Keys every `locales/<locale>/webchat.json` must define. */
export const WEBCHAT_STRING_KEYS = [
  'pageTitle',
  'heading',
  'intro',
  'languageLabel',
  'restartButton',
  'chatLabel',
  'inputPlaceholder',
  'connecting',
  'connectFailed',
  'conversationEnded',
  'noScript',
] as const;
export type WebChatStringKey = (typeof WEBCHAT_STRING_KEYS)[number];

export interface WebChatPageOptions {
  /** Visible strings for a locale (i18next namespace `webchat`). Called per request. */
  strings: (locale: Locale) => Record<string, string>;
  /** 'local': the page talks to the in-process Direct Line; 'azure': to Azure Direct Line via a server-made token. */
  tokenMode: 'local' | 'azure';
  /** The language table: the picker's languages, in its order, named in themselves; Web Chat's own locale for each. */
  languages: Languages;
  /** Used when neither the query, the stored choice nor Accept-Language picks a locale. Default: the table's. */
  defaultLocale?: Locale;
  /** The picker's languages, a subset of the table's. Default: all of them. */
  locales?: readonly Locale[];
  /** Required in azure mode (DIRECTLINE_SECRET). */
  directLineSecret?: string;
  /** Azure Direct Line base URL (DIRECTLINE_ENDPOINT). Default https://directline.botframework.com */
  directLineEndpoint?: string;
  /** Budget for the token request to Azure. Default 10 s. */
  tokenTimeoutMs?: number;
  logger?: ChannelLogger;
}

const DEFAULT_ENDPOINT = 'https://directline.botframework.com';
const LOCAL_DIRECTLINE_PATH = '/v3/directline';
const AZURE_TOKEN_ROUTE = '/api/directline/token';
const LOCAL_TOKEN_ROUTE = `${LOCAL_DIRECTLINE_PATH}/tokens/generate`;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);


// ---- escaping ---------------------------------------------------------------------------------

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside <script type="application/json">: no "</script>", no "<!--". */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

// ---- static assets ----------------------------------------------------------------------------

interface Asset {
  file: string;
  contentType: string;
  /** Query string that changes when the file does, so long-lived caching is safe. */
  version: string;
  cacheControl: string;
  /** The file, read and compressed on the first request. */
  load: () => Promise<StaticAsset>;
}

function webChatDist(): string {
  // The package's "exports" hide package.json, so go from its main entry (lib/index.js).
  const dist = path.resolve(path.dirname(require.resolve('botframework-webchat')), '..', 'dist');
  if (!existsSync(path.join(dist, 'webchat.js'))) {
    throw new Error(`registerWebChatPage: ${dist}/webchat.js not found; is botframework-webchat installed?`);
  }
  return dist;
}

/** Our own page assets ship as source files; when running from dist/ they are still in src/. */
function ownAsset(name: string): string {
  const candidates = [path.join(__dirname, name), path.resolve(__dirname, '..', '..', '..', 'src', 'channels', name)];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`registerWebChatPage: ${name} not found (looked in ${candidates.join(', ')})`);
  return found;
}

function fileVersion(file: string): string {
  const stat = statSync(file);
  return `${stat.size.toString(36)}${Math.floor(stat.mtimeMs).toString(36)}`;
}

function asset(file: string, contentType: string, cacheControl: string): Asset {
  return { file, contentType, version: fileVersion(file), cacheControl, load: lazyStaticAsset(file) };
}


// ---- the page ---------------------------------------------------------------------------------

interface PageConfig {
  locales: readonly Locale[];
  defaultLocale: Locale;
  /** Locale the server rendered in (Accept-Language); the visitor's stored choice wins over it. */
  initialLocale: Locale;
  /** Set when the URL asked for a locale (?lang=), which wins over the stored choice. */
  requestedLocale: Locale | null;
  /** Each language's name in itself: the picker's labels, which do not change with the page's language. */
  names: Record<Locale, string>;
  /** The locale Web Chat gets for its own texts, per language (the table's `webChat`). */
  webChatLocales: Record<Locale, string>;
  strings: Record<string, Record<string, string>>;
  tokenUrl: string;
  /** Absolute, or a path on this origin. */
  directLineDomain: string | null;
  webSocket: boolean;
}

function renderPage(config: PageConfig, assets: { webchat: Asset; client: Asset; css: Asset }): string {
  const locale = config.initialLocale;
  const s = (key: WebChatStringKey) => escapeHtml(config.strings[locale][key]);
  const options = config.locales
    .map((l) => `<option value="${l}" lang="${l}"${l === locale ? ' selected' : ''}>${escapeHtml(config.names[l] ?? l)}</option>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title data-i18n="pageTitle">${s('pageTitle')}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/webchat/page.css?v=${assets.css.version}">
<script id="webchat-config" type="application/json">${jsonForScript(config)}</script>
<script defer src="/webchat/webchat.js?v=${assets.webchat.version}"></script>
<script defer src="/webchat/client.js?v=${assets.client.version}"></script>
</head>
<body>
<div class="page">
<header class="page-header">
<div class="page-heading">
<h1 data-i18n="heading">${s('heading')}</h1>
<p class="intro" data-i18n="intro">${s('intro')}</p>
</div>
<div class="controls">
<label for="language" data-i18n="languageLabel">${s('languageLabel')}</label>
<select id="language" name="language">${options}</select>
<button type="button" id="restart" data-i18n="restartButton">${s('restartButton')}</button>
</div>
</header>
<main class="chat" id="chat" aria-label="${s('chatLabel')}" data-i18n-aria-label="chatLabel">
<p class="status" id="status" role="status" aria-live="polite" data-i18n="connecting">${s('connecting')}</p>
<noscript><p class="status" data-i18n="noScript">${s('noScript')}</p></noscript>
</main>
</div>
</body>
</html>
`;
}

function contentSecurityPolicy(directLineOrigin: string | null): string {
  const connect = ["'self'"];
  if (directLineOrigin) connect.push(directLineOrigin, directLineOrigin.replace(/^http/, 'ws'));
  return [
    "default-src 'none'",
    "script-src 'self'",
    // Web Chat injects its styles at run time (emotion).
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' data: blob:",
    `connect-src ${connect.join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/** Validates DIRECTLINE_ENDPOINT: the secret must only ever travel over TLS (or stay on this machine). */
function parseEndpoint(raw: string | undefined): URL {
  let url: URL;
  try {
    url = new URL(raw || DEFAULT_ENDPOINT);
  } catch {
    throw new Error(`registerWebChatPage: directLineEndpoint is not a URL: ${raw}`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new Error('registerWebChatPage: directLineEndpoint must use https (http is allowed for loopback only)');
  }
  // Accept the endpoint with or without the /v3/directline suffix.
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/v3\/directline$/, '');
  url.search = '';
  url.hash = '';
  return url;
}

export function registerWebChatPage(server: Server, options: WebChatPageOptions): void {
  const { languages } = options;
  const locales = options.locales ?? languages.tags;
  const defaultLocale = options.defaultLocale ?? languages.defaultTag;
  if (!locales.includes(defaultLocale)) {
    throw new Error(`registerWebChatPage: defaultLocale ${defaultLocale} is not one of ${locales.join(', ')}`);
  }
  const names = Object.fromEntries(locales.map((l) => [l, languages.name(l, l)]));
  const webChatLocales = Object.fromEntries(locales.map((l) => [l, languages.row(l).webChat]));
  const logger = options.logger;
  const azure = options.tokenMode === 'azure';
  if (azure && !options.directLineSecret) throw new Error('registerWebChatPage: tokenMode "azure" needs directLineSecret');
  const endpoint = azure ? parseEndpoint(options.directLineEndpoint) : null;
  const endpointBase = endpoint ? `${endpoint.origin}${endpoint.pathname.replace(/\/+$/, '')}` : null;

  const dist = webChatDist();
  const assets = {
    // webchat.js (not -es5): current browsers only, and a smaller, faster bundle.
    webchat: asset(path.join(dist, 'webchat.js'), 'text/javascript; charset=utf-8', 'public, max-age=604800, immutable'),
    client: asset(ownAsset('webchat-client.js'), 'text/javascript; charset=utf-8', 'no-cache'),
    css: asset(ownAsset('webchat-page.css'), 'text/css; charset=utf-8', 'no-cache'),
  };
  const warned = new Set<string>();

  function stringsFor(locale: Locale): Record<WebChatStringKey, string> {
    let provided: Record<string, string> = {};
    try {
      provided = options.strings(locale) ?? {};
    } catch (err) {
      logger?.error({ err, locale }, 'web chat page: strings() failed');
    }
    const result = {} as Record<WebChatStringKey, string>;
    for (const key of WEBCHAT_STRING_KEYS) {
      const value = provided[key];
      if (typeof value === 'string' && value !== '') {
        result[key] = value;
        continue;
      }
      if (!warned.has(`${locale}:${key}`)) {
        warned.add(`${locale}:${key}`);
        logger?.warn({ locale, key }, 'web chat page: missing string');
      }
      result[key] = key;
    }
    return result;
  }

  function page(req: Request, res: Response, next: Next): void {
    const query = (req.query ?? {}) as Record<string, unknown>;
    const requestedLocale = isLocaleIn(query.lang, locales) ? query.lang : null;
    const initialLocale = requestedLocale ?? languages.negotiate(req.header('accept-language'), locales, defaultLocale);
    const strings: Record<string, Record<string, string>> = {};
    for (const locale of locales) strings[locale] = stringsFor(locale);
    const config: PageConfig = {
      locales,
      defaultLocale,
      initialLocale,
      requestedLocale,
      names,
      webChatLocales,
      strings,
      tokenUrl: azure ? AZURE_TOKEN_ROUTE : LOCAL_TOKEN_ROUTE,
      directLineDomain: endpointBase ? `${endpointBase}/v3/directline` : LOCAL_DIRECTLINE_PATH,
      // Both stream over a WebSocket (the local one's streamUrl is on this origin: CSP 'self').
      webSocket: true,
    };
    const html = renderPage(config, assets);
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(html)),
      'Cache-Control': 'no-store',
      'Content-Security-Policy': contentSecurityPolicy(endpoint ? endpoint.origin : null),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      Vary: 'Accept-Language',
    });
    res.end(html);
    next();
  }

  function serve(asset: Asset) {
    return (req: Request, res: Response, next: Next): void => {
      asset.load().then(
        (file) => {
          sendStaticAsset(req, res, file, { contentType: asset.contentType, cacheControl: asset.cacheControl, vary: 'Accept-Encoding' });
          next();
        },
        (err: unknown) => {
          logger?.error({ err, file: asset.file }, 'web chat page: asset unreadable');
          res.send(500, { error: { code: 'ServiceError', message: 'Asset unavailable' } });
          next();
        },
      );
    };
  }

  async function exchangeToken(): Promise<{ status: number; body: unknown }> {
    const url = `${endpointBase}/v3/directline/tokens/generate`;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${options.directLineSecret}`, 'Content-Type': 'application/json' },
        // A server-chosen "dl_" user id is bound into the token, so a browser cannot pose as another user.
        body: JSON.stringify({ user: { id: `dl_${randomBytes(12).toString('hex')}` } }),
        signal: AbortSignal.timeout(options.tokenTimeoutMs ?? 10_000),
        redirect: 'error',
      });
      const body: unknown = await response.json().catch(() => undefined);
      const token = (body as { token?: unknown } | undefined)?.token;
      if (!response.ok || typeof token !== 'string' || token === '') {
        logger?.warn({ status: response.status }, 'web chat page: Direct Line token request was refused');
        return { status: 502, body: { error: { code: 'TokenUnavailable', message: 'Could not get a Direct Line token' } } };
      }
      const expiresIn = (body as { expires_in?: unknown }).expires_in;
      return { status: 200, body: { token, ...(typeof expiresIn === 'number' ? { expires_in: expiresIn } : {}) } };
    } catch (err) {
      // The error can carry the request (and its Authorization header); log only its kind.
      logger?.warn({ error: err instanceof Error ? err.name : 'unknown' }, 'web chat page: Direct Line token request failed');
      return { status: 502, body: { error: { code: 'TokenUnavailable', message: 'Could not get a Direct Line token' } } };
    }
  }

  function token(_req: Request, res: Response, next: Next): void {
    void exchangeToken().then(({ status, body }) => {
      res.send(status, body, { 'Cache-Control': 'no-store' });
      next();
    });
  }

  server.get('/', page);
  server.get('/webchat/webchat.js', serve(assets.webchat));
  server.get('/webchat/client.js', serve(assets.client));
  server.get('/webchat/page.css', serve(assets.css));
  if (azure) server.post(AZURE_TOKEN_ROUTE, token);
}
