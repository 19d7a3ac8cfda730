/**
 * End to end (issue 4): the Web Chat page at GET / in real headless Chromium, talking to the local
 * Direct Line of the real app on 127.0.0.1.
 *
 *   open the page (browser in en-US) → pick Nederlands → reactivate branch by clicking the card
 *   buttons → type "english" → switch the page to English → product-key branch by typing.
 *
 * Expected texts are read from locales/ and content/, never written here. The steps share one
 * page and run in order; once a step fails, the later ones are reported as not run.
 * Screenshots go to test/artifacts/ (git-ignored).
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startHarness, type Harness } from '../support/bot-harness';
import { artifactPath, launchBrowser, loopbackPage } from '../support/browser';
import { block, lookupString, normalize, readJson, t, type Locale } from '../support/expected-text';
import { SEND_BOX, USER_MESSAGE, webChatDriver, type WebChatDriver } from '../support/webchat-driver';

// ---- expected texts, from the same files the bot reads --------------------------------------

interface KnownError {
  title: Record<Locale, string>;
  fix: Record<Locale, string[]>;
  links: Array<{ url: string }>;
}
const keyExpired = readJson('content/known-errors/key-expired.json') as KnownError;

// ---- the page -------------------------------------------------------------------------------

/** Generous: a turn takes one Direct Line poll (about a second); a loaded CI machine can be much slower. */
const REPLY_TIMEOUT = 30_000;
const STEP_TIMEOUT = 120_000;

/** A pasted key (made up) that must never be shown back. */
const FAKE_KEY = 'ABCDE-12345-FGHIJ-67890-KLMNO';
const KEY_MASK = 'XXXXX-XXXXX-XXXXX-XXXXX-XXXXX';

let h: Harness;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Off-machine requests, uncaught errors and console errors: each test run must end with none. */
const problems: string[] = [];

let driver: WebChatDriver;
const botMessages = () => driver.botMessages();
const lastBotMessage = () => driver.lastBotMessage();
const waitForBotMessage = (countBefore: number, expected: string[]) => driver.waitForBotMessage(countBefore, expected);
const click = (label: string, expected: string[]) => driver.click(label, expected);
const type = (text: string, expected: string[]) => driver.type(text, expected);

/** Picks a language in the page's picker; that starts a new conversation in it. */
async function pickLanguage(locale: Locale, expected: string[]): Promise<Locator> {
  await page.selectOption('#language', locale);
  // The page drops the old transcript at once and connects again.
  return waitForBotMessage(0, expected);
}

/** The page's own chrome is in `locale`. */
async function expectPageIn(locale: Locale): Promise<void> {
  const webchat = (key: string) => lookupString(`locales/${locale}/webchat.json`, key);
  expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale);
  expect(await page.locator('h1').innerText()).toBe(webchat('heading'));
  expect(await page.locator('#language').inputValue()).toBe(locale);
  expect(await page.locator(SEND_BOX).getAttribute('placeholder')).toBe(webchat('inputPlaceholder'));
}

/** The message shows this link as a real, clickable https anchor. */
async function expectLink(message: Locator, href: string): Promise<void> {
  expect(await message.locator('a[href^="https://"]').count()).toBeGreaterThan(0);
  const link = message.locator(`a[href="${href}"]`).first();
  await link.waitFor({ state: 'visible', timeout: REPLY_TIMEOUT });
  // Actionability only (visible, enabled, not covered): no navigation off this machine.
  await link.click({ trial: true, timeout: REPLY_TIMEOUT });
}

const TRANSCRIPT_SCROLLER = '.webchat__basic-transcript__scrollable';

/** Web Chat scrolls to a new message with an animation: wait until it is at the bottom. */
async function waitUntilScrolledToBottom(): Promise<void> {
  await page.waitForFunction(
    (selector) => {
      const scroller = document.querySelector(selector);
      return !!scroller && scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= 2;
    },
    TRANSCRIPT_SCROLLER,
    { timeout: REPLY_TIMEOUT, polling: 100 },
  );
}

/**
 * A full-page screenshot of the whole conversation: the transcript scrolls inside the page, so
 * the window is made tall enough to show all of it, then put back.
 */
async function screenshotConversation(name: string): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 1280, height: 900 };
  const hidden = await page.locator(TRANSCRIPT_SCROLLER).evaluate((scroller) => scroller.scrollHeight - scroller.clientHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.min(viewport.height + Math.max(0, hidden), 12_000) });
  await waitUntilScrolledToBottom();
  await page.screenshot({ path: artifactPath(name), fullPage: true });
  await page.setViewportSize(viewport);
  await waitUntilScrolledToBottom();
}

async function expectCardButtons(message: Locator, labels: string[]): Promise<void> {
  for (const label of labels) {
    await message.getByRole('button', { name: label, exact: true }).waitFor({ state: 'visible', timeout: REPLY_TIMEOUT });
  }
}

// ---- steps ----------------------------------------------------------------------------------

let failedStep: string | undefined;

function step(name: string, fn: () => Promise<void>): void {
  it(
    name,
    async () => {
      if (failedStep) throw new Error(`not run: the earlier step "${failedStep}" failed`);
      try {
        await fn();
      } catch (err) {
        failedStep = name;
        throw err;
      }
    },
    STEP_TIMEOUT,
  );
}

beforeAll(async () => {
  h = await startHarness();
  browser = await launchBrowser();
  ({ context, page } = await loopbackPage(browser, { locale: 'en-US', viewport: { width: 1280, height: 900 } }, problems, REPLY_TIMEOUT));
  driver = webChatDriver(page, REPLY_TIMEOUT);
}, STEP_TIMEOUT);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await h?.close();
}, STEP_TIMEOUT);

