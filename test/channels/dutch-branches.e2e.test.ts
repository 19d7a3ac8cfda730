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
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHarness, type Harness } from '../support/bot-harness';
import { launchBrowser, loopbackPage } from '../support/browser';
import { block as blockIn, text, WebChatPage } from '../support/webchat-page';

/** An i18next string in Dutch, `namespace:key.path`. */
const t = (ref: string) => text('nl-NL', ref);
/** A Dutch content block: title, text, steps, "more" line. */
const block = (ref: string) => blockIn('nl-NL', ref);

const REPLY_TIMEOUT = 30_000;
const TEST_TIMEOUT = 120_000;

let h: Harness;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let chat: WebChatPage;
/** Off-machine requests, uncaught errors and console errors: each test run must end with none. */
const problems: string[] = [];

const click = (label: string, expected: string[]) => chat.click(label, expected);
const expectButtons = (message: Parameters<WebChatPage['expectButtons']>[0], labels: string[]) => chat.expectButtons(message, labels);
const screenshot = (name: string) => chat.screenshot(name);
/** A new conversation, from the page's own button; the welcome card comes back. */
const newConversation = () => chat.newConversation([block('start.welcome')[0]!, t('common:ask.start')]);

beforeAll(async () => {
  h = await startHarness();
  browser = await launchBrowser();
  ({ context, page } = await loopbackPage(browser, { locale: 'nl-NL', viewport: { width: 1000, height: 800 } }, problems, REPLY_TIMEOUT));
  chat = new WebChatPage(page, REPLY_TIMEOUT);
  await page.goto(`${h.url}/`);
  await chat.botReply(0, [block('start.welcome')[0]!, t('common:ask.start')]);
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
