/**
 * /privacy and /terms, the pages the Teams manifest links to: both answer 200 in both languages,
 * say how long conversations are kept (STATE_TTL_DAYS) and that product keys are never stored,
 * and are served by the real app. Expected texts come from locales/, never from here.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import restify from 'restify';
import { registerLegalPages } from '../../src/http/legal-pages';
import { createStrings } from '../../src/i18n/strings';
import { startHarness, type Harness } from '../support/bot-harness';

type Locale = 'nl-NL' | 'en-US';
const legal = (locale: Locale) =>
  JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'locales', locale, 'legal.json'), 'utf8')) as {
    privacy: { title: string };
    terms: { title: string };
    retention_other: string;
    retentionForever: string;
  };
/** Text of an HTML page, tags dropped and entities of our escaper undone. */
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/\s+/g, ' ');

async function serve(stateTtlDays: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = restify.createServer();
  server.use(restify.plugins.queryParser({ mapParams: false }));
  registerLegalPages(server, { strings: createStrings(), stateTtlDays });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('privacy and terms pages', () => {
  let site: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    site = await serve(30);
  });
  afterAll(() => site.close());

  test.each([
    ['privacy', 'en-US'],
    ['privacy', 'nl-NL'],
    ['terms', 'en-US'],
    ['terms', 'nl-NL'],
  ] as const)('/%s in %s answers 200 with its title, the language and the 30-day retention', async (page, locale) => {
    const res = await fetch(`${site.url}/${page}?lang=${locale}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-language')).toBe(locale);
    const html = await res.text();
    expect(html).toContain(`<html lang="${locale}">`);
    const text = textOf(html);
    expect(text).toContain(legal(locale)[page].title);
    expect(text).toContain(legal(locale).retention_other.replace('{{count}}', '30'));
    // Links to the other page and to the page in the other language.
    const other = page === 'privacy' ? 'terms' : 'privacy';
    expect(html).toContain(`href="/${other}?lang=${locale}"`);
    expect(html).toContain(`href="/${page}?lang=${locale === 'nl-NL' ? 'en-US' : 'nl-NL'}"`);
  });

  test('the privacy page says what is kept and that product keys are never stored, in both languages', async () => {
    const en = textOf(await (await fetch(`${site.url}/privacy?lang=en-US`)).text());
    const nl = textOf(await (await fetch(`${site.url}/privacy?lang=nl-NL`)).text());
    expect(en).toMatch(/transcript/i);
    expect(en).toContain('Product keys are never stored.');
    expect(nl).toContain('Productcodes worden nooit bewaard.');
    expect(en).toContain('XXXXX-XXXXX-XXXXX-XXXXX-XXXXX');
    expect(en).toMatch(/contact/i);
    expect(nl).toMatch(/contact/i);
  });

  test('without ?lang= the language follows Accept-Language, and English is the fallback', async () => {
    const dutch = await fetch(`${site.url}/terms`, { headers: { 'Accept-Language': 'nl-BE,nl;q=0.9' } });
    expect(await dutch.text()).toContain('<html lang="nl-NL">');
    expect(dutch.headers.get('vary')).toContain('Accept-Language');
    const other = await fetch(`${site.url}/terms`, { headers: { 'Accept-Language': 'fr-FR' } });
    expect(await other.text()).toContain('<html lang="en-US">');
    const bogus = await fetch(`${site.url}/terms?lang=<script>`);
    expect(bogus.status).toBe(200);
    expect(await bogus.text()).not.toContain('<script>');
  });

  test('a strict Content-Security-Policy that allows exactly the page\'s own style', async () => {
    const res = await fetch(`${site.url}/privacy`);
    const html = await res.text();
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const hash = createHash('sha256').update(style).digest('base64');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`style-src 'sha256-${hash}'`);
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    expect(html).not.toMatch(/<script/i);
  });

  test('another STATE_TTL_DAYS shows its own figure; 0 says there is no retention period', async () => {
    const week = await serve(7);
    const forever = await serve(0);
    try {
      expect(textOf(await (await fetch(`${week.url}/privacy?lang=nl-NL`)).text())).toContain(legal('nl-NL').retention_other.replace('{{count}}', '7'));
      const text = textOf(await (await fetch(`${forever.url}/privacy?lang=en-US`)).text());
      expect(text).toContain(legal('en-US').retentionForever);
      expect(text).not.toContain(legal('en-US').retention_other.replace('{{count}}', '0'));
    } finally {
      await week.close();
      await forever.close();
    }
  });
});

describe('the app serves them (the Teams manifest links to PUBLIC_URL/privacy and /terms)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { STATE_TTL_DAYS: '12' } });
  });
  afterAll(() => h?.close());

  test.each(['privacy', 'terms'])('/%s answers 200 in both languages with the configured 12 days', async (page) => {
    for (const locale of ['en-US', 'nl-NL'] as const) {
      const res = await fetch(`${h.url}/${page}?lang=${locale}`);
      expect(res.status).toBe(200);
      expect(textOf(await res.text())).toContain(legal(locale).retention_other.replace('{{count}}', '12'));
    }
  });
});
