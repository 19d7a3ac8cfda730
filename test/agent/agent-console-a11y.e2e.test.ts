/**
 * The agent console as a support agent sees it (issue 19), in headless Chromium against the real
 * app on 127.0.0.1, with axe-core from node_modules: with a call started, at 360 px and 1280 px,
 * no WCAG 2.0/2.1 A or AA violation, no sideways scrolling, and the flow map drawn by Mermaid
 * (served from this server, under the page's CSP) with the current step and the path so far
 * marked, next to the text version. Screenshots go to test/artifacts/.
 */
import type { Browser, Page } from 'playwright-core';
import { axeViolations } from '../support/axe';
import { startHarness, type Harness } from '../support/bot-harness';
import { artifactPath, launchBrowser } from '../support/browser';

const TOKEN = 'test-agent-token';
const TIMEOUT = 30_000;

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  h = await startHarness({ env: { AGENT_TOKEN: TOKEN } });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await h?.close();
}, 60_000);

const stepIs = (page: Page, step: string) => page.waitForFunction((s) => document.getElementById('step-id')?.textContent === s, step);

describe.each([360, 1280])('agent console at %i px with a call started', (width) => {
  test(
    'has no axe violations, fits the screen, and draws the flow map with the path so far',
    async () => {
      const context = await browser.newContext({ locale: 'en-US', viewport: { width, height: 900 } });
      const problems: string[] = [];
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(TIMEOUT);
        page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
        page.on('console', (msg) => {
          if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
        });
        page.on('request', (req) => {
          if (!req.url().startsWith(h.url) && !req.url().startsWith('data:')) problems.push(`external request: ${req.url()}`);
        });
        const mermaid = page.waitForResponse((res) => new URL(res.url()).pathname === '/agent/assets/mermaid.js');

        await page.goto(`${h.url}/agent?token=${TOKEN}`);
        await page.selectOption('#customer-locale', 'nl-NL');
        await page.click('#start-call');
        await stepIs(page, 'start');
        await page.locator('#choices .choice', { hasText: 'Mijn abonnement is gestopt' }).click();
        await stepIs(page, 'reactivate.reason');
        await page.locator('#choices .choice', { hasText: 'Het is verlopen' }).click();
        await stepIs(page, 'reactivate.expired');

        // Mermaid came from this server, with the token, and drew the map.
        expect((await mermaid).status()).toBe(200);
        await page.locator('#flow-drawing svg').waitFor();
        const drawn = await page.evaluate(() => {
          const ring = (kind: string) => Array.from(document.querySelectorAll(`#flow-drawing .flow-ring.${kind}`)).map((r) => r.parentElement?.getAttribute('data-step') ?? '');
          return { current: ring('current'), visited: ring('visited'), traces: document.querySelectorAll('#flow-drawing .flow-trace').length, hidden: document.querySelector('#flow-drawing svg')?.getAttribute('aria-hidden') };
        });
        expect(drawn.current).toHaveLength(1);
        expect(drawn.current[0]).toMatch(/^flow-svg-state-reactivate_expired-\d+$/);
        expect(drawn.visited.map((id) => id.replace(/^flow-svg-state-|-\d+$/g, '')).sort()).toEqual(['reactivate_reason', 'start']);
        // start → reactivate.reason → reactivate.expired: one traced edge per move.
        expect(drawn.traces).toBeGreaterThanOrEqual(2);
        // The drawing is one image to assistive technology; the text version says the same.
        expect(drawn.hidden).toBe('true');
        expect(await page.getAttribute('#flow-drawing', 'role')).toBe('img');
        expect(await page.textContent('#flow-map .current')).toContain('reactivate.expired');

        // The current step is scrolled into the drawing's view.
        const inView = await page.evaluate(() => {
          const box = document.getElementById('flow-drawing')!.getBoundingClientRect();
          const node = document.querySelector('#flow-drawing .flow-ring.current')!.getBoundingClientRect();
          return node.left >= box.left - 1 && node.right <= box.right + 1 && node.top >= box.top - 1 && node.bottom <= box.bottom + 1;
        });
        expect(inView).toBe(true);

        // It pans by dragging.
        const before = await page.evaluate(() => document.getElementById('flow-drawing')!.scrollLeft);
        await page.locator('#flow-drawing').scrollIntoViewIfNeeded();
        const box = (await page.locator('#flow-drawing').boundingBox())!;
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2, { steps: 4 });
        await page.mouse.up();
        expect(await page.evaluate(() => document.getElementById('flow-drawing')!.scrollLeft)).not.toBe(before);

        await page.screenshot({ path: artifactPath(`agent-console-${width}.png`), fullPage: true });
        await page.locator('#flow-drawing').screenshot({ path: artifactPath(`agent-console-flow-map-${width}.png`) });

        const violations = await axeViolations(page);
        expect(violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join('\n    ')}`).join('\n')).toBe('');

        // WCAG 1.4.10: nothing scrolls sideways but the boxes that are meant to.
        expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);

        // The text version, opened, passes too (its comments are the lines axe checks for contrast).
        await page.click('#flow-text summary');
        expect(await page.evaluate(() => (document.getElementById('flow-text') as HTMLDetailsElement).open)).toBe(true);
        const textViolations = await axeViolations(page);
        expect(textViolations.map((v) => `${v.id}: ${v.nodes.join(' | ')}`).join('\n')).toBe('');

        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    },
    120_000,
  );
});

test('the Mermaid bundle is behind the agent guard like the rest of /agent', async () => {
  const res = await fetch(`${h.url}/agent/assets/mermaid.js`);
  expect(res.status).toBe(401);
  const ok = await fetch(`${h.url}/agent/assets/mermaid.js`, { headers: { Authorization: `Bearer ${TOKEN}`, 'Accept-Encoding': 'gzip' } });
  expect(ok.status).toBe(200);
  expect(ok.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect(ok.headers.get('cache-control')).toContain('private');
  expect((await ok.text()).length).toBeGreaterThan(1_000_000);
});

test('without Mermaid the console says so and opens the text version instead', async () => {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  try {
    // As if the bundle were missing from the install.
    await context.route('**/agent/assets/mermaid.js', (route) => route.fulfill({ status: 500, body: '{}' }));
    const page = await context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${h.url}/agent?token=${TOKEN}`);
    await page.locator('#flow-failed').waitFor({ state: 'visible', timeout: TIMEOUT });
    expect(await page.evaluate(() => (document.getElementById('flow-text') as HTMLDetailsElement).open)).toBe(true);
    expect(await page.isHidden('#flow-drawing')).toBe(true);
    expect(await page.locator('#flow-map span').count()).toBeGreaterThan(20);
    // The call script itself still works.
    await page.click('#start-call');
    await stepIs(page, 'start');
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
}, 60_000);
