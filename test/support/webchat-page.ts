/**
 * The Web Chat page as a user sees it in headless Chromium: wait for the bot's answer, click a
 * card button, type, start over, leave a screenshot. Expected texts come from the same files the
 * bot reads (`text`, `block`), never written in a test.
 */
import type { Locator, Page } from 'playwright-core';
import { artifactPath, directLineTrace } from './browser';
import { block, normalize, rendered, t as text } from './expected-text';

export { block, text };

/** As Web Chat shows Markdown: link labels without targets, no emphasis marks, plain spaces and quotes. */
export const shown = (markdown: string) => normalize(rendered(markdown));

export const BOT_MESSAGE = '.webchat__stacked-layout:not(.webchat__stacked-layout--from-user)';
export const USER_MESSAGE = '.webchat__stacked-layout.webchat__stacked-layout--from-user';
export const SEND_BOX = '[data-id="webchat-sendbox-input"]';
const TRANSCRIPT = '.webchat__basic-transcript__scrollable';

/** Every shown button whose label is cut off: the button, or an element in it, is narrower than its text. */
export async function truncatedLabels(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const cut: string[] = [];
    for (const button of Array.from(document.querySelectorAll<HTMLElement>('button'))) {
      if (!button.offsetParent) continue; // not shown (screen-reader copies, closed cards)
      for (const element of [button, ...Array.from(button.querySelectorAll<HTMLElement>('*'))]) {
        if (element.scrollWidth > element.clientWidth && element.clientWidth > 0) {
          cut.push(`${button.textContent?.trim()} (${element.scrollWidth} > ${element.clientWidth})`);
          break;
        }
      }
    }
    return cut;
  });
}

export class WebChatPage {
  constructor(
    readonly page: Page,
    private readonly timeoutMs = 30_000,
  ) {}

  messages(): Locator {
    return this.page.locator(BOT_MESSAGE);
  }

  /** Waits for more than `before` bot messages, the newest showing every expected text. */
  async botReply(before: number, expected: string[]): Promise<Locator> {
    const wanted = expected.map(shown);
    try {
      await this.page.waitForFunction(
        ({ selector, before, wanted }) => {
          const messages = document.querySelectorAll<HTMLElement>(selector);
          if (messages.length <= before) return false;
          const text = messages[messages.length - 1]!.innerText
            .replace(/[\u200b-\u200d\ufeff]/g, '')
            .replace(/[\u201c\u201d\u201e]/g, '"')
            .replace(/[\u2018\u2019]/g, "'")
            .replace(/\s+/g, ' ');
          return wanted.every((part) => text.includes(part));
        },
        { selector: BOT_MESSAGE, before, wanted },
        { timeout: this.timeoutMs, polling: 100 },
      );
    } catch (err) {
      const count = await this.messages().count();
      const last = count > 0 ? shown(await this.messages().last().innerText()) : '(no bot message)';
      throw new Error(
        `no new bot message (had ${before}, now ${count}) showing all expected texts.\n` +
          `missing:\n  ${wanted.filter((w) => !last.includes(w)).join('\n  ')}\nnewest bot message:\n  ${last}\n(${String(err).split('\n')[0]})\n` +
          `Direct Line, as the page saw it:\n${directLineTrace(this.page)}`,
      );
    }
    return this.messages().last();
  }

  /** Clicks a button on the newest card and waits for the answer. */
  async click(label: string, expected: string[]): Promise<Locator> {
    const before = await this.messages().count();
    await this.messages().last().getByRole('button', { name: label, exact: true }).click();
    return this.botReply(before, expected);
  }

  /** Types into the send box, presses Enter and waits for the answer. */
  async type(message: string, expected: string[]): Promise<Locator> {
    const before = await this.messages().count();
    await this.page.locator(SEND_BOX).fill(message);
    await this.page.locator(SEND_BOX).press('Enter');
    return this.botReply(before, expected);
  }

  /** A new conversation, from the page's own button; waits for the welcome. */
  async newConversation(expected: string[]): Promise<void> {
    await this.page.click('#restart');
    await this.botReply(0, expected);
  }

  async expectButtons(message: Locator, labels: string[]): Promise<void> {
    for (const label of labels) await message.getByRole('button', { name: label, exact: true }).waitFor({ state: 'visible', timeout: this.timeoutMs });
  }

  /** The whole conversation on one image in test/artifacts/: the window is made as tall as the transcript. */
  async screenshot(name: string): Promise<string> {
    const page = this.page;
    const viewport = page.viewportSize() ?? { width: 1280, height: 900 };
    const hidden = await page.locator(TRANSCRIPT).evaluate((scroller) => scroller.scrollHeight - scroller.clientHeight);
    await page.setViewportSize({ width: viewport.width, height: Math.min(viewport.height + Math.max(0, hidden), 8_000) });
    await page.waitForFunction(
      (selector) => {
        const scroller = document.querySelector(selector);
        return !!scroller && scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= 2;
      },
      TRANSCRIPT,
      { timeout: this.timeoutMs, polling: 100 },
    );
    const file = artifactPath(name);
    await page.screenshot({ path: file, fullPage: true });
    await page.setViewportSize(viewport);
    return file;
  }
}
