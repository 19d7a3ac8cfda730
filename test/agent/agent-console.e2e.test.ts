import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import agentEn from '../../locales/en-US/agent.json';
import { startHarness, type Harness } from '../support/bot-harness';

const TOKEN = 'test-agent-token';
const FAKE_KEY = 'ABCDE-12345-FGHIJ-67890-KLMNO';
const ARTIFACTS = join(__dirname, '..', 'artifacts');

describe('agent console in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await startHarness({ env: { AGENT_TOKEN: TOKEN } });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 1000 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
    page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
    // Nothing may leave loopback: no CDN, no fonts, no analytics.
    page.on('request', (req) => {
      if (!req.url().startsWith(h.url) && !req.url().startsWith('data:')) problems.push(`external request: ${req.url()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const choice = (label: string) => page.locator('#choices .choice', { has: page.locator('.label', { hasText: label }) });
  const stepIs = (step: string) => page.waitForFunction((s) => document.getElementById('step-id')?.textContent === s, step);

  it('refuses the console without the token', async () => {
    const other = await browser.newContext();
    const response = await (await other.newPage()).goto(`${h.url}/agent`);
    expect(response?.status()).toBe(401);
    await other.close();
  });

  it('walks the reactivate branch for a Dutch customer to the escalation and copies the case summary', async () => {
    const response = await page.goto(`${h.url}/agent?token=${TOKEN}`);
    expect(response?.status()).toBe(200);
    // The token moves to sessionStorage and out of the address bar.
    await page.waitForFunction(() => !location.search.includes('token'));

    await page.selectOption('#customer-locale', 'nl-NL');
    await page.click('#start-call');
    await stepIs('start');
    expect(await page.textContent('#customer-text')).toContain('Waarmee kan ik je helpen?');
    expect(await page.textContent('#english-text')).toContain('What can I help you with?');

    await choice('Mijn abonnement is gestopt').click();
    await stepIs('reactivate.reason');
    // Every answer shows what the customer says and the English beside it.
    expect(await choice('Het is verlopen').textContent()).toContain('It expired');
    await choice('Het is verlopen').click();
    await stepIs('reactivate.expired');
    await choice('Verder').click();
    await stepIs('reactivate.billing');

    expect(await page.textContent('#customer-text')).toContain('Facturering > Abonnementen');
    expect(await page.textContent('#english-text')).toContain('Billing > Subscriptions');
    expect(await page.getAttribute('#customer-text a', 'rel')).toBe('noopener noreferrer');
    expect(await page.textContent('#flow-map .current')).toContain('reactivate_billing : reactivate.billing');
    expect(await page.locator('#path li').allTextContents()).toEqual(['Start', 'Why it stopped', 'Expired', 'Find Reactivate under Billing']);
    await page.screenshot({ path: join(ARTIFACTS, 'agent-console-billing.png'), fullPage: true });

    // Back and forward again, as an agent would when the customer corrects themselves.
    await page.click('#controls [data-command="BACK"]');
    await stepIs('reactivate.expired');
    await choice('Verder').click();
    await stepIs('reactivate.billing');

    await choice('Nee').click();
    await stepIs('escalated');
    await page.locator('#summary').waitFor({ state: 'visible' });
    expect(await page.textContent('#customer-text')).toContain('Een medewerker neemt het nu van me over');

    // The clipboard permissions are granted for this origin (above), so the Copy button must
    // really copy: its fallback (select the text, ask for Ctrl+C) would mean the button is broken.
    await page.click('#copy');
    await page.waitForFunction(() => (document.getElementById('copy-status')?.textContent ?? '') !== '');
    expect(await page.textContent('#copy-status')).toBe(agentEn.copied);
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain('Case summary');
    expect(copied).toContain('Topic: Reactivate a subscription');
    expect(copied).toContain('Steps taken: Why it stopped → Expired → Find Reactivate under Billing → Handed to support');
    expect(copied).toContain('Matched error: none');
    expect(copied).toContain('Outcome: Escalated');
    expect(copied).toContain('Language: Dutch');
    expect(copied).not.toContain('**');

    await page.screenshot({ path: join(ARTIFACTS, 'agent-console-escalated.png'), fullPage: true });

    // A reload arrives without ?token= (it was taken out of the address bar): the refusal page
    // picks the token up from sessionStorage, and the console brings back the call.
    problems.length = 0;
    await page.reload();
    await stepIs('escalated');
    expect(page.url()).toBe(`${h.url}/agent`);
    expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    problems.length = 0;
  });

  it('looks up a known error and never shows a pasted product key', async () => {
    await page.fill('#lookup-text', `ABCDE-12345-FGHIJ-67890-KLMNO ${'De opgegeven productcode is verlopen.'}`);
    await page.click('#lookup-form button[type="submit"]');
    await page.locator('#lookup-result .notice').waitFor();
    expect(await page.textContent('#lookup-result')).toContain('key-expired');
    expect(await page.content()).not.toContain(FAKE_KEY);
  });

  it('shows a bot conversation that escalated, with its transcript', async () => {
    const chat = h.conversation('nl-NL');
    await chat.say(`mijn abonnement is verlopen ${FAKE_KEY}`);
    await chat.say('mijn abonnement werkt niet meer');
    await chat.click('Het is verlopen');
    await chat.click('Verder');
    await chat.click('Nee');

    await page.click('#tab-handoffs');
    await page.locator('#case-list button').first().waitFor();
    expect(await page.textContent('#handoff-count')).toBe('1');
    await page.locator('#case-list button').first().click();
    await page.locator('#case-detail .transcript li').first().waitFor();
    const detail = await page.textContent('#case-detail');
    expect(detail).toContain('Reactivate is not offered for the subscription.');
    expect(detail).toContain('mijn abonnement is verlopen XXXXX-XXXXX-XXXXX-XXXXX-XXXXX');
    expect(detail).toContain('Een medewerker neemt het nu van me over');
    expect(await page.content()).not.toContain(FAKE_KEY);
    await page.screenshot({ path: join(ARTIFACTS, 'agent-console-handoffs.png'), fullPage: true });

    await page.click('#tab-stats');
    await page.locator('#metrics [data-metric="escalation"]').waitFor();
    expect(await page.textContent('#metrics [data-metric="conversations"] .value')).toBe('1');
    await page.screenshot({ path: join(ARTIFACTS, 'agent-console-stats.png'), fullPage: true });
  });

  it('lists the known errors met and the messages the bot did not understand, each with its count', async () => {
    const chat = h.conversation('en-US');
    await chat.say('hello');
    await chat.say('Office says 0x80070005 when I open Word');
    const other = h.conversation('en-US');
    await other.say('hello');
    await other.say('qwxz plorb vrump');
    await other.say('qwxz plorb vrump');

    await page.click('#refresh-stats');
    const row = page.locator('#not-understood tr', { hasText: 'qwxz plorb vrump' });
    await row.waitFor();
    expect(await row.locator('td').allTextContents()).toEqual(['qwxz plorb vrump', '2']);
    const error = page.locator('#top-errors tr', { hasText: 'error-0x80070005' });
    await error.waitFor();
    expect(await error.locator('td').allTextContents()).toEqual(['error-0x80070005', '1']);
  });

  it('ran without script errors, CSP violations or requests off the machine', () => {
    expect(problems).toEqual([]);
  });
});
