import type { TurnContext } from 'botbuilder';
import { conversationKey, type TurnOutcome } from '../bot/guide-bot';
import { metaOf } from '../bot/conversation';
import type { Logger } from '../logger';
import type { Metrics } from './metrics';

/**
 * One JSON log line and the metrics for every turn. `logged` runs the bot's turn: it times it from
 * end to end (the reply and the observers included), sees its exception, and takes the outcome
 * from what the turn returns.
 *
 * The line carries ids, step names and event types only, never what the user wrote: a pasted
 * product key or password cannot reach the logs through it.
 */
export interface TurnLog {
  /** Runs `turn` for `context` (the adapter's turn logic) and logs it; rethrows its failure for the adapter's error handler. */
  logged(context: TurnContext, turn: (context: TurnContext) => Promise<TurnOutcome>): Promise<TurnOutcome>;
}

export function createTurnLog(deps: { logger: Logger; metrics: Metrics }): TurnLog {
  const { logger, metrics } = deps;
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

  function write(context: TurnContext, outcome: TurnOutcome | undefined, failed: boolean, seconds: number): void {
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

  async function logged(context: TurnContext, turn: (context: TurnContext) => Promise<TurnOutcome>): Promise<TurnOutcome> {
    const started = process.hrtime.bigint();
    metrics.inFlightTurns.inc();
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
    let outcome: TurnOutcome | undefined;
    let failed = false;
    try {
      outcome = await turn(context);
      try {
        record(outcome);
      } catch (err) {
        logger.warn({ err }, 'could not record turn metrics');
      }
      return outcome;
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      metrics.inFlightTurns.dec();
      write(context, outcome, failed, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  return { logged };
}

function safeMeta(outcome: TurnOutcome) {
  try {
    return outcome.snapshot ? metaOf(outcome.snapshot) : undefined;
  } catch {
    return undefined;
  }
}
