import type { Middleware } from 'botbuilder';
import type { Server } from 'restify';
import type { TurnObserver } from '../bot/guide-bot';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { ConversationStore } from '../storage/create-store';

export interface OperationsDeps {
  config: Config;
  logger: Logger;
  store: ConversationStore;
}

/** Logging, metrics, rate limits and send retries: what the operator needs around every turn. */
export interface Operations {
  /** Installed before any route (rate limits and the like). */
  registerBefore(server: Server): void;
  /** Installed after the bot's routes (/metrics). */
  registerAfter(server: Server): void;
  /** botbuilder middleware, e.g. retrying sends the channel throttled. */
  adapterMiddleware: Middleware[];
  observer: TurnObserver;
}

export function createOperations(deps: OperationsDeps): Operations {
  return {
    registerBefore: () => {},
    registerAfter: () => {},
    adapterMiddleware: [],
    observer: (_context, outcome) => {
      deps.logger.info({ conversation: outcome.conversationKey, kind: outcome.kind, step: outcome.after, events: outcome.events }, 'turn');
    },
  };
}
