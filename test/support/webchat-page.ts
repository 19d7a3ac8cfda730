/**
 * The Web Chat page as a user sees it in headless Chromium: wait for the bot's answer, click a
 * card button, type, start over, leave a screenshot. Expected texts come from the same files the
 * bot reads (`text`, `block`), never written in a test.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { Locale } from '../../dialogs/types';
import { artifactPath } from './browser';

const ROOT = path.resolve(__dirname, '..', '..');
const json = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>;
const at = (value: unknown, key: string): unknown =>
  key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), value);

/** An i18next string, `namespace:key.path`, from locales/<locale>/<namespace>.json. */
export function text(locale: Locale, ref: string): string {
  const [ns, key] = ref.split(':');
  const value = at(json(`locales/${locale}/${ns}.json`), key!);
  if (typeof value !== 'string') throw new Error(`locales/${locale}/${ns}.json has no string at ${key}`);
  return value;
}

/** A content block from content/<locale>/guide.json: title, text, steps, "more" line. */
export function block(locale: Locale, ref: string): string[] {
  const value = at(json(`content/${locale}/guide.json`), ref) as { title?: string; text?: string; steps?: string[]; more?: string } | undefined;
  if (!value) throw new Error(`content/${locale}/guide.json has no block ${ref}`);
  return [value.title, value.text, ...(value.steps ?? []), value.more].filter((part): part is string => typeof part === 'string');
}

/** As Web Chat shows Markdown: link labels without targets, no emphasis marks, plain spaces and quotes. */
export const shown = (markdown: string) =>
  markdown
    .replace(/\[([^\]]*)\]\([^)\s]+\)/g, '$1')
    .replace(/\*\*/g, '')
    .replace(/[\u200b-\u200d\ufeff]/g, '')
    .replace(/[\u201c\u201d\u201e]/g, '"')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();

export const BOT_MESSAGE = '.webchat__stacked-layout:not(.webchat__stacked-layout--from-user)';
const TRANSCRIPT = '.webchat__basic-transcript__scrollable';
const SEND_BOX = '[data-id="webchat-sendbox-input"]';

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
      const last = (await this.messages().count()) ? shown(await this.messages().last().innerText()) : '(no bot message)';
      throw new Error(`the newest bot message lacks: ${wanted.filter((w) => !last.includes(w)).join(' | ')}\nit was: ${last}\n(${String(err).split('\n')[0]})`);
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
