import type { Activity, Storage, TurnContext } from 'botbuilder';
import type { GuideEvent } from '../../dialogs/setup';
import type { Logger } from '../logger';
import { isETagConflict, isStorageUnavailable, StorageUnavailableError, type ConversationStore } from '../storage/create-store';
import { expectedETag } from '../storage/read-modify-write';
import { advance, metaOf, resume, toRecord, type ConversationRecord, type Effects, type GuideSnapshot, type Move, type Step, type Understand } from './conversation';
import { cardStep, isCardValue } from '../understanding/card-value';
import type { EffectHandlers, NoticeText } from './effects';
import type { UserInput } from '../understanding/turn-meaning';
import type { Renderer, Reply } from './render';

/** How many times a turn is recomputed when another turn of the same conversation wrote first. */
const MAX_ATTEMPTS = 8;

export interface TurnOutcome {
  conversationKey: string;
  kind: 'turn' | 'welcome' | 'duplicate' | 'ignored' | 'unavailable';
  before?: string;
  after?: string;
  events: GuideEvent['type'][];
  snapshot?: GuideSnapshot;
  effects?: Effects;
  reply?: Reply;
  /** Said instead of a reply when the turn could not be applied (or may not have been). */
  notice?: NoticeText;
  attempts: number;
}

/** The channel-specific reading of an activity (Teams mentions, clientInfo locale, card values). */
export interface ChannelReader {
  locale(activity: Partial<Activity>): string | undefined;
  text(activity: Partial<Activity>): string;
  value(activity: Partial<Activity>): unknown;
  isWelcome(activity: Partial<Activity>): boolean;
}

/** Told after the state is saved and the reply sent, before a hand-off (transcripts); the turn log reads what `run` returns. */
export type TurnObserver = (context: TurnContext, outcome: TurnOutcome) => Promise<void> | void;

export interface GuideBotDeps {
  /** Any botbuilder Storage; `lostAt`, where it has it, tells a lost conversation from a new one. */
  storage: Storage & Pick<ConversationStore, 'lostAt'>;
  renderer: Renderer;
  understand: Understand;
  effects: EffectHandlers;
  channel: ChannelReader;
  logger: Logger;
  observers?: TurnObserver[];
}

export function conversationKey(activity: Partial<Activity>): string {
  const channel = activity.channelId ?? 'unknown';
  const id = activity.conversation?.id;
  if (!id) throw new Error('activity has no conversation id');
  return `${channel}/conversations/${id}`;
}

type StoredRecord = ConversationRecord & { eTag?: string };

/**
 * A write failed in a way that does not say whether it was applied (a timeout), and reading the
 * record back did not settle it either. The user is told exactly that, not that nothing was lost.
 */
class WriteOutcomeUnknownError extends StorageUnavailableError {
  constructor(key: string, options: { cause: unknown }) {
    super(`the write of "${key}" may or may not have been applied`, options);
    this.name = 'WriteOutcomeUnknownError';
  }
}

/** The ids already applied. A record from an older release (or not ours) may lack the list. */
function seenIds(stored: StoredRecord | undefined): string[] {
  return Array.isArray(stored?.seen) ? stored.seen.filter((id): id is string => typeof id === 'string') : [];
}

/**
 * Runs one turn: load the snapshot, work out the user's event, `transition()`, save with the
 * eTag that was read, and only then carry out its effects. A conflicting write means another turn
 * of this conversation got there first, so the turn is recomputed on top of it: both take effect,
 * in order.
 */
export class GuideBot {
  constructor(private readonly deps: GuideBotDeps) {
    if (!deps.storage) throw new Error('GuideBot needs a storage');
  }

  /** The language the channel asks for (Teams' clientInfo, Web Chat's locale), as one of the table's. */
  private locale(activity: Partial<Activity>) {
    return this.deps.renderer.languages.fromChannel(this.deps.channel.locale(activity));
  }

  async run(context: TurnContext): Promise<TurnOutcome> {
    const { activity } = context;
    const key = conversationKey(activity);
    let outcome: TurnOutcome;
    if (activity.type === 'message') outcome = await this.guarded(context, key, () => this.message(context, key));
    else if (this.deps.channel.isWelcome(activity)) outcome = await this.guarded(context, key, () => this.welcome(context, key));
    else outcome = { conversationKey: key, kind: 'ignored', events: [], attempts: 0 };
    await this.carryOut(context, outcome);
    return outcome;
  }

  /**
   * The one place a turn's effects leave, in this order: the reply, so the customer never waits
   * for the agent desk; then the observers, which record the turn; then the hand-off, last,
   * because the agent hub gets the transcript, and that has to hold this turn already.
   */
  private async carryOut(context: TurnContext, outcome: TurnOutcome): Promise<void> {
    const { effects } = this.deps;
    if (outcome.reply) await effects.say(context, outcome.reply);
    else if (outcome.notice) await effects.sayNotice(context, outcome.notice);
    for (const observe of this.deps.observers ?? []) await observe(context, outcome);
    const reason = outcome.effects?.handOff;
    if (reason && outcome.snapshot) await effects.handOff(context, { conversationKey: outcome.conversationKey, reason, snapshot: outcome.snapshot });
  }

