import type { Activity } from 'botbuilder';
import type { EscalationReason, GuideContext, StepMeta } from '../../dialogs/setup';
import { caseSummary } from '../bot/case-summary';
import { metaOf, type GuideSnapshot } from '../bot/conversation';
import type { TurnObserver } from '../bot/guide-bot';
import type { KnownErrorCatalog } from '../understanding/known-error-catalog';
import type { Strings } from '../i18n/strings';
import type { Logger } from '../logger';
import { maskProductKeys } from '../understanding/product-key';
import type { CaseLog, CaseRecord, TranscriptLine } from './case-log';

export interface TurnRecorderDeps {
  log: CaseLog;
  strings: Strings;
  errors: KnownErrorCatalog;
  logger: Logger;
  now: () => number;
  /** How long a turn's record may wait (WRITE_DELAY_MS); tests set it long, to see the batching, or short. */
  writeDelayMs?: number;
}

/** Conversations with unwritten turns before a turn has to wait for them (back-pressure). */
const MAX_PENDING = 1000;
/** How long a turn's record may wait, so that the turns of that moment are written together. */
const WRITE_DELAY_MS = 1000;

export interface TurnRecorder {
  observe: TurnObserver;
  /** Writes a conversation's waiting turns and returns its whole transcript (for a hand-off). */
  transcriptOf(conversationKey: string): Promise<TranscriptLine[]>;
  /** Writes every turn recorded so far and resolves once it is stored (agent reads, shutdown). */
  settled(): Promise<void>;
}

/** What a turn changes in its case: only this is kept until the write, not the whole turn. */
interface TurnFacts {
  conversationKey: string;
  channelId: string | undefined;
  userTurn: boolean;
  context: GuideContext;
  meta: StepMeta;
  at: number;
  handOff: EscalationReason | undefined;
}

/** A conversation's turns not written yet: their lines, and their facts in order. */
interface Unwritten {
  lines: TranscriptLine[];
  facts: TurnFacts[];
}

/**
 * After every turn: add the turn to the conversation's transcript and update its case (an
 * escalation opens the case's hand-off). Sending the hand-off itself is `hand-off.ts`'s job.
 *
 * Recording is written behind the turn, not inside it: a conversation's turns of the last second
 * are collected and written as one transcript and one case update, so the customer's reply never
 * waits for the agent desk, and a chat of eight quick turns costs one or two writes instead of
 * sixteen. Writes of one conversation are chained, so its transcript keeps its order. Whatever
 * reads the agent desk's records (console, hand-off, shutdown) first writes what is waiting, so
 * nothing is ever read stale within an instance; a crash loses at most the last second of
 * transcript, never the conversation itself, whose state the turn loop has already stored.
 * A failure here is logged and swallowed: the customer already has the bot's reply, and a
 * transcript problem must not turn into "something went wrong" for them.
 */
