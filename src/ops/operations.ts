import type { Middleware } from 'botbuilder';
import type { Logger } from '../logger';
import type { ConversationStore } from '../storage/create-store';
import { countStoreErrors } from './counted-store';
import { answerUnhandledInvokes } from './invoke';
import { createMetrics, type Metrics } from './metrics';
import { createTurnLog, type TurnLog } from './turn-log';

export interface OperationsDeps {
  logger: Logger;
  /** The store as built; the app uses `Operations.store` instead. */
  store: ConversationStore;
}

/** Logging, metrics and the counted store: what the operator needs around every turn. */
export interface Operations {
  metrics: Metrics;
  /** The store with its failures counted (src/ops/counted-store.ts): the one the bot, the probes and the agent desk use. */
  store: ConversationStore;
  /** One log line and the metrics per turn; the app's turn logic runs the bot through `turnLog.logged`. */
  turnLog: TurnLog;
  /** botbuilder middleware: invokes nobody answered. */
  adapterMiddleware: Middleware[];
}

export function createOperations(deps: OperationsDeps): Operations {
  const { logger, store } = deps;
  // Read at every scrape: the store keeps the count.
  const metrics = createMetrics({ storeDamage: () => store.damage?.() });
  return {
    metrics,
    store: countStoreErrors(store, metrics.storageErrors),
    turnLog: createTurnLog({ logger, metrics }),
    adapterMiddleware: [answerUnhandledInvokes],
  };
}
