import { EventFactory, type Activity, type TurnContext, type Transcript } from 'botbuilder';
import type { StepMeta } from '../../dialogs/setup';
import { caseSummary, formatCaseSummary, type CaseSummary } from '../bot/case-summary';
import { metaOf, type GuideSnapshot } from '../bot/conversation';
import type { TurnObserver, TurnOutcome } from '../bot/guide-bot';
import type { KnownErrorCatalog } from '../bot/render';
import type { Strings } from '../i18n/strings';
import type { Logger } from '../logger';
import { maskProductKeys } from '../matching/product-key';
import type { CaseLog, CaseRecord, TranscriptLine } from './case-log';

export interface TurnRecorderDeps {
  log: CaseLog;
  strings: Strings;
  errors: KnownErrorCatalog;
  logger: Logger;
  now: () => number;
}

/** What an agent hub gets with `handoff.initiate`: the structured summary, and as text in both languages. */
export interface HandOffContext {
  caseSummary: CaseSummary;
  summaryText: Record<string, string>;
  reason: string;
  locale: string;
}

/** Recordings waiting per process before a turn has to wait for them (back-pressure). */
const MAX_PENDING = 1000;

export interface TurnRecorder {
  observe: TurnObserver;
  /** Resolves once every recording started so far is stored (agent reads, shutdown). */
  settled(): Promise<void>;
}

/**
 * After every turn: add the turn to the conversation's transcript, update its case, and when the
 * machine escalated, send the Bot Framework hand-off event with the transcript and summary.
 *
 * Recording runs after the turn, not inside it: the customer's reply does not wait for the agent
 * desk's two extra writes. Recordings of one conversation are chained, so its transcript keeps its
 * order. Only an escalation waits, because the hand-off event must go out within the turn.
 * A failure here is logged and swallowed: the customer already has the bot's reply, and a
 * transcript problem must not turn into "something went wrong" for them.
 */
export function createTurnRecorder(deps: TurnRecorderDeps): TurnRecorder {
  const { log, logger } = deps;
  const chains = new Map<string, Promise<TranscriptLine[] | undefined>>();

  const record = async (activity: Partial<Activity>, outcome: TurnOutcome): Promise<TranscriptLine[] | undefined> => {
    const snapshot = outcome.snapshot!;
    const meta = metaOf(snapshot);
    const at = new Date(deps.now()).toISOString();
    const lines: TranscriptLine[] = [];
    const said = outcome.kind === 'turn' ? customerLine(activity, snapshot, deps) : undefined;
    if (said) lines.push({ at, from: 'customer', text: said });
    if (outcome.reply) lines.push({ at, from: 'bot', text: outcome.reply.markdown, step: meta.step });
    try {
      const recorded = await log.record(outcome.conversationKey, lines, (current) => nextCase(current, activity, outcome, meta, deps.now()));
      return recorded.transcript;
    } catch (err) {
      logger.warn({ err, conversation: outcome.conversationKey }, 'agent desk: could not record the turn');
      // Only this turn's lines, then; the customer's words were masked when they were taken.
      return lines;
    }
  };

  const observe: TurnObserver = async (context, outcome) => {
    if ((outcome.kind !== 'turn' && outcome.kind !== 'welcome') || !outcome.snapshot) return;
    const key = outcome.conversationKey;
    // The turn's context is revoked when the turn ends; the recording keeps its own copy.
    const activity = { ...context.activity };
    const previous = chains.get(key) ?? Promise.resolve(undefined);
    const recorded = previous.then(() => record(activity, outcome));
    chains.set(key, recorded);
    void recorded.finally(() => {
      if (chains.get(key) === recorded) chains.delete(key);
    });

    const reason = outcome.effects?.handOff;
    if (!reason) {
      if (chains.size > MAX_PENDING) await recorded;
      return;
    }
    const transcript = (await recorded) ?? [];
    const summary = caseSummary(outcome.snapshot.context, 'escalated');
    const locales = [...new Set([summary.locale, 'en-US' as const])];
    const handOff: HandOffContext = {
      caseSummary: summary,
      summaryText: Object.fromEntries(locales.map((l) => [l, formatCaseSummary(summary, deps.strings, l)])),
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

  return {
    observe,
    settled: async () => {
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

function nextCase(current: CaseRecord | undefined, activity: Partial<Activity>, outcome: TurnOutcome, meta: StepMeta, now: number): CaseRecord {
  const context = outcome.snapshot!.context;
  const reason = outcome.effects?.handOff;
  const errorIds = [...(current?.errorIds ?? [])];
  if (context.errorId && !errorIds.includes(context.errorId)) errorIds.push(context.errorId);
  return {
    conversationKey: outcome.conversationKey,
    channelId: activity.channelId ?? current?.channelId ?? 'unknown',
    startedAt: current?.startedAt ?? now,
    lastActivity: now,
    userTurns: (current?.userTurns ?? 0) + (outcome.kind === 'turn' ? 1 : 0),
    locale: context.locale,
    step: meta.step,
    summary: caseSummary(context, meta.outcome ?? 'open'),
    outcome: meta.outcome ?? current?.outcome ?? 'open',
    // Starting over clears the machine's rating; the conversation keeps the one it was given.
    rating: context.rating ?? current?.rating ?? null,
    errorIds,
    handOff: reason ? { reason, at: now, status: 'open', summary: caseSummary(context, 'escalated') } : current?.handOff,
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
