/**
 * The Web Chat page as a visitor drives it, as plain functions over WebChatPage (./webchat-page),
 * for tests written in that style; a click also checks that it shows as the visitor's own message.
 */
import type { Locator, Page } from 'playwright-core';
import { normalize } from './expected-text';
import { SEND_BOX, USER_MESSAGE, WebChatPage } from './webchat-page';

export { SEND_BOX, USER_MESSAGE };

export interface WebChatDriver {
  botMessages(): Locator;
  lastBotMessage(): Locator;
  waitForBotMessage(countBefore: number, expected: string[]): Promise<Locator>;
  replyTo(action: () => Promise<void>, expected: string[]): Promise<Locator>;
  click(label: string, expected: string[]): Promise<Locator>;
  type(text: string, expected: string[]): Promise<Locator>;
}

export function webChatDriver(page: Page, replyTimeout: number): WebChatDriver {
  const chat = new WebChatPage(page, replyTimeout);
  const replyTo = async (action: () => Promise<void>, expected: string[]): Promise<Locator> => {
    const before = await chat.messages().count();
    await action();
    return chat.botReply(before, expected);
  };
  return {
    botMessages: () => chat.messages(),
    lastBotMessage: () => chat.messages().last(),
    waitForBotMessage: (countBefore, expected) => chat.botReply(countBefore, expected),
    replyTo,
    async click(label, expected) {
      const reply = await chat.click(label, expected);
      // The click shows up as the visitor's own message (messageBack displayText).
      expect(normalize(await page.locator(USER_MESSAGE).last().innerText())).toContain(label);
      return reply;
    },
    type: (text, expected) => chat.type(text, expected),
  };
}
