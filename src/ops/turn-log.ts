import type { Middleware, TurnContext } from 'botbuilder';
import { conversationKey, type TurnObserver, type TurnOutcome } from '../bot/guide-bot';
import { metaOf } from '../bot/conversation';
import type { Logger } from '../logger';
import type { Metrics } from './metrics';

/**
 * One JSON log line and the metrics for every turn. The middleware times the turn from end to end
 * (including the reply and the observers) and sees exceptions; the observer hands it the outcome.
 *
 * The line carries ids, step names and event types only, never what the user wrote: a pasted
 * product key or password cannot reach the logs through it.
 */
const OUTCOME = Symbol('ag.turnOutcome');


export interface TurnLog {
  middleware: Middleware;
  observer: TurnObserver;
  /** Turns running right now (graceful shutdown waits for them). */
  readonly inFlight: number;
}

export function createTurnLog(deps: { logger: Logger; metrics: Metrics }): TurnLog {
  const { logger, metrics } = deps;
  let inFlight = 0;

  function record(outcome: TurnOutcome): void {
    // Conversation outcomes, as the steps' meta says: counted on the turn that reaches one.
    if (outcome.effects?.reached) metrics.outcomes.inc({ outcome: outcome.effects.reached });
    // Known-error lookups: the step the machine went to says what the matcher found.
    if (outcome.snapshot && (outcome.events.includes('ERROR_TEXT') || outcome.events.includes('CHOOSE_ERROR'))) {
      const context = outcome.snapshot.context;
      const dynamic = safeMeta(outcome)?.dynamic;
      if (outcome.events.includes('CHOOSE_ERROR')) metrics.errorMatches.inc({ id: context.errorId ?? 'none', outcome: 'chosen' });
      else if (dynamic === 'error-fix') metrics.errorMatches.inc({ id: context.errorId ?? 'none', outcome: 'confident' });
      else if (dynamic === 'error-candidates') metrics.errorMatches.inc({ id: context.candidates[0] ?? 'none', outcome: 'ambiguous' });
      else metrics.errorMatches.inc({ id: 'none', outcome: 'none' });
    }
  }

  const middleware: Middleware = {
    async onTurn(context: TurnContext, next: () => Promise<void>) {
      const started = process.hrtime.bigint();
      inFlight++;
      metrics.inFlightTurns.inc();
      let failed: unknown;
      // The connector client retries on its own (429 with Retry-After, 5xx, broken connections); what reaches here has failed for good.
      context.onSendActivities(async (_context, _activities, send) => {
        try {
          return await send();
        } catch (err) {
          metrics.sendFailures.inc();
          logger.warn({ err, conversation: context.activity.conversation?.id }, 'reply not delivered');
          throw err;
        }
      });
      try {
        await next();
      } catch (err) {
        failed = err;
        throw err;
      } finally {
        inFlight--;
        metrics.inFlightTurns.dec();
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const outcome = context.turnState.get(OUTCOME) as TurnOutcome | undefined;
        const kind = failed ? 'error' : (outcome?.kind ?? 'ignored');
        metrics.turns.inc({ kind });
        metrics.turnDuration.observe({ kind }, seconds);
        if (failed) metrics.turnErrors.inc();
        const { activity } = context;
        const line = {
          conversation: outcome?.conversationKey ?? (activity.conversation?.id ? conversationKey(activity) : undefined),
          activityType: activity.type,
          kind,
          step: outcome?.after,
          latencyMs: Math.round(seconds * 10_000) / 10,
          events: outcome?.events ?? [],
          attempts: outcome?.attempts,
          ...(outcome?.effects?.handOff ? { handOff: outcome.effects.handOff } : {}),
        };
        if (failed) logger.error(line, 'turn');
        else logger.info(line, 'turn');
      }
    },
  };

  const observer: TurnObserver = (context, outcome) => {
    context.turnState.set(OUTCOME, outcome);
    try {
      record(outcome);
    } catch (err) {
      logger.warn({ err }, 'could not record turn metrics');
    }
  };

  return {
    middleware,
    observer,
    get inFlight() {
      return inFlight;
    },
  };
}

function safeMeta(outcome: TurnOutcome) {
  try {
    return outcome.snapshot ? metaOf(outcome.snapshot) : undefined;
  } catch {
    return undefined;
  }
}
