import type { Activity } from 'botbuilder';
import { choicesCard, type ChoicesCardOptions } from './card';
import type { EffectHandlers } from './effects';
import type { Reply } from './render';

/** Controls that are seldom needed at a step: the card folds them behind "More". */
const RARE_COMMANDS: ReadonlySet<string> = new Set(['START_OVER', 'LANGUAGE']);

function cardOf(reply: Reply): ChoicesCardOptions {
  const rare = (button: Reply['controls'][number]) => button.data.ag === 'command' && RARE_COMMANDS.has(button.data.command);
  return {
    choices: reply.choices,
    secondary: reply.controls.filter((b) => !rare(b)),
    more: { label: reply.moreLabel, buttons: reply.controls.filter(rare) },
  };
}

/**
 * A reply as one message: the Markdown (clickable links in Teams and Web Chat) and a card with
 * the answers and the controls. Cards rather than suggested actions, because Teams shows only
 * three suggested actions and many steps offer more.
 */
export function replyActivity(reply: Reply): Partial<Activity> {
  return {
    type: 'message',
    text: reply.markdown,
    textFormat: 'markdown',
    locale: reply.locale,
    inputHint: 'expectingInput',
    attachments: [choicesCard(cardOf(reply))],
  };
}

/**
 * A stand-alone notice (the store is unavailable, the turn failed) in the same shape as every
 * other reply, so that channels format it alike and clients keep the input box open for the retry.
 */
export function noticeActivity(text: string, locale: string): Partial<Activity> {
  return { type: 'message', text, textFormat: 'markdown', locale, inputHint: 'expectingInput' };
}

/** The bot's `say` (src/bot/effects.ts): a reply or a notice, as one of the messages above. */
export const sayAsMessages: Pick<EffectHandlers, 'say' | 'sayNotice'> = {
  say: async (context, reply) => void (await context.sendActivity(replyActivity(reply))),
  sayNotice: async (context, notice) => void (await context.sendActivity(noticeActivity(notice.text, notice.locale))),
};
