/**
 * Headless Chromium for the browser tests: Debian's `chromium` package driven by playwright-core
 * (no browser download). `npm test` (scripts/test.sh) installs the package when it is missing.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Where tests leave screenshots and reports (git-ignored). */
export const ARTIFACTS_DIR = path.resolve(__dirname, '..', 'artifacts');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} not found: the browser tests need Debian's chromium package. ` +
        'Run `npm test`, which installs it (or `apt-get install chromium` as root).',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** Absolute path for an artifact file, creating test/artifacts/ if needed. */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}

const traces = new WeakMap<Page, () => string>();

/** What a page made by `loopbackPage` and the Direct Line said to each other, for a failure message. */
export function directLineTrace(page: Page): string {
  return traces.get(page)?.() ?? '(no trace: not a loopbackPage)';
}

/**
 * A page that may only reach 127.0.0.1: any other request is aborted and reported in `problems`,
 * as are uncaught page errors and console errors (Content-Security-Policy violations among them).
 */
export async function loopbackPage(
  browser: Browser,
  options: BrowserContextOptions,
  problems: string[],
  timeoutMs: number,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(options);
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    problems.push(`off-machine request: ${url.href}`);
    return route.abort();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(timeoutMs);
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  traces.set(page, traceDirectLine(page));
  return { context, page };
}

/** One socket frame or poll answer in a line: its watermark and, per activity, who sent what. */
function activitySummary(body: string): string {
  try {
    const set = JSON.parse(body) as { watermark?: string; activities?: { type?: string; from?: { role?: string }; text?: string; value?: unknown }[] };
    if (!Array.isArray(set.activities)) return body.slice(0, 80);
    const each = set.activities.map((a) => `${a.from?.role ?? '?'} ${a.type ?? '?'} ${JSON.stringify((a.text ?? JSON.stringify(a.value ?? '')).slice(0, 40))}`);
    return `watermark ${set.watermark} [${each.join('; ')}]`;
  } catch {
    return body.slice(0, 80);
  }
}

/**
 * What the page and the Direct Line said to each other (requests, answers, socket frames), newest
 * last, for the message of a test that waited in vain for a reply. Query strings (tokens) are left out.
 */
function traceDirectLine(page: Page, keep = 80): () => string {
  const lines: string[] = [];
  const add = (line: string) => {
    lines.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
    if (lines.length > keep) lines.shift();
  };
  const where = (url: string) => new URL(url).pathname.replace(/^\/v3\/directline\/conversations\/[^/]+/, '…');
  const ours = (url: string) => /\/(v3\/directline|api\/directline)\//.test(url);
  page.on('request', (r) => ours(r.url()) && add(`→ ${r.method()} ${where(r.url())}`));
  page.on('requestfailed', (r) => ours(r.url()) && add(`✗ ${r.method()} ${where(r.url())}: ${r.failure()?.errorText}`));
  page.on('response', (r) => ours(r.url()) && add(`← ${r.status()} ${r.request().method()} ${where(r.url())}`));
  page.on('websocket', (ws) => {
    add(`socket opened ${where(ws.url())}`);
    ws.on('framereceived', (frame) => add(`socket ← ${typeof frame.payload === 'string' ? activitySummary(frame.payload) : `${frame.payload.length} bytes`}`));
    ws.on('socketerror', (error) => add(`socket error: ${error}`));
    ws.on('close', () => add('socket closed'));
  });
  return () => lines.join('\n');
}
