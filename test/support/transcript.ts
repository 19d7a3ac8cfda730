import type { Locale } from '../../dialogs/types';
import { loadGuideContent } from '../../src/i18n/guide-content';
import { createStrings } from '../../src/i18n/strings';
import type { Chat } from './bot-harness';

/**
 * Conversation tests as tables. A turn is what the user does and what the reply must contain:
 *   ['say', 'my subscription stopped', 'reactivate:ask.reason']
 *   ['click', 'common:choice.EXPIRED', 'guide:reactivate.expired']
 * Expectations are keys, resolved in the conversation's language, so one table can serve both
 * languages and never hard-codes a sentence that lives in locales/ or content/.
 *   `ns:key`        an i18next string (Markdown as rendered)
 *   `guide:ref`     the first sentence of a content block (its title or text)
 *   `"literal"`     a literal fragment
 *   `!ns:key`       must NOT appear
 * A string with {{placeholders}} (filled in by the bot: a button's label) is matched up to its first one.
 */
export type Turn = ['say' | 'click', string, ...string[]];

const strings = createStrings();
const content = loadGuideContent();

export function expected(locale: Locale, ref: string): string {
  if (ref.startsWith('"')) return ref.slice(1, -1);
  if (ref.startsWith('guide:')) {
    const block = content.block(locale, ref.slice('guide:'.length));
    if (!block) throw new Error(`no content block ${ref}`);
    return (block.title ?? block.text ?? '').split(/(?<=[.!?])\s/)[0];
  }
  if (!strings.has(locale, ref)) throw new Error(`no string ${ref} in ${locale}`);
  return strings.t(locale, ref).split('{{')[0]!;
}

export async function play(chat: Chat, locale: Locale, turns: Turn[], lang: () => Locale = () => locale): Promise<void> {
  if (turns[0]?.[0] === 'click' && !chat.last()) await chat.open();
  for (const [action, input, ...expectations] of turns) {
    const current = lang();
    if (action === 'say') await chat.say(input);
    else await chat.click(input.includes(':') ? expected(current, input) : input);
    const after = expectations.some((e) => e.startsWith('@')) ? (expectations.find((e) => e.startsWith('@'))!.slice(1) as Locale) : current;
    const reply = chat.lastText();
    for (const ref of expectations.filter((e) => !e.startsWith('@'))) {
      const negate = ref.startsWith('!');
      const fragment = expected(after, negate ? ref.slice(1) : ref);
      if (negate) expect(reply).not.toContain(fragment);
      else if (!reply.includes(fragment)) {
        throw new Error(`after ${action} "${input}" the reply lacks ${ref} ("${fragment}"). Reply was:\n${reply}`);
      }
    }
  }
}
