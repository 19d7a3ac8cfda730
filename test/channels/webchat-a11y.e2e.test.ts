/**
 * What people see on the Web Chat page (issue 19), in real headless Chromium against the real app
 * on 127.0.0.1, with axe-core from node_modules:
 *
 * - axe finds no WCAG 2.0/2.1 A or AA violation after two clicks, in Dutch and in English, at
 *   360 px and at 1280 px, with the "More options" card opened;
 * - at 320 and 360 px no button label is cut off (scrollWidth <= clientWidth) and the page does
 *   not scroll sideways;
 * - a keyboard-only user reaches a card button, sees where the focus is, and presses it;
 * - each message keeps its own language (`lang`) after the chat switches language;
 * - /privacy and /terms pass axe too.
 *
 * Labels are read from locales/, never written here. Screenshots go to test/artifacts/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createLogger } from '../../src/logger';
import { axeViolations } from '../support/axe';
import { startHarness, type Harness } from '../support/bot-harness';
import { artifactPath, directLineTrace, launchBrowser, loopbackPage } from '../support/browser';
import { truncatedLabels } from '../support/webchat-page';

type Locale = 'nl-NL' | 'en-US';
const ROOT = path.resolve(__dirname, '..', '..');
const common = (locale: Locale) => JSON.parse(readFileSync(path.join(ROOT, 'locales', locale, 'common.json'), 'utf8')) as { choice: Record<string, string>; control: { more: string }; ask: Record<string, string> };
const label = (locale: Locale, choice: string) => common(locale).choice[choice];
const knownError = (locale: Locale) => JSON.parse(readFileSync(path.join(ROOT, 'locales', locale, 'knownError.json'), 'utf8')) as { ask: Record<string, string> };

const BOT_ARTICLE = 'article.webchat__basic-transcript__activity';
const CARD_BUTTON = '.ac-pushButton';
const TIMEOUT = 30_000;

let h: Harness;
let browser: Browser;
const problems: string[] = [];
/** The server's warnings and errors: with the page's Direct Line traffic, the story of a reply that never came. */
const serverLog: string[] = [];

beforeAll(async () => {
  h = await startHarness({ logger: createLogger('warn', { write: (line: string) => void serverLog.push(line.trim()) }) });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await h?.close();
}, 60_000);

async function openPage(locale: Locale, width: number): Promise<{ context: BrowserContext; page: Page }> {
  const { context, page } = await loopbackPage(browser, { locale, viewport: { width, height: 900 } }, problems, TIMEOUT);
  await page.goto(`${h.url}/?lang=${locale}`);
  await page.locator(`${BOT_ARTICLE} ${CARD_BUTTON}`).first().waitFor();
  return { context, page };
}

/** The newest card's button with this label (Web Chat also keeps a hidden copy for screen readers). */
function cardButton(page: Page, text: string) {
  return page.locator(BOT_ARTICLE).last().locator(CARD_BUTTON, { hasText: text }).filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).first();
}

async function articleCount(page: Page): Promise<number> {
  return page.locator(BOT_ARTICLE).count();
}

/** Waits until the transcript shows `n` messages; if it never does, fails with what the page and the server saw. */
async function waitForArticles(page: Page, n: number): Promise<void> {
  try {
    await page.waitForFunction(({ selector, n }) => document.querySelectorAll(selector).length >= n, { selector: BOT_ARTICLE, n });
  } catch (err) {
    const shown = await page.locator(BOT_ARTICLE).allInnerTexts().catch(() => []);
    const story = [
      `waited for ${n} messages; shown: ${JSON.stringify(shown.map((t) => t.replace(/\s+/g, ' ').slice(0, 60)))}`,
      `Direct Line, as the page saw it:\n${directLineTrace(page)}`,
      `server warnings and errors:\n${serverLog.slice(-20).join('\n') || '(none)'}`,
    ];
    throw new Error(`${(err as Error).message}\n${story.join('\n')}`);
  }
}

/** Clicks (or, with `press`, presses Enter on) a card button and waits for the bot's answer. */
async function choose(page: Page, text: string, press = false): Promise<void> {
  const before = await articleCount(page);
  const button = cardButton(page, text);
  if (press) await button.press('Enter');
  else await button.click();
  // The user's echo and the bot's reply: two more messages.
  await waitForArticles(page, before + 2);
  await page.locator(BOT_ARTICLE).last().locator(CARD_BUTTON).first().waitFor();
}

async function openMore(page: Page, locale: Locale): Promise<void> {
  const more = cardButton(page, common(locale).control.more);
  await more.click();
  await page.waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await more.elementHandle());
  await cardButton(page, label(locale, 'START_OVER')).waitFor({ state: 'visible' });
}

/**
 * For the screenshot: the newest message in view. Web Chat scrolls to a new message with an
 * animation, and not at all when a card grows (the "More" card opening), so help it along.
 */
