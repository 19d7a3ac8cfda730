/**
 * End to end, in Dutch: the Web Chat page at GET / in real headless Chromium (browser language
 * nl-NL), talking to the local Direct Line of the real app on 127.0.0.1. For each branch it starts
 * a new conversation, clicks the branch on the welcome card, checks the first step's text and
 * buttons, and leaves a screenshot in test/artifacts/dutch-<branch>.png, so the Dutch wording can
 * be read as users see it. The steps changed by issue 17 ("not sure" at the license question, the
 * Reactivate question, a failed redemption) get one too.
 *
 * Expected texts are read from locales/ and content/, never written here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startHarness, type Harness } from '../support/bot-harness';
import { artifactPath, launchBrowser, loopbackPage } from '../support/browser';

const ROOT = path.resolve(__dirname, '..', '..');
const json = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>;
const at = (value: unknown, key: string): unknown =>
  key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), value);

/** An i18next string in Dutch, `namespace:key.path`. */
function t(ref: string): string {
  const [ns, key] = ref.split(':');
  const value = at(json(`locales/nl-NL/${ns}.json`), key!);
  if (typeof value !== 'string') throw new Error(`locales/nl-NL/${ns}.json has no string at ${key}`);
  return value;
}

/** A Dutch content block: title, text, steps, "more" line. */
function block(ref: string): string[] {
  const value = at(json('content/nl-NL/guide.json'), ref) as { title?: string; text?: string; steps?: string[]; more?: string } | undefined;
  if (!value) throw new Error(`content/nl-NL/guide.json has no block ${ref}`);
  return [value.title, value.text, ...(value.steps ?? []), value.more].filter((part): part is string => typeof part === 'string');
}

/** As Web Chat shows Markdown: link labels without targets, no emphasis marks, plain spaces and quotes. */
const shown = (text: string) =>
  text
    .replace(/\[([^\]]*)\]\([^)\s]+\)/g, '$1')
    .replace(/\*\*/g, '')
    .replace(/[\u200b-\u200d\ufeff]/g, '')
    .replace(/[\u201c\u201d\u201e]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();

const BOT_MESSAGE = '.webchat__stacked-layout:not(.webchat__stacked-layout--from-user)';
const TRANSCRIPT = '.webchat__basic-transcript__scrollable';
const REPLY_TIMEOUT = 30_000;
const TEST_TIMEOUT = 120_000;

let h: Harness;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Off-machine requests, uncaught errors and console errors: each test run must end with none. */
const problems: string[] = [];

/** Waits for more than `before` bot messages, the newest showing every expected text. */
async function botReply(before: number, expected: string[]): Promise<Locator> {
  const wanted = expected.map(shown);
  try {
    await page.waitForFunction(
      ({ selector, before, wanted }) => {
        const messages = document.querySelectorAll<HTMLElement>(selector);
        if (messages.length <= before) return false;
        const text = messages[messages.length - 1]!.innerText
          .replace(/[\u200b-\u200d\ufeff]/g, '')
          .replace(/[\u201c\u201d\u201e]/g, '"')
          .replace(/\s+/g, ' ');
        return wanted.every((part) => text.includes(part));
      },
      { selector: BOT_MESSAGE, before, wanted },
      { timeout: REPLY_TIMEOUT, polling: 100 },
    );
  } catch (err) {
    const messages = page.locator(BOT_MESSAGE);
    const last = (await messages.count()) ? shown(await messages.last().innerText()) : '(no bot message)';
    throw new Error(`the newest bot message lacks: ${wanted.filter((w) => !last.includes(w)).join(' | ')}\nit was: ${last}\n(${String(err).split('\n')[0]})`);
  }
  return page.locator(BOT_MESSAGE).last();
}

/** Clicks a button on the newest card and waits for the answer. */
async function click(label: string, expected: string[]): Promise<Locator> {
  const before = await page.locator(BOT_MESSAGE).count();
  await page.locator(BOT_MESSAGE).last().getByRole('button', { name: label, exact: true }).click();
  return botReply(before, expected);
}

/** A new conversation, from the page's own button; the welcome card comes back. */
async function newConversation(): Promise<void> {
  await page.click('#restart');
  await botReply(0, [block('start.welcome')[0]!, t('common:ask.start')]);
}

async function expectButtons(message: Locator, labels: string[]): Promise<void> {
  for (const label of labels) await message.getByRole('button', { name: label, exact: true }).waitFor({ state: 'visible', timeout: REPLY_TIMEOUT });
}

/** The whole conversation on one image: the window is made as tall as the transcript. */
async function screenshot(name: string): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 1280, height: 900 };
  const hidden = await page.locator(TRANSCRIPT).evaluate((scroller) => scroller.scrollHeight - scroller.clientHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.min(viewport.height + Math.max(0, hidden), 8_000) });
  await page.waitForFunction(
    (selector) => {
      const scroller = document.querySelector(selector);
      return !!scroller && scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= 2;
    },
    TRANSCRIPT,
    { timeout: REPLY_TIMEOUT, polling: 100 },
  );
  await page.screenshot({ path: artifactPath(name), fullPage: true });
  await page.setViewportSize(viewport);
}

