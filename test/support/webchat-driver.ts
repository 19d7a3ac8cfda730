/**
 * Drives the Web Chat page in Chromium the way a visitor does, and waits for what the bot shows:
 * the newest bot message must show every expected text (rendered, normalised).
 */
import type { Locator, Page } from 'playwright-core';
import { normalize, rendered } from './expected-text';

export const BOT_MESSAGE = '.webchat__stacked-layout:not(.webchat__stacked-layout--from-user)';
export const USER_MESSAGE = '.webchat__stacked-layout.webchat__stacked-layout--from-user';
export const SEND_BOX = '[data-id="webchat-sendbox-input"]';

export interface WebChatDriver {
  botMessages(): Locator;
  lastBotMessage(): Locator;
  waitForBotMessage(countBefore: number, expected: string[]): Promise<Locator>;
  replyTo(action: () => Promise<void>, expected: string[]): Promise<Locator>;
  click(label: string, expected: string[]): Promise<Locator>;
  type(text: string, expected: string[]): Promise<Locator>;
}

export function webChatDriver(page: Page, replyTimeout: number): WebChatDriver {
  const REPLY_TIMEOUT = replyTimeout;
  function botMessages(): Locator {
    return page.locator(BOT_MESSAGE);
  }

  function lastBotMessage(): Locator {
    return botMessages().last();
  }

  /**
   * Waits until there are more than `countBefore` bot messages and the newest one shows all of
   * `expected` (rendered, normalised). Old messages stay in the transcript, so only the newest counts.
   */
  async function waitForBotMessage(countBefore: number, expected: string[]): Promise<Locator> {
    const wanted = expected.map((text) => normalize(rendered(text)));
    try {
      await page.waitForFunction(
        ({ selector, countBefore, wanted }) => {
          const messages = document.querySelectorAll<HTMLElement>(selector);
          if (messages.length <= countBefore) return false;
          const text = messages[messages.length - 1].innerText
            .replace(/[\u200b-\u200d\ufeff]/g, '')
            .replace(/[\u201c\u201d\u201e]/g, '"')
            .replace(/[\u2018\u2019]/g, "'")
            .replace(/\s+/g, ' ');
          return wanted.every((part) => text.includes(part));
        },
        { selector: BOT_MESSAGE, countBefore, wanted },
        { timeout: REPLY_TIMEOUT, polling: 100 },
      );
    } catch (err) {
      const count = await botMessages().count();
      const last = count > 0 ? normalize(await lastBotMessage().innerText()) : '(no bot message)';
      const missing = wanted.filter((part) => !last.includes(part));
      throw new Error(
        `no new bot message (had ${countBefore}, now ${count}) showing all expected texts.\n` +
          `missing:\n  ${missing.join('\n  ')}\nnewest bot message:\n  ${last}\n(${String(err).split('\n')[0]})`,
      );
    }
    return lastBotMessage();
  }

  /** Runs a user action and waits for the bot's answer to it. */
  async function replyTo(action: () => Promise<void>, expected: string[]): Promise<Locator> {
    const before = await botMessages().count();
    await action();
    return waitForBotMessage(before, expected);
  }

  /** Clicks a card button of the newest bot message and waits for the answer. */
  async function click(label: string, expected: string[]): Promise<Locator> {
    const button = lastBotMessage().getByRole('button', { name: label, exact: true });
    const reply = await replyTo(() => button.click(), expected);
    // The click shows up as the user's own message (messageBack displayText).
    expect(normalize(await page.locator(USER_MESSAGE).last().innerText())).toContain(label);
    return reply;
  }

  /** Types into the send box, presses Enter and waits for the answer. */
  async function type(text: string, expected: string[]): Promise<Locator> {
    return replyTo(async () => {
      await page.locator(SEND_BOX).fill(text);
      await page.locator(SEND_BOX).press('Enter');
    }, expected);
  }

  return { botMessages, lastBotMessage, waitForBotMessage, replyTo, click, type };
}