  private async guarded(context: TurnContext, key: string, turn: () => Promise<TurnOutcome>): Promise<TurnOutcome> {
    try {
      return await turn();
    } catch (err) {
      if (!isStorageUnavailable(err)) throw err;
      const unknown = err instanceof WriteOutcomeUnknownError;
      // Either nothing was saved (the user can simply send the message again), or it cannot be
      // told whether it was: then the user hears that, and a retry lands wherever the state really is.
      this.deps.logger.warn({ err, conversation: key }, unknown ? 'storage unavailable, turn may or may not be applied' : 'storage unavailable, turn not applied');
      const locale = this.locale(context.activity);
      const text = this.deps.renderer.notice(locale, unknown ? 'common:notice.unconfirmed' : 'common:notice.unavailable');
      return { conversationKey: key, kind: 'unavailable', events: [], notice: { text, locale }, attempts: 1 };
    }
  }

  private async message(context: TurnContext, key: string): Promise<TurnOutcome> {
    const { activity } = context;
    const input: UserInput = { text: this.deps.channel.text(activity), value: this.deps.channel.value(activity) };
    return this.commit(context, key, (stored) => {
      if (activity.id && seenIds(stored).includes(activity.id)) return undefined;
      const from = resume(stored, this.locale(activity), this.deps.renderer.languages);
      if (!stored && (isCardValue(input.value) ? cardStep(input.value) !== metaOf(from.snapshot).step : this.storeLostData(key))) return lost(from, input, this.deps.understand);
      return advance(from, input, this.deps.understand);
    });
  }

  /**
   * A typed message carries nothing that says the conversation began earlier; a click does (its
   * card's step). So a typed message in a conversation the store does not know counts as lost only
   * when the store knows it lost data (Redis back empty, or this conversation's row on a damaged
   * SQLite page); otherwise it is a new conversation.
   */
  private storeLostData(key: string): boolean {
    return this.deps.storage.lostAt?.(key) !== undefined;
  }

  private async welcome(context: TurnContext, key: string): Promise<TurnOutcome> {
    return this.commit(context, key, (stored) => {
      // Welcome once per conversation, however many members join or installs repeat.
      if (stored) return undefined;
      const step = resume(undefined, this.locale(context.activity), this.deps.renderer.languages);
      return { step, events: [], notices: step.effects.notices };
    }, 'welcome');
  }

  private async commit(
    context: TurnContext,
    key: string,
    compute: (stored: StoredRecord | undefined) => Move | undefined,
    kind: 'turn' | 'welcome' = 'turn',
  ): Promise<TurnOutcome> {
    const { storage } = this.deps;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const stored = (await storage.read([key]))[key] as StoredRecord | undefined;
      const result = compute(stored);
      if (!result) return { conversationKey: key, kind: kind === 'turn' ? 'duplicate' : 'ignored', events: [], attempts: attempt };
      const { step, events, notices } = result;
      const record = toRecord(step.snapshot, seenIds(stored), context.activity.id, step.languageOffered);
      try {
        await storage.write({ [key]: { ...record, eTag: expectedETag(stored) } });
      } catch (err) {
        if (isETagConflict(err) && attempt < MAX_ATTEMPTS) continue;
        if (!isStorageUnavailable(err)) throw err;
        // Not applied for sure: the unavailable notice. Applied after all: carry on with the reply.
        if (!(await this.appliedAfterAll(key, context.activity.id, err))) throw err;
        this.deps.logger.info({ conversation: key }, 'a write that failed had been applied; answering as usual');
      }
      const meta = metaOf(step.snapshot);
      const reply = this.deps.renderer.reply(meta, step.snapshot.context, notices);
      return {
        conversationKey: key,
        kind,
        before: stored ? undefined : 'new',
        after: meta.step,
        events: events.map((e) => e.type),
        snapshot: step.snapshot,
        effects: step.effects,
        reply,
        attempts: attempt,
      };
    }
    throw new Error('unreachable: the last attempt either returns or throws');
  }

  /**
   * After a write failed as unavailable, whether it was applied. A timed-out compare-and-set may
   * still run (Redis runs a paused client's commands when the pause ends), so the failure alone
   * says nothing. The record is read back: it names the activities applied to it. In Redis the
   * read goes down the same connection behind the write, so it sees the write's real result.
   * Throws WriteOutcomeUnknownError when even that read fails.
   */
  private async appliedAfterAll(key: string, activityId: string | undefined, failure: unknown): Promise<boolean> {
    // Without an activity id there is nothing to recognise the write by.
    if (!activityId) throw new WriteOutcomeUnknownError(key, { cause: failure });
    let current: StoredRecord | undefined;
    try {
      current = (await this.deps.storage.read([key]))[key] as StoredRecord | undefined;
    } catch {
      throw new WriteOutcomeUnknownError(key, { cause: failure });
    }
    return seenIds(current).includes(activityId);
  }
}

/**
 * A card's button, or after the store lost its data a typed message, when there is no record:
 * the conversation was forgotten (the store came back empty, or the record expired). Said plainly,
 * then the first question, or what the typed message asks for from there; a command from the card
 * (a person, language) still does what it says.
 */
function lost(from: Step, input: UserInput, understand: Understand): Move {
  const card = isCardValue(input.value);
  const notice = { key: card ? 'common:notice.conversationLost' : 'common:notice.conversationLostTyped' };
  // A typed answer ("yes") means nothing without the question it answered: the first question, as for an old card's button.
  if (!card || cardStep(input.value) !== undefined) return { step: from, events: [], notices: [notice, ...from.effects.notices] };
  const move = advance(from, input, understand);
  return { ...move, notices: [notice, ...move.notices] };
}
