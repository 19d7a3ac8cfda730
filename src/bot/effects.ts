import type { TurnContext } from 'botbuilder';
import type { EscalationReason } from '../../dialogs/setup';
import type { Locale } from '../../dialogs/types';
import type { GuideSnapshot } from './conversation';
import type { Reply } from './render';

/** A sentence said on its own, outside the flow (the store is unavailable, a write is unconfirmed). */
export interface NoticeText {
  text: string;
  locale: Locale;
}

/** What a hand-off needs: whose conversation, why, and where it stands (for the case summary). */
export interface HandOffRequest {
  conversationKey: string;
  reason: EscalationReason;
  snapshot: GuideSnapshot;
}

/**
 * How the bot carries out the machine's effects (`say`, `handOff`). GuideBot is given these and
 * sends nothing itself, so everything that leaves a turn goes through here.
 */
export interface EffectHandlers {
  say(context: TurnContext, reply: Reply): Promise<void>;
  sayNotice(context: TurnContext, notice: NoticeText): Promise<void>;
  /** Logs its own failures rather than throwing: the customer already has the bot's reply. */
  handOff(context: TurnContext, request: HandOffRequest): Promise<void>;
}
