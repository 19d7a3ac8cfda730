import type { Activity } from 'botbuilder';
import { choicesCard } from './card';
import type { Reply } from './render';

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
    attachments: [choicesCard({ choices: reply.choices, secondary: reply.controls })],
  };
}
