import type { Middleware } from 'botbuilder';
import type { Request, Response, Server } from 'restify';
import type { TurnObserver } from '../bot/guide-bot';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { requireMetricsToken } from '../http/metrics-access';
import { isETagConflict, type ConversationStore } from '../storage/create-store';
import { createHttpGuards } from '../http/guards';
import { answerUnhandledInvokes } from './invoke';
import { createMetrics, type Metrics } from './metrics';
import { createTurnLog } from './turn-log';

export interface OperationsDeps {
  config: Config;
  logger: Logger;
  store: ConversationStore;
}

/** Logging, metrics and rate limits: what the operator needs around every turn. */
export interface Operations {
  /** Installed before any route (rate limits and the like). */
  registerBefore(server: Server): void;
  /** Installed after the bot's routes (/metrics). */
  registerAfter(server: Server): void;
  /** botbuilder middleware: the turn log, and invokes nobody answered. */
  adapterMiddleware: Middleware[];
  observer: TurnObserver;
  /**
   * Graceful shutdown, first half: new requests get 503 (and /readyz says so), then this resolves
   * once the requests in flight have been answered, or after `timeoutMs` (default 6 s).
   */
  drain(timeoutMs?: number): Promise<void>;
  metrics: Metrics;
}

const STORE_OPERATIONS = ['read', 'write', 'delete', 'ping'] as const;

/**
 * Counts failed storage operations into `metrics`, by wrapping the store's methods in place (the
 * same object is used by the bot, the readiness probe and the agent desk, so all are counted).
 */
function instrumentStore(store: ConversationStore, metrics: Metrics): void {
  for (const operation of STORE_OPERATIONS) {
    const original = store[operation] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (typeof original !== 'function') continue;
    (store as unknown as Record<string, unknown>)[operation] = async (...args: unknown[]) => {
      try {
        return await original.apply(store, args);
      } catch (err) {
        if (!isETagConflict(err)) metrics.storageErrors.inc({ operation });
        throw err;
      }
    };
  }
}

export function createOperations(deps: OperationsDeps): Operations {
  const { config, logger } = deps;
  // Read at every scrape: the store keeps the count.
  const metrics = createMetrics({ storeDamage: () => deps.store.damage?.() });
  const guards = createHttpGuards({ config, logger, metrics });
  const turnLog = createTurnLog({ logger, metrics });
  instrumentStore(deps.store, metrics);

  return {
    metrics,
    registerBefore: (server) => guards.install(server),
    registerAfter: (server) => {
      server.get('/metrics', requireMetricsToken(config.metricsToken), async (_req: Request, res: Response) => {
        const body = await metrics.registry.metrics();
        // Plain Node calls: restify would JSON-encode a string body.
        const raw = res as unknown as import('node:http').ServerResponse;
        raw.statusCode = 200;
        raw.setHeader('Content-Type', metrics.registry.contentType);
        raw.setHeader('Cache-Control', 'no-store');
        raw.end(body);
      });
    },
    // The turn log first, so that it times everything, the connector client's own retries included.
    adapterMiddleware: [turnLog.middleware, answerUnhandledInvokes],
    observer: turnLog.observer,
    drain: async (timeoutMs = 6000) => {
      const { pending } = await guards.drain(timeoutMs);
      if (pending > 0) logger.warn({ pending }, 'shutting down with requests still in flight');
    },
  };
}