export function createTurnRecorder(deps: TurnRecorderDeps): TurnRecorder {
  const { log, logger } = deps;
  const unwritten = new Map<string, Unwritten>();
  const chains = new Map<string, Promise<TranscriptLine[] | undefined>>();
  let timer: NodeJS.Timeout | undefined;

  const write = (key: string, turns: Unwritten): Promise<TranscriptLine[] | undefined> =>
    log
      .record(key, turns.lines, (current) => turns.facts.reduce<CaseRecord | undefined>(nextCase, current)!)
      .then(
        (recorded) => recorded.transcript,
        (err: unknown) => {
          logger.warn({ err, conversation: key }, 'agent desk: could not record the turn');
          // Only these turns' lines, then; the customer's words were masked when they were taken.
          return turns.lines;
        },
      );

  /** Starts writing a conversation's waiting turns, after its previous write. */
  const flush = (key: string): Promise<TranscriptLine[] | undefined> => {
    const turns = unwritten.get(key);
    const previous = chains.get(key) ?? Promise.resolve(undefined);
    if (!turns) return previous;
    unwritten.delete(key);
    const written = previous.then(() => write(key, turns));
    chains.set(key, written);
    void written.finally(() => {
      if (chains.get(key) === written) chains.delete(key);
    });
    return written;
  };

  const flushAll = (): Promise<unknown> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    return Promise.all([...unwritten.keys()].map(flush));
  };

  const observe: TurnObserver = async (context, outcome) => {
    if ((outcome.kind !== 'turn' && outcome.kind !== 'welcome') || !outcome.snapshot) return;
    const key = outcome.conversationKey;
    const { activity } = context;
    const meta = metaOf(outcome.snapshot);
    const now = deps.now();
    const turns = unwritten.get(key) ?? { lines: [], facts: [] };
    unwritten.set(key, turns);
    const said = outcome.kind === 'turn' ? customerLine(activity, outcome.snapshot, deps) : undefined;
    const at = new Date(now).toISOString();
    if (said) turns.lines.push({ at, from: 'customer', text: said });
    if (outcome.reply) turns.lines.push({ at, from: 'bot', text: outcome.reply.markdown, step: meta.step });
    // Taken now: the turn's context is revoked when the turn ends.
    turns.facts.push({
      conversationKey: key,
      channelId: activity.channelId,
      userTurn: outcome.kind === 'turn',
      context: outcome.snapshot.context,
      meta,
      at: now,
      handOff: outcome.effects?.handOff,
    });
    // An escalating turn is written at once by the hand-off that follows (transcriptOf); the timer
    // is the backstop should that never come.
    if (unwritten.size > MAX_PENDING) await flushAll();
    else timer ??= setTimeout(() => void flushAll(), deps.writeDelayMs ?? WRITE_DELAY_MS).unref();
  };

  return {
    observe,
    transcriptOf: async (key) => {
      const written = await flush(key);
      if (written) return written;
      // Nothing was waiting or being written (the timer got there first): it is all stored.
      try {
        return (await log.get(key))?.transcript ?? [];
      } catch (err) {
        logger.warn({ err, conversation: key }, 'agent desk: could not read the transcript');
        return [];
      }
    },
    settled: async () => {
      await flushAll();
      await Promise.all([...chains.values()]);
    },
  };
}

/** What the customer did this turn: their words (masked), or the label of the button they clicked. */
function customerLine(activity: Partial<Activity>, snapshot: GuideSnapshot, deps: TurnRecorderDeps): string | undefined {
  const text = typeof activity.text === 'string' ? activity.text.trim() : '';
  if (text) return maskProductKeys(text);
  const value = activity.value as Record<string, unknown> | undefined;
  if (!value || typeof value !== 'object') return undefined;
  const locale = snapshot.context.locale;
  const label = (key: string) => (deps.strings.has(locale, key) ? `[${deps.strings.t(locale, key)}]` : undefined);
  if (value.ag === 'choice' && typeof value.choice === 'string') return label(`common:choice.${value.choice}`);
  if (value.ag === 'command' && typeof value.command === 'string') return label(`common:choice.${value.command}`);
  if (value.ag === 'error' && typeof value.id === 'string' && deps.errors.has(value.id)) return `[${deps.errors.title(value.id, locale)}]`;
  return undefined;
}

function nextCase(current: CaseRecord | undefined, turn: TurnFacts): CaseRecord {
  const { context, meta, at } = turn;
  const errorIds = [...(current?.errorIds ?? [])];
  if (context.errorId && !errorIds.includes(context.errorId)) errorIds.push(context.errorId);
  return {
    conversationKey: turn.conversationKey,
    channelId: turn.channelId ?? current?.channelId ?? 'unknown',
    startedAt: current?.startedAt ?? at,
    lastActivity: at,
    userTurns: (current?.userTurns ?? 0) + (turn.userTurn ? 1 : 0),
    locale: context.locale,
    step: meta.step,
    summary: caseSummary(context, meta.outcome ?? 'open'),
    outcome: meta.outcome ?? current?.outcome ?? 'open',
    // Starting over clears the machine's rating; the conversation keeps the one it was given.
    rating: context.rating ?? current?.rating ?? null,
    errorIds,
    handOff: turn.handOff ? { reason: turn.handOff, at, status: 'open', summary: caseSummary(context, 'escalated') } : current?.handOff,
  };
}