describe('Web Chat page end to end (headless Chromium)', () => {
  step('opens in the browser language, then switches to Dutch with the language picker', async () => {
    await page.goto(`${h.url}/`);
    await waitForBotMessage(0, [block('en-US', 'start.welcome')[0], t('en-US', 'common:ask.start')]);
    await expectPageIn('en-US');

    const welcome = await pickLanguage('nl-NL', [block('nl-NL', 'start.welcome')[0], t('nl-NL', 'common:ask.start')]);
    await expectPageIn('nl-NL');
    expect(await botMessages().count()).toBe(1); // the English conversation is gone
    await expectCardButtons(welcome, ['REACTIVATE', 'PRODUCT_KEY', 'AGENT', 'LANGUAGE'].map((c) => t('nl-NL', `common:choice.${c}`)));
  });

  step('finishes the reactivate branch in Dutch by clicking the card buttons', async () => {
    const nl = (ref: string) => t('nl-NL', ref);
    const choice = (name: string) => nl(`common:choice.${name}`);

    await click(choice('REACTIVATE'), [...block('nl-NL', 'reactivate.intro'), nl('reactivate:ask.reason')]);
    await click(choice('EXPIRED'), [...block('nl-NL', 'reactivate.expired'), nl('reactivate:ask.continue')]);
    const billing = await click(choice('CONTINUE'), [...block('nl-NL', 'reactivate.billing'), nl('reactivate:ask.offered')]);
    await expectLink(billing, 'https://go.microsoft.com/fwlink/p/?linkid=842054');
    await click(choice('YES'), [...block('nl-NL', 'reactivate.payment'), nl('common:ask.helped')]);
    await click(choice('YES'), [...block('nl-NL', 'outcome.resolved'), nl('outcome:ask.rating')]);
    const rated = await click(choice('RATE_5'), [...block('nl-NL', 'outcome.rated'), nl('outcome:ask.anythingElse')]);
    await expectCardButtons(rated, [choice('PRODUCT_KEY')]);

    await screenshotConversation('webchat-nl-reactivate.png');
  });

  step('answers in English when the user types "english"', async () => {
    const reply = await type('english', [t('en-US', 'common:notice.languageChanged'), t('en-US', 'outcome:ask.anythingElse')]);
    // The language button is one of the rarely used controls, folded behind "More options".
    await expectCardButtons(reply, [t('en-US', 'common:choice.PRODUCT_KEY'), t('en-US', 'common:control.more')]);
    // The page follows the bot into English, keeping the conversation.
    await page.locator('h1').filter({ hasText: lookupString('locales/en-US/webchat.json', 'heading') }).waitFor({ timeout: REPLY_TIMEOUT });
    await expectPageIn('en-US');
    expect(await botMessages().count()).toBeGreaterThan(1);
  });

  step('starts a new English conversation with the new-conversation button', async () => {
    await page.click('#restart');
    await waitForBotMessage(0, [block('en-US', 'start.welcome')[0], t('en-US', 'common:ask.start')]);
    await expectPageIn('en-US');
    expect(await botMessages().count()).toBe(1);
  });

  step('finishes the product-key branch in English by typing, never showing a pasted key', async () => {
    const en = (ref: string, values?: Record<string, string>) => t('en-US', ref, values);

    await type(en('common:choice.PRODUCT_KEY'), [...block('en-US', 'productKey.intro'), en('productKey:ask.keyType')]);

    // A pasted key: the bot warns and asks again; the echoed user message comes back masked.
    await type(`My key is ${FAKE_KEY}`, [en('productKey:notice.keyPasted'), ...block('en-US', 'productKey.typos'), en('productKey:ask.keyType')]);
    await page.locator(USER_MESSAGE).last().filter({ hasText: KEY_MASK }).waitFor({ timeout: REPLY_TIMEOUT });
    const transcript = await page.locator('.webchat__stacked-layout').allInnerTexts();
    for (const group of FAKE_KEY.split('-')) expect(transcript.join('\n')).not.toContain(group);
    expect(await page.locator(SEND_BOX).inputValue()).toBe('');
    // Web Chat's screen-reader live region briefly announces the message as typed ("You said: …")
    // before the masked echo replaces it, and clears itself about a second later; after that
    // the key is nowhere in the page, not even in attributes.
    await page.waitForFunction((key) => !document.documentElement.outerHTML.includes(key) && !document.body.innerText.includes(key), FAKE_KEY, {
      timeout: REPLY_TIMEOUT,
      polling: 100,
    });
    const visibleText = await page.evaluate(() => document.body.innerText);
    for (const group of FAKE_KEY.split('-')) expect(visibleText).not.toContain(group);
    expect(await page.content()).not.toContain(FAKE_KEY);

    const redeem = await type('business', [...block('en-US', 'productKey.redeemBusiness'), ...block('en-US', 'productKey.typos'), en('productKey:ask.worked')]);
    await expectLink(redeem, 'https://microsoft365.com/setupbusiness');

    await type('no', [en('knownError:ask.paste')]);
    const fix = await type('The product key you entered has expired', [
      en('knownError:fixTitle', { title: keyExpired.title['en-US'] }),
      ...keyExpired.fix['en-US'],
      en('common:ask.helped'),
    ]);
    await expectLink(fix, keyExpired.links[0].url);

    await type('yes', [...block('en-US', 'outcome.resolved'), en('outcome:ask.rating')]);
    await type('5', [...block('en-US', 'outcome.rated'), en('outcome:ask.anythingElse')]);

    await screenshotConversation('webchat-en-product-key.png');
  });

  step('loads nothing from off this machine and logs no errors in the browser', async () => {
    expect(problems).toEqual([]);
  });
});