async function settleAtBottom(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const scroller = document.querySelector('.webchat__basic-transcript__scrollable');
      if (!scroller) return false;
      if (scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= 2) return true;
      scroller.scrollTop = scroller.scrollHeight;
      return false;
    },
    undefined,
    { timeout: TIMEOUT, polling: 100 },
  );
}

function formatViolations(violations: Awaited<ReturnType<typeof axeViolations>>): string {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join('\n    ')}`).join('\n');
}

describe('Web Chat page: accessibility and layout (headless Chromium, axe-core)', () => {
  describe.each([
    ['nl-NL', 360],
    ['en-US', 360],
    ['nl-NL', 1280],
    ['en-US', 1280],
  ] as const)('in %s at %i px', (locale, width) => {
    test(
      'after two clicks and with "More options" open: no axe violations, no cut-off labels, no sideways scrolling',
      async () => {
        const { context, page } = await openPage(locale, width);
        try {
          await choose(page, label(locale, 'REACTIVATE'));
          await choose(page, label(locale, 'EXPIRED'));
          await openMore(page, locale);
          await settleAtBottom(page);
          await page.screenshot({ path: artifactPath(`webchat-${locale}-${width}.png`), fullPage: true });

          const violations = await axeViolations(page);
          expect(formatViolations(violations)).toBe('');

          expect(await truncatedLabels(page)).toEqual([]);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          expect(overflow).toBeLessThanOrEqual(0);
        } finally {
          await context.close();
        }
      },
      120_000,
    );
  });

  test(
    'at 320 px, the narrowest phone, every label of every card is still whole',
    async () => {
      const { context, page } = await openPage('nl-NL', 320);
      try {
        await choose(page, label('nl-NL', 'PRODUCT_KEY'));
        await openMore(page, 'nl-NL');
        await settleAtBottom(page);
        await page.screenshot({ path: artifactPath('webchat-nl-NL-320.png'), fullPage: true });
        const shown = await page.locator(`${BOT_ARTICLE} ${CARD_BUTTON}:visible`).allInnerTexts();
        // The controls are there: a person, back, and behind "More" start over and the language.
        for (const text of [label('nl-NL', 'AGENT'), label('nl-NL', 'BACK'), label('nl-NL', 'START_OVER'), label('nl-NL', 'LANGUAGE')]) {
          expect(shown.map((s) => s.trim())).toContain(text);
        }
        expect(await truncatedLabels(page)).toEqual([]);

        // The longest labels are known-error titles: the list offered when a pasted error is not recognised.
        await page.click('#restart');
        await page.waitForFunction((selector) => document.querySelectorAll(selector).length === 1, BOT_ARTICLE);
        await page.locator(BOT_ARTICLE).last().locator(CARD_BUTTON, { hasText: label('nl-NL', 'ERROR_MESSAGE') }).first().waitFor();
        await choose(page, label('nl-NL', 'ERROR_MESSAGE'));
        const before = await articleCount(page);
        // An error code the knowledge base does not know.
        await page.locator('[data-id="webchat-sendbox-input"]').fill('Foutcode 0x8004FC12: er is een onbekende fout opgetreden');
        await page.locator('[data-id="webchat-sendbox-input"]').press('Enter');
        await waitForArticles(page, before + 2);
        await page.locator(BOT_ARTICLE).last().filter({ hasText: knownError('nl-NL').ask.common }).waitFor();
        const buttons = page.locator(BOT_ARTICLE).last().locator(`${CARD_BUTTON}:visible`);
        await buttons.first().waitFor();
        const longest = Math.max(...(await buttons.allInnerTexts()).map((t) => t.trim().length));
        await settleAtBottom(page);
        await page.screenshot({ path: artifactPath('webchat-nl-NL-320-long-labels.png'), fullPage: true });
        expect(longest).toBeGreaterThan(30);
        expect(await truncatedLabels(page)).toEqual([]);
      } finally {
        await context.close();
      }
    },
    120_000,
  );

  test(
    'the first card stays where it appeared, so a quick press lands on the button it was aimed at',
    async () => {
      const { context, page } = await openPage('nl-NL', 360);
      try {
        // Where the first button is in every frame, for a second and a half from when it appeared.
        const positions = await page.evaluate(
          (selector) =>
            new Promise<string[]>((resolve) => {
              const seen: string[] = [];
              const until = performance.now() + 1500;
              const frame = () => {
                const box = document.querySelector(selector)!.getBoundingClientRect();
                seen.push(`${Math.round(box.left)},${Math.round(box.top)}`);
                if (performance.now() < until) requestAnimationFrame(frame);
                else resolve(seen);
              };
              frame();
            }),
          `${BOT_ARTICLE} ${CARD_BUTTON}`,
        );
        expect([...new Set(positions)]).toEqual([positions[0]]);
      } finally {
        await context.close();
      }
    },
    60_000,
  );

  test(
    'keyboard only: Tab reaches a card button, the focus is drawn inside it, and Enter presses it',
    async () => {
      const { context, page } = await openPage('en-US', 360);
      try {
        const active = () =>
          page.evaluate(() => {
            const element = document.activeElement as HTMLElement | null;
            return { text: element?.textContent?.trim() ?? '', card: !!element?.classList.contains('ac-pushButton'), transcript: !!element?.classList.contains('webchat__basic-transcript') };
          });
        /** Presses Tab until `done`, at most `limit` times. */
        const tabUntil = async (done: (a: Awaited<ReturnType<typeof active>>) => boolean, limit = 30) => {
          for (let i = 0; i < limit; i++) {
            await page.keyboard.press('Tab');
            if (done(await active())) return true;
          }
          return false;
        };
        /** Web Chat's keyboard model: Tab to the chat history, End for the newest message, Enter to go into it. */
        const enterNewestMessage = async () => {
          if (!(await active()).transcript) expect(await tabUntil((a) => a.transcript)).toBe(true);
          await page.keyboard.press('End');
          await page.keyboard.press('Enter');
        };

        await enterNewestMessage();
        const target = label('en-US', 'PRODUCT_KEY');
        const onTarget = (await active()).text === target || (await tabUntil((a) => a.card && a.text === target, 10));
        expect(onTarget).toBe(true);

        const focus = await page.evaluate(() => {
          const style = getComputedStyle(document.activeElement as HTMLElement);
          return { outline: style.outlineStyle, width: parseFloat(style.outlineWidth), offset: parseFloat(style.outlineOffset), shadow: style.boxShadow };
        });
        // Drawn inside the button, where the card's overflow: hidden cannot clip it.
        expect(focus.outline).toBe('solid');
        expect(focus.width).toBeGreaterThanOrEqual(2);
        expect(focus.offset).toBeLessThanOrEqual(-focus.width);
        expect(focus.shadow).toContain('inset');
        await page.screenshot({ path: artifactPath('webchat-keyboard-focus.png') });

        const before = await articleCount(page);
        await page.keyboard.press('Enter');
        await waitForArticles(page, before + 2);
        await page.locator(BOT_ARTICLE).last().locator(CARD_BUTTON, { hasText: label('en-US', 'BUSINESS') }).first().waitFor();

        // The folded controls work from the keyboard too: "More options", then "Start over".
        await page.keyboard.press('Escape');
        await enterNewestMessage();
        expect(await tabUntil((a) => a.card && a.text === common('en-US').control.more, 15)).toBe(true);
        await page.keyboard.press('Enter');
        expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-expanded'))).toBe('true');
        expect(await tabUntil((a) => a.card && a.text === label('en-US', 'START_OVER'), 3)).toBe(true);
        const beforeRestart = await articleCount(page);
        await page.keyboard.press('Enter');
        await waitForArticles(page, beforeRestart + 2);
        await page.locator(BOT_ARTICLE).last().filter({ hasText: common('en-US').ask.start }).waitFor();
      } finally {
        await context.close();
      }
    },
    120_000,
  );

  test(
    'each message keeps its own language after the chat switches to English',
    async () => {
      const { context, page } = await openPage('nl-NL', 1280);
      try {
        await choose(page, label('nl-NL', 'REACTIVATE'));
        await openMore(page, 'nl-NL');
        await choose(page, label('nl-NL', 'LANGUAGE')); // the picker
        const beforeSwitch = await articleCount(page);
        await choose(page, 'English'); // the picker's button, named in its own language
        await page.waitForFunction(() => document.documentElement.lang === 'en-US');
        await page.waitForFunction(
          ({ selector, n }) => Array.from(document.querySelectorAll(selector)).filter((a) => a.getAttribute('lang')).length === n,
          { selector: BOT_ARTICLE, n: beforeSwitch + 2 },
        );
        const langs = await page.locator(BOT_ARTICLE).evaluateAll((articles) => articles.map((a) => a.getAttribute('lang')));
        // The welcome, the clicks and the Dutch answers (the picker's question among them) stay
        // Dutch; the click on "English" was made in the Dutch chat; the answer to it is English.
        expect(langs.slice(0, beforeSwitch)).toEqual(Array(beforeSwitch).fill('nl-NL'));
        expect(langs[langs.length - 1]).toBe('en-US');
        expect(await page.evaluate(() => document.documentElement.lang)).toBe('en-US');
        expect(formatViolations(await axeViolations(page))).toBe('');
      } finally {
        await context.close();
      }
    },
    120_000,
  );

  test.each([
    ['privacy', 'nl-NL'],
    ['terms', 'en-US'],
  ] as const)('/%s in %s passes axe at 360 px', async (name, locale) => {
    const context = await browser.newContext({ viewport: { width: 360, height: 800 } });
    try {
      const page = await context.newPage();
      const response = await page.goto(`${h.url}/${name}?lang=${locale}`);
      expect(response?.status()).toBe(200);
      expect(formatViolations(await axeViolations(page))).toBe('');
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
      await page.screenshot({ path: artifactPath(`${name}-${locale}-360.png`), fullPage: true });
    } finally {
      await context.close();
    }
  });

  test('nothing was loaded from off this machine and the browser logged no errors', () => {
    expect(problems).toEqual([]);
  });
});
