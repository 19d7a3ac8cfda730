/**
 * End to end (issue 24), in both languages: the Web Chat page in real headless Chromium, talking to
 * the local Direct Line of the real app on 127.0.0.1.
 *
 *   reactivate → "It expired" → Continue: the question names its labels in bold, and is not
 *   wrapped in bold again;
 *   start over → "I have an error message" → paste an error → No → Talk to a person: the case
 *   summary names the matched error by its title, never its id, and is left as a screenshot in
 *   test/artifacts/escalation-summary-<locale>.png.
 *
 * Expected texts are read from locales/ and content/, never written here.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Locator } from 'playwright-core';
import type { Locale } from '../../dialogs/types';
import { loadLanguages } from '../../src/i18n/languages';
import { startHarness, type Harness } from '../support/bot-harness';
import { launchBrowser, loopbackPage } from '../support/browser';
import { block, BOT_MESSAGE, text, WebChatPage } from '../support/webchat-page';

/** Every language of the table (content/languages.json). */
const LOCALES = loadLanguages().tags;

const REPLY_TIMEOUT = 30_000;
const TEST_TIMEOUT = 180_000;

const ERROR_ID = 'key-already-used';
const knownError = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'content', 'known-errors', `${ERROR_ID}.json`), 'utf8')) as {
  title: Record<Locale, string>;
  match: Record<Locale, string[]>;
};

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  h = await startHarness();
  browser = await launchBrowser();
}, TEST_TIMEOUT);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await h?.close();
}, TEST_TIMEOUT);

/** Bold as the browser drew it: no <strong> inside <strong>, and no `**` left as text. */
async function expectNoNestedBold(messages: Locator): Promise<void> {
  expect(await messages.locator('strong strong, b strong, strong b').count()).toBe(0);
  for (const shownText of await messages.allInnerTexts()) expect(shownText).not.toContain('**');
}

describe.each(LOCALES.map((l) => [l]))('in %s, in the Web Chat page (headless Chromium)', (locale: Locale) => {
  const t = (ref: string) => text(locale, ref);
  let context: BrowserContext;
  let chat: WebChatPage;
  /** Off-machine requests, uncaught errors and console errors: each run must end with none. */
  const problems: string[] = [];

  beforeAll(async () => {
    let page;
    ({ context, page } = await loopbackPage(browser, { locale, viewport: { width: 1000, height: 800 } }, problems, REPLY_TIMEOUT));
    chat = new WebChatPage(page, REPLY_TIMEOUT);
    await page.goto(`${h.url}/`);
    await chat.botReply(0, [block(locale, 'start.welcome')[0]!, t('common:ask.start')]);
  }, TEST_TIMEOUT);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
  });

  test(
    'the Reactivate question shows its labels in bold, with no bold around them',
    async () => {
      await chat.click(t('common:choice.REACTIVATE'), [t('reactivate:ask.reason')]);
      await chat.click(t('common:choice.EXPIRED'), [t('reactivate:ask.continue')]);
      const question = await chat.click(t('common:choice.CONTINUE'), [...block(locale, 'reactivate.billing'), t('reactivate:ask.offered')]);
      const labels = [...t('reactivate:ask.offered').matchAll(/\*\*([^*]+)\*\*/g)].map((m) => m[1]!);
      expect(labels.length).toBe(2);
      for (const label of labels) expect(await question.locator('strong', { hasText: label }).count()).toBeGreaterThan(0);
      await expectNoNestedBold(question);
    },
    TEST_TIMEOUT,
  );

  test(
    'the escalation summary names the matched error by its title, with a screenshot',
    async () => {
      await chat.newConversation([block(locale, 'start.welcome')[0]!, t('common:ask.start')]);
      await chat.click(t('common:choice.ERROR_MESSAGE'), [t('knownError:ask.paste')]);
      const title = knownError.title[locale];
      await chat.type(knownError.match[locale][0]!, [t('knownError:fixTitle').replace('{{title}}', title), t('common:ask.helped')]);
      await chat.click(t('common:choice.NO'), [t('outcome:ask.next')]);
      const summary = await chat.click(t('common:choice.AGENT'), [
        ...block(locale, 'outcome.escalated'),
        t('common:summary.title'),
        `${t('common:summary.error')}: ${title}`,
        `${t('common:summary.reason')}: ${t('common:escalation.not-resolved')}`,
        `${t('common:summary.language')}: ${loadLanguages().name(locale, locale)}`,
      ]);
      expect(await summary.innerText()).not.toContain(ERROR_ID);
      await expectNoNestedBold(chat.page.locator(BOT_MESSAGE));

      const file = await chat.screenshot(`escalation-summary-${locale}.png`);
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).size).toBeGreaterThan(10_000);
    },
    TEST_TIMEOUT,
  );

  test('loads nothing from off this machine and logs no errors in the browser', () => {
    expect(problems).toEqual([]);
  });
});
