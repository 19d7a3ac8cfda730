/**
 * A language added as data alone, drawn in real headless Chromium (issue 25): the pseudo-locale
 * qps-ploc, written by scripts/pseudo-locale.ts into copies of content/ and locales/, served by the
 * real app started with CONTENT_DIR and LOCALES_DIR pointing at the copies (no code change).
 *
 * In qps-ploc every text is accented and about 30 % longer than English, in « ». At 360 px and at
 * 1280 px, through a click, the "More options" card and the language picker: the page's own text
 * and the bot's are the pseudo text, and no button label is cut off (scrollWidth <= clientWidth).
 * Screenshots: test/artifacts/webchat-qps-ploc-360.png and -1280.png.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadLanguages } from '../../src/i18n/languages';
import { startHarness, type Harness } from '../support/bot-harness';
import { launchBrowser, loopbackPage } from '../support/browser';
import { PSEUDO, pseudoContent } from '../support/pseudo-content';
import { BOT_MESSAGE, shown, truncatedLabels, WebChatPage } from '../support/webchat-page';

const TIMEOUT = 30_000;
const pseudo = pseudoContent();
const languages = loadLanguages(pseudo.contentDir);
const readJson = (...parts: string[]) => JSON.parse(readFileSync(join(...parts), 'utf8'));
/** The pseudo-locale's strings, from the copy the app reads. */
const strings = (ns: string) => readJson(pseudo.localesDir, PSEUDO, `${ns}.json`);
const common = strings('common') as { choice: Record<string, string>; control: { more: string }; ask: Record<string, string>; notice: Record<string, string> };
const webchat = strings('webchat') as Record<string, string>;
const guide = readJson(pseudo.contentDir, PSEUDO, 'guide.json') as { start: { welcome: { text: string } } };
const english = readJson(pseudo.localesDir, languages.defaultTag, 'webchat.json') as Record<string, string>;

let h: Harness;
let browser: Browser;
const problems: string[] = [];

beforeAll(async () => {
  h = await startHarness({ env: { CONTENT_DIR: pseudo.contentDir, LOCALES_DIR: pseudo.localesDir } });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await h?.close();
  pseudo.remove();
}, 60_000);

/** The newest message's card button with exactly this label. */
const cardButton = (page: Page, label: string) =>
  page.locator(BOT_MESSAGE).last().getByRole('button', { name: label, exact: true });

describe.each([[360], [1280]])('Web Chat in qps-ploc at %i px (headless Chromium)', (width) => {
  test(
    'the page and the bot speak the pseudo-locale, and no button label is cut off',
    async () => {
      const { context, page } = await loopbackPage(browser, { locale: 'en-US', viewport: { width, height: 900 } }, problems, TIMEOUT);
      try {
        await page.goto(`${h.url}/?lang=${PSEUDO}`);
        const chat = new WebChatPage(page, TIMEOUT);
        await chat.botReply(0, [guide.start.welcome.text, common.ask.start]);

        // The page's own text: the pseudo strings, the picker naming qps-ploc in itself.
        expect(await page.getAttribute('html', 'lang')).toBe(PSEUDO);
        expect(await page.locator('h1').innerText()).toBe(webchat.heading);
        expect(await page.locator('h1').innerText()).not.toBe(english.heading);
        expect(await page.locator('#restart').innerText()).toBe(webchat.restartButton);
        expect(await page.locator(`#language option[value="${PSEUDO}"]`).innerText()).toBe(languages.name(PSEUDO, PSEUDO));
        expect(await page.locator('#language').inputValue()).toBe(PSEUDO);

        // A click, then the language picker behind "More options": every label still whole.
        await chat.click(common.choice.ACTIVATE!, [strings('activate').ask.license]);
        await cardButton(page, common.control.more).click();
        await cardButton(page, common.choice.LANGUAGE!).waitFor({ state: 'visible' });
        expect(await truncatedLabels(page)).toEqual([]);
        const picker = await chat.click(common.choice.LANGUAGE!, [common.notice.chooseLanguage!]);
        await chat.expectButtons(picker, languages.tags.filter((l) => l !== PSEUDO).map((l) => languages.name(l, l)));
        expect(await truncatedLabels(page)).toEqual([]);

        // Every bot message is pseudo text, and the page does not scroll sideways.
        for (const text of await chat.messages().allInnerTexts()) expect(shown(text)).toMatch(/«.*»/s);
        expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);

        await chat.screenshot(`webchat-${PSEUDO}-${width}.png`);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    },
    120_000,
  );
});
