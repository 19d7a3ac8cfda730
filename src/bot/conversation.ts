import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { guideMachine, MACHINE_VERSION } from '../../dialogs/machine';
import type { EscalationReason, GuideEvent, StepMeta } from '../../dialogs/setup';
import type { Locale } from '../../dialogs/types';
import { loadLanguages, type Languages } from '../i18n/languages';
import { LANGUAGE_OFFER } from '../understanding/interpret';
import type { InterpretState, Notice, Understanding, UserInput } from '../understanding/turn-meaning';

export type GuideSnapshot = SnapshotFrom<typeof guideMachine>;

/** What is stored per conversation. Only ids and keys: never the user's own words. */
export interface ConversationRecord {
  version: number;
  snapshot: unknown;
  /** Ids of the latest user activities, so a redelivered one is not applied twice. */
  seen: string[];
  updatedAt: number;
  /** The offer to continue in the other language was made: it is made once per conversation. */
  languageOffered?: true;
}

const SEEN_LIMIT = 50;

/** The side effects a step asked for, read off `transition()`'s action list. */
export interface Effects {
  notices: Notice[];
  handOff?: EscalationReason;
  /** The outcome this move reached, read from the steps' meta: set when the step it ends at has an outcome the step it began at had not. */
  reached?: NonNullable<StepMeta['outcome']>;
}

export interface Step {
  snapshot: GuideSnapshot;
  effects: Effects;
  /** The stored snapshot came from an older machine and was reset. */
  reset: boolean;
  isNew: boolean;
  /** See ConversationRecord.languageOffered. */
  languageOffered?: boolean;
  /** The languages the conversation may switch to (the language table's tags). */
  languages?: readonly Locale[];
}

export function metaOf(snapshot: GuideSnapshot): StepMeta {
  const metas = Object.values(snapshot.getMeta()).filter((m): m is StepMeta => Boolean(m && (m as StepMeta).step));
  const meta = metas[metas.length - 1];
  if (!meta) throw new Error(`state ${JSON.stringify(snapshot.value)} has no step meta`);
  return meta;
}

type Action = { type: string; params?: unknown };

export function initialStep(locale: Locale): [GuideSnapshot, Action[]] {
  return initialTransition(guideMachine, { locale });
}

export function nextStep(snapshot: GuideSnapshot, event: GuideEvent): [GuideSnapshot, Action[]] {
  return transition(guideMachine, snapshot, event);
}

function collect(actions: readonly Action[], into: Effects): void {
  for (const action of actions) {
    if (action.type === 'say') into.notices.push(action.params as Notice);
    if (action.type === 'handOff') into.handOff = (action.params as { reason: EscalationReason }).reason;
  }
}

/**
 * Restores the machine from a stored record, or starts a new one. A snapshot from another machine
 * version, or one that no longer resolves, starts over on purpose, with a notice, never a crash.
 */
export function resume(record: ConversationRecord | undefined, locale: Locale, languages: Languages = loadLanguages()): Step {
  const { tags } = languages;
  if (record && record.version === MACHINE_VERSION) {
    try {
      const snapshot = guideMachine.resolveState(record.snapshot as Parameters<typeof guideMachine.resolveState>[0]);
      metaOf(snapshot);
      if (!isGuideContext(snapshot.context, languages)) throw new Error('stored context does not fit the machine');
      return { snapshot, effects: { notices: [] }, reset: false, isNew: false, languageOffered: record.languageOffered === true, languages: tags };
    } catch {
      // fall through to a fresh start below
    }
  }
  const stored = (record?.snapshot as { context?: { locale?: unknown } } | null | undefined)?.context?.locale;
  const [snapshot, actions] = initialStep(languages.has(stored) ? stored : locale);
  const effects: Effects = { notices: record ? [{ key: 'common:notice.restarted' }] : [] };
  collect(actions, effects);
  return { snapshot, effects, reset: Boolean(record), isNew: !record, languages: tags };
}

/**
 * The parts of the context every step reads; a snapshot without them cannot be resumed. Its
 * language must still be in the table: one taken out since starts over in the channel's.
 */
function isGuideContext(context: unknown, languages: Languages): boolean {
  if (!context || typeof context !== 'object') return false;
  const c = context as Record<string, unknown>;
  return languages.has(c.locale) && Array.isArray(c.trail) && Array.isArray(c.candidates) && typeof c.misses === 'number';
}

export function apply(step: Step, events: readonly GuideEvent[]): Step {
  let snapshot = step.snapshot;
  const effects: Effects = { notices: [...step.effects.notices], handOff: step.effects.handOff };
  for (const event of events) {
    const [next, actions] = nextStep(snapshot, event);
    collect(actions, effects);
    snapshot = next;
  }
  const reached = metaOf(snapshot).outcome;
  if (reached && reached !== metaOf(step.snapshot).outcome) effects.reached = reached;
  return { ...step, snapshot, effects };
}

export type Understand = (input: UserInput, state: InterpretState) => Understanding;

/** One move of a conversation: the input read at the current step, applied, with everything to say. */
export interface Move {
  step: Step;
  events: GuideEvent[];
  /** The edge's notices first (a stale button, a cut message), then the machine's. */
  notices: Notice[];
}

/** Reads `input` at the step the conversation is at and applies it. The chat and the agent's call script both move this way. */
export function advance(from: Step, input: UserInput, understand: Understand): Move {
  const understood = understand(input, {
    meta: metaOf(from.snapshot),
    locale: from.snapshot.context.locale,
    accepts: (event) => from.snapshot.can(event),
    languageOffered: from.languageOffered === true,
    languages: from.languages,
  });
  // A first "hello" is not a miss: it simply gets the welcome.
  const events = from.isNew && understood.events.every((e) => e.type === 'MISS') ? [] : understood.events;
  const edge = understood.notices.map((n) => (typeof n === 'string' ? { key: n } : n));
  const offered = from.languageOffered === true || edge.some((n) => n.key === LANGUAGE_OFFER);
  const step = { ...apply(from, events), languageOffered: offered };
  return { step, events, notices: [...edge, ...step.effects.notices] };
}

export function toRecord(snapshot: GuideSnapshot, seen: readonly string[], activityId?: string, languageOffered = false): ConversationRecord {
  const ids = activityId ? [...seen.filter((id) => id !== activityId), activityId].slice(-SEEN_LIMIT) : [...seen];
  const record: ConversationRecord = { version: MACHINE_VERSION, snapshot: guideMachine.getPersistedSnapshot(snapshot), seen: ids, updatedAt: Date.now() };
  if (languageOffered) record.languageOffered = true;
  return record;
}
