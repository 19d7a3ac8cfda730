import type { CloudAdapter } from 'botbuilder';
import type { Logger } from '../logger';
import type { ChannelReader } from './guide-bot';
import type { Renderer } from './render';
import { noticeActivity } from './reply-activity';

/**
 * The one error handler at the edge: log with the conversation, apologise in the user's language.
 * Nothing was saved for the failed turn, so the stored state stays as it was before it.
 */
export function apologiseForFailedTurns(adapter: CloudAdapter, deps: { logger: Logger; renderer: Renderer; channel: ChannelReader }): void {
  const { logger, renderer, channel } = deps;
  adapter.onTurnError = async (context, error) => {
    logger.error({ err: error, conversation: context.activity.conversation?.id, activityType: context.activity.type }, 'turn failed');
    const locale = renderer.languages.fromChannel(channel.locale(context.activity));
    try {
      await context.sendActivity(noticeActivity(renderer.notice(locale, 'common:notice.somethingWentWrong'), locale));
    } catch (sendError) {
      logger.warn({ err: sendError }, 'could not tell the user about the failed turn');
    }
  };
}
