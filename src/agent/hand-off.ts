import { EventFactory, type Activity, type Transcript } from 'botbuilder';
import { caseSummary, formatCaseSummary, type CaseSummary } from '../bot/case-summary';
import type { EffectHandlers } from '../bot/effects';
import type { KnownErrorCatalog } from '../understanding/known-error-catalog';
import type { Strings } from '../i18n/strings';
import type { Logger } from '../logger';
import { maskProductKeys } from '../understanding/product-key';
import type { TranscriptLine } from './case-log';

export interface HandOffDeps {
  /** The conversation's transcript as stored, this turn included. */
  transcriptOf(conversationKey: string): Promise<TranscriptLine[]>;
  strings: Strings;
  /** The summary names a matched error by its title, as the customer saw it. */
  errors: Pick<KnownErrorCatalog, 'has' | 'title'>;
  logger: Logger;
  /**
   * Channel ids (lower case) that take the `handoff.initiate` event: Direct Line and Web Chat in
   * front of an agent hub do; Teams answers it with 400. Elsewhere the hand-off is the case on the
   * console's hand-offs tab and the message to the user. Default: every channel.
   */
  handOffEventChannels?: readonly string[];
}

/** What an agent hub gets with `handoff.initiate`: the structured summary, and as text in both languages. */
export interface HandOffContext {
  caseSummary: CaseSummary;
  summaryText: Record<string, string>;
  reason: string;
  locale: string;
}

/**
 * The bot's `handOff`: the Bot Framework hand-off event with the transcript and the case summary,
 * on the channels that take it. The case itself was opened by the turn recorder. A failure is
 * logged (never the text) and does not reach the customer, who already has the bot's reply.
 */
export function createHandOff(deps: HandOffDeps): EffectHandlers['handOff'] {
  const { logger } = deps;
  return async (context, { conversationKey: key, reason, snapshot }) => {
    const transcript = await deps.transcriptOf(key);
    const channel = (context.activity.channelId ?? '').toLowerCase();
    if (deps.handOffEventChannels && !deps.handOffEventChannels.includes(channel)) {
      logger.info({ conversation: key, reason, channel }, 'agent desk: handed the conversation to support on the console (this channel takes no hand-off event)');
      return;
    }
    const summary = caseSummary(snapshot.context, 'escalated');
    // The customer's language, and the agents' (the language table's default).
    const locales = [...new Set([summary.locale, deps.strings.languages.defaultTag])];
    const handOff: HandOffContext = {
      caseSummary: summary,
      summaryText: Object.fromEntries(locales.map((l) => [l, formatCaseSummary(summary, deps.strings, l, { errors: deps.errors })])),
      reason,
      locale: summary.locale,
    };
    try {
      await context.sendActivity(EventFactory.createHandoffInitiation(context, handOff, toTranscript(transcript, context.activity)));
      logger.info({ conversation: key, reason }, 'agent desk: handed the conversation to support');
    } catch (err) {
      logger.warn({ err, conversation: key, reason }, 'agent desk: could not send the hand-off event');
    }
  };
}

/** The transcript as Bot Framework activities, the shape `handoff.initiate` carries. */
function toTranscript(lines: readonly TranscriptLine[], activity: Partial<Activity>): Transcript {
  const user = { id: activity.from?.id ?? 'user', name: activity.from?.name, role: 'user' };
  const bot = { id: activity.recipient?.id ?? 'bot', name: activity.recipient?.name, role: 'bot' };
  return {
    activities: lines.map(
      (line) =>
        ({
          type: 'message',
          timestamp: line.at,
          channelId: activity.channelId,
          conversation: activity.conversation,
          from: line.from === 'customer' ? user : bot,
          recipient: line.from === 'customer' ? bot : user,
          text: maskProductKeys(line.text),
          textFormat: line.from === 'bot' ? 'markdown' : 'plain',
        }) as unknown as Activity,
    ),
  };
}
