import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import en from '../../locales/en-US/webchat.json';
import nl from '../../locales/nl-NL/webchat.json';
import type { Locale } from '../../dialogs/types';
import { registerWebChatPage, WEBCHAT_STRING_KEYS, type WebChatPageOptions } from '../../src/channels/webchat-page';
import { loadLanguages, negotiateLocale } from '../../src/i18n/languages';

const languages = loadLanguages();
import { startServer, type TestServer } from './support/server';

const realStrings = (locale: Locale): Record<string, string> => (locale === 'nl-NL' ? nl : en);

/** A raw request, so the path reaches the server exactly as written (fetch would normalise "..") */
function rawGet(origin: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: hostname, port, path, method: 'GET', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end();
  });
}

function configOf(html: string): any {
  const match = /<script id="webchat-config" type="application\/json">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('no config blob');
  return JSON.parse(match[1]);
}

function urlsIn(text: string): string[] {
  return text.match(/(?:https?|wss?):\/\/[^\s"'<>)\\]+/g) ?? [];
}

describe('Web Chat page', () => {
  let server: TestServer;

  async function start(options: Partial<WebChatPageOptions> = {}): Promise<TestServer> {
    server = await startServer((s) => registerWebChatPage(s, { strings: realStrings, languages, tokenMode: 'local', defaultLocale: 'nl-NL', ...options }));
    return server;
  }

  afterEach(async () => {
    await server?.close();
  });

  describe('strings', () => {
    it('locales/*/webchat.json define exactly the keys the page uses, in both languages', () => {
      const expected = [...WEBCHAT_STRING_KEYS].sort();
      expect(Object.keys(en).sort()).toEqual(expected);
      expect(Object.keys(nl).sort()).toEqual(expected);
      for (const value of [...Object.values(en), ...Object.values(nl)]) {
        expect(typeof value).toBe('string');
        expect(value.trim()).not.toBe('');
      }
    });

    it('negotiates the initial locale from Accept-Language', () => {
      const locales = ['nl-NL', 'en-US'] as const;
      expect(negotiateLocale(undefined, locales, 'nl-NL')).toBe('nl-NL');
      expect(negotiateLocale('en-GB,en;q=0.9', locales, 'nl-NL')).toBe('en-US');
      expect(negotiateLocale('nl-BE', locales, 'en-US')).toBe('nl-NL');
      expect(negotiateLocale('de-DE,en;q=0.5,nl;q=0.8', locales, 'en-US')).toBe('nl-NL');
      expect(negotiateLocale('fr;q=1, *;q=0.1', locales, 'en-US')).toBe('en-US');
      expect(negotiateLocale('en;q=0', locales, 'nl-NL')).toBe('nl-NL');
    });
  });

  describe('local mode', () => {
    it('renders the page in the negotiated language, with both languages injected for the picker', async () => {
      await start();
      const dutch = await fetch(`${server.origin}/`, { headers: { 'accept-language': 'nl-NL,nl;q=0.9' } });
      expect(dutch.status).toBe(200);
      expect(dutch.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await dutch.text();
      expect(html).toContain('<html lang="nl-NL">');
      expect(html).toContain(`<title data-i18n="pageTitle">${nl.pageTitle}</title>`);
      expect(html).toContain(`<label for="language" data-i18n="languageLabel">${nl.languageLabel}</label>`);
      expect(html).toContain('>Nederlands</option>');
      expect(html).toContain('>English</option>');
      expect(html).toContain(`aria-label="${nl.chatLabel}"`);

      const config = configOf(html);
      expect(config).toMatchObject({
        locales: ['nl-NL', 'en-US'],
        defaultLocale: 'nl-NL',
        initialLocale: 'nl-NL',
        requestedLocale: null,
        strings: { 'nl-NL': nl, 'en-US': en },
        tokenUrl: '/v3/directline/tokens/generate',
        directLineDomain: '/v3/directline',
        webSocket: true,
      });

      const english = await (await fetch(`${server.origin}/?lang=en-US`, { headers: { 'accept-language': 'nl-NL' } })).text();
      expect(english).toContain('<html lang="en-US">');
      expect(english).toContain(`<h1 data-i18n="heading">${en.heading}</h1>`);
      expect(configOf(english).requestedLocale).toBe('en-US');
    });

    it('references nothing outside its own origin, and says so in its Content-Security-Policy', async () => {
      await start();
      const response = await fetch(`${server.origin}/`);
      const html = await response.text();
      expect(urlsIn(html).filter((url) => !url.startsWith(server.origin))).toEqual([]);
      // Every asset is a same-origin path.
      for (const [, src] of html.matchAll(/(?:src|href)="([^"]+)"/g)) expect(src).toMatch(/^(\/webchat\/|data:)/);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self';");
      expect(urlsIn(csp)).toEqual([]);
    });

    it('escapes injected strings for HTML and for the JSON blob', async () => {
      const hostile = '</script><script>alert("x")</script> & <b>"quoted"</b> \u2028';
      const strings = (locale: Locale) => ({ ...realStrings(locale), pageTitle: hostile, heading: hostile, chatLabel: hostile });
      await start({ strings });
      const html = await (await fetch(`${server.origin}/`)).text();
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<b>');
      expect(html).toContain('&#60;/script&#62;&#60;script&#62;alert(&#34;x&#34;)');
      expect(html.match(/<\/script>/g)).toHaveLength(3); // config blob + two script tags
      expect(configOf(html).strings['en-US'].pageTitle).toBe(hostile);
    });

    it('falls back to the key name (and warns) when a string is missing', async () => {
      const warnings: object[] = [];
      const logger = { info: () => undefined, warn: (obj: object) => warnings.push(obj), error: () => undefined };
      await start({ strings: () => ({}), logger });
      const html = await (await fetch(`${server.origin}/`)).text();
      expect(html).toContain('<h1 data-i18n="heading">heading</h1>');
      expect(warnings).toContainEqual({ locale: 'nl-NL', key: 'heading' });
    });

    it('serves the Web Chat bundle from node_modules with a JavaScript content type, cacheable and compressed', async () => {
      await start();
      const html = await (await fetch(`${server.origin}/`)).text();
      const src = /<script defer src="(\/webchat\/webchat\.js\?v=[^"]+)"/.exec(html)![1];

      const plain = await rawGet(server.origin, src);
      expect(plain.status).toBe(200);
      expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(plain.headers['x-content-type-options']).toBe('nosniff');
      expect(plain.body.toString('utf8', 0, 200)).toContain('For license information please see webchat.js.LICENSE.txt');
      expect(plain.body.toString('utf8')).toContain('renderWebChat');

      const gzipped = await rawGet(server.origin, src, { 'accept-encoding': 'gzip' });
      expect(gzipped.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzipped.body).equals(plain.body)).toBe(true);

      const revalidated = await rawGet(server.origin, src, { 'if-none-match': String(plain.headers.etag) });
      expect(revalidated.status).toBe(304);
      expect(revalidated.body.length).toBe(0);
    });

    it('serves its own client script and stylesheet', async () => {
      await start();
      const client = await rawGet(server.origin, '/webchat/client.js');
      expect(client.status).toBe(200);
      expect(client.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(client.body.toString()).toContain('renderWebChat');
      const css = await rawGet(server.origin, '/webchat/page.css');
      expect(css.status).toBe(200);
      expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    });

    it.each([
      '/webchat/../../package.json',
      '/webchat/..%2F..%2Fpackage.json',
      '/webchat/%2e%2e/%2e%2e/package.json',
      '/webchat/%2e%2e%2f%2e%2e%2fpackage.json',
      '/webchat/%252e%252e%252fpackage.json',
      '/webchat/..%5C..%5Cpackage.json',
      '/webchat/webchat.js/../../../package.json',
      '/webchat/webchat.js%2F..%2F..%2F..%2Fpackage.json',
      '/webchat/webchat.js.LICENSE.txt',
      '/webchat/',
      '/webchat/webchat-client.js',
    ])('refuses %s', async (path) => {
      await start();
      const response = await rawGet(server.origin, path);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      const text = response.body.toString();
      expect(text).not.toContain('devDependencies');
      expect(text).not.toContain('"name": "activation-guide"');
    });

    it('does not offer the Azure token exchange', async () => {
      await start();
      const response = await fetch(`${server.origin}/api/directline/token`, { method: 'POST' });
      expect(response.status).toBe(404);
    });
  });

  describe('azure mode', () => {
    const SECRET = 'directline-secret-that-must-stay-on-the-server';
    let tokenEndpoint: http.Server;
    let endpoint: string;
    let seen: Array<{ method?: string; url?: string; authorization?: string; body: string }>;
    let answer: { status: number; body: unknown };

    beforeEach(async () => {
      seen = [];
      answer = { status: 200, body: { conversationId: 'conv-from-azure', token: 'token-from-fake-azure', expires_in: 3600 } };
      tokenEndpoint = http.createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(answer.body));
        });
      });
      await new Promise<void>((resolve) => tokenEndpoint.listen(0, '127.0.0.1', () => resolve()));
      endpoint = `http://127.0.0.1:${(tokenEndpoint.address() as AddressInfo).port}`;
    });

    afterEach(async () => {
      tokenEndpoint.closeAllConnections();
      await new Promise<void>((resolve) => tokenEndpoint.close(() => resolve()));
    });

    const azure = () => start({ tokenMode: 'azure', directLineSecret: SECRET, directLineEndpoint: endpoint });

    it('trades the secret for a token on the server and returns only the token', async () => {
      await azure();
      const response = await fetch(`${server.origin}/api/directline/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(JSON.parse(text)).toEqual({ token: 'token-from-fake-azure', expires_in: 3600 });
      expect(text).not.toContain(SECRET);

      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ method: 'POST', url: '/v3/directline/tokens/generate', authorization: `Bearer ${SECRET}` });
      expect(JSON.parse(seen[0].body).user.id).toMatch(/^dl_[0-9a-f]{24}$/);
    });

    it('keeps the secret out of the page and points Web Chat at the Direct Line endpoint', async () => {
      await azure();
      const response = await fetch(`${server.origin}/`);
      const html = await response.text();
      expect(html).not.toContain(SECRET);
      expect(configOf(html)).toMatchObject({ tokenUrl: '/api/directline/token', directLineDomain: `${endpoint}/v3/directline`, webSocket: true });
      expect(urlsIn(html).filter((url) => !url.startsWith(server.origin) && !url.startsWith(endpoint))).toEqual([]);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain(`connect-src 'self' ${endpoint} ${endpoint.replace('http', 'ws')}`);
    });

    it('answers 502 without details when the token endpoint refuses', async () => {
      answer = { status: 403, body: { error: { code: 'Forbidden', message: `bad secret ${SECRET}` } } };
      const warnings: object[] = [];
      await start({
        tokenMode: 'azure',
        directLineSecret: SECRET,
        directLineEndpoint: `${endpoint}/v3/directline/`,
        logger: { info: () => undefined, warn: (obj: object) => warnings.push(obj), error: () => undefined },
      });
      const response = await fetch(`${server.origin}/api/directline/token`, { method: 'POST' });
      const text = await response.text();
      expect(response.status).toBe(502);
      expect(JSON.parse(text)).toEqual({ error: { code: 'TokenUnavailable', message: expect.any(String) } });
      expect(text).not.toContain(SECRET);
      expect(JSON.stringify(warnings)).not.toContain(SECRET);
      expect(seen[0].url).toBe('/v3/directline/tokens/generate');
    });

    it('answers 502 when the token endpoint is unreachable', async () => {
      tokenEndpoint.closeAllConnections();
      await new Promise<void>((resolve) => tokenEndpoint.close(() => resolve()));
      tokenEndpoint = http.createServer();
      await new Promise<void>((resolve) => tokenEndpoint.listen(0, '127.0.0.1', () => resolve()));
      await azure(); // `endpoint` still names the closed port
      const response = await fetch(`${server.origin}/api/directline/token`, { method: 'POST' });
      expect(response.status).toBe(502);
    });

    it('refuses to start without a secret, or with a plain-http endpoint off this machine', async () => {
      const register = (options: Partial<WebChatPageOptions>) => () =>
        startServer((s) => registerWebChatPage(s, { strings: realStrings, languages, tokenMode: 'azure', defaultLocale: 'nl-NL', ...options }));
      await expect(register({})()).rejects.toThrow(/directLineSecret/);
      await expect(register({ directLineSecret: SECRET, directLineEndpoint: 'http://directline.example.invalid' })()).rejects.toThrow(/https/);
      await expect(register({ directLineSecret: SECRET, directLineEndpoint: 'not a url' })()).rejects.toThrow(/not a URL/);
    });
  });
});