beforeAll(async () => {
  h = await startHarness();
  browser = await launchBrowser();
  ({ context, page } = await loopbackPage(browser, { locale: 'nl-NL', viewport: { width: 1000, height: 800 } }, problems, REPLY_TIMEOUT));
  await page.goto(`${h.url}/`);
  await botReply(0, [block('start.welcome')[0]!, t('common:ask.start')]);
}, TEST_TIMEOUT);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await h?.close();
}, TEST_TIMEOUT);

describe('each branch\'s first step in Dutch, in the Web Chat page (headless Chromium)', () => {
  test('the page opens in Dutch for a Dutch browser', async () => {
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('nl-NL');
    expect(await page.locator('h1').innerText()).toBe(t('webchat:heading'));
  });

  test.each([
    ['activate', 'ACTIVATE', [...block('activate.license'), t('activate:ask.license')], ['YES', 'NO', 'NOT_SURE']],
    ['reactivate', 'REACTIVATE', [...block('reactivate.intro'), t('reactivate:ask.reason')], ['EXPIRED', 'DISABLED', 'CANCELLED', 'DELETED', 'NOT_SURE']],
    ['product-key', 'PRODUCT_KEY', [...block('productKey.intro'), t('productKey:ask.keyType')], ['BUSINESS', 'HOME']],
    ['error-message', 'ERROR_MESSAGE', [t('knownError:ask.paste')], ['NO_ERROR']],
  ])(
    '%s: the first step is all in Dutch, with a screenshot',
    async (name, branch, expected, choices) => {
      await newConversation();
      const step = await click(t(`common:choice.${branch}`), expected);
      await expectButtons(step, choices.map((c) => t(`common:choice.${c}`)));
      await screenshot(`dutch-${name}.png`);
    },
    TEST_TIMEOUT,
  );

  test(
    '"Weet ik niet" at the license question: how to check on Mijn account, then the admin steps or a person',
    async () => {
      await newConversation();
      await click(t('common:choice.ACTIVATE'), [t('activate:ask.license')]);
      const check = await click(t('common:choice.NOT_SURE'), [...block('activate.checkLicense'), t('activate:ask.appsListed')]);
      await expectButtons(check, ['YES', 'NO', 'AGENT'].map((c) => t(`common:choice.${c}`)));
      await check.locator('a[href="https://portal.office.com/account/#installs"]').first().waitFor({ state: 'visible' });
      await screenshot('dutch-activate-not-sure.png');
    },
    TEST_TIMEOUT,
  );

  test(
    'the Reactivate question comes after both admin center layouts',
    async () => {
      await newConversation();
      await click(t('common:choice.REACTIVATE'), [t('reactivate:ask.reason')]);
      await click(t('common:choice.EXPIRED'), [t('reactivate:ask.continue')]);
      await click(t('common:choice.CONTINUE'), [...block('reactivate.billing'), t('reactivate:ask.offered')]);
      await screenshot('dutch-reactivate-billing.png');
    },
    TEST_TIMEOUT,
  );

  test(
    'a failed redemption points to the product key errors page before asking for the message',
    async () => {
      await newConversation();
      await click(t('common:choice.PRODUCT_KEY'), [t('productKey:ask.keyType')]);
      await click(t('common:choice.BUSINESS'), [t('productKey:ask.worked')]);
      const failed = await click(t('common:choice.NO'), [t('productKey:notice.redeemFailed'), ...block('productKey.errors'), t('knownError:ask.paste')]);
      const link = failed.locator('a[href="https://docs.microsoft.com/microsoft-365/commerce/product-key-errors-and-solutions"]').first();
      await link.waitFor({ state: 'visible' });
      await link.click({ trial: true });
      await screenshot('dutch-product-key-failed.png');
    },
    TEST_TIMEOUT,
  );

  test('loads nothing from off this machine and logs no errors in the browser', () => {
    expect(problems).toEqual([]);
  });
});
