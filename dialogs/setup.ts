import { assign, setup } from 'xstate';
import type { KnownErrorId, Locale, MatchResult } from './types';

/**
 * Everything the statechart knows about one conversation. It holds ids and keys only, never the
 * user's own words, so a snapshot can be stored without leaking what was pasted (product keys).
 */
export interface GuideContext {
  locale: Locale;
  /** Step ids entered so far, oldest first; `back` pops from it and the case summary reads it. */
  trail: StepId[];
  /** Unrecognised inputs in a row at the current step. */
  misses: number;
  /** Set while a `back` is being routed to its target step. */
  backTo: StepId | null;
  errorId: KnownErrorId | null;
  /** Candidates when a pasted error matched more than one known error. */
  candidates: KnownErrorId[];
  rating: number | null;
  escalation: EscalationReason | null;
}

export type EscalationReason = 'user-asked' | 'no-reactivate' | 'not-resolved' | 'deleted';

export type StepId = string;

/**
 * The branches: the choice that opens each, and the state it opens (a key of the machine's
 * states). Every list of branches in src/ (openings, topics, the console's) is taken from here.
 */
export const BRANCHES = { ACTIVATE: 'activate', REACTIVATE: 'reactivate', PRODUCT_KEY: 'productKey', ERROR_MESSAGE: 'knownError' } as const;
export type BranchChoice = keyof typeof BRANCHES;
/** Buttons are choices; a choice id is also the type of the event it sends. */
export const BRANCH_CHOICES = Object.keys(BRANCHES) as BranchChoice[];
/**
 * The commands: the moves every step takes (machine.ts's root `on`), typed, pressed as a control or
 * sent by the agent console. LANGUAGE asks which language; SET_LOCALE, its answer, is not a command.
 */
export const COMMANDS = ['BACK', 'START_OVER', 'AGENT', 'HELP', 'LANGUAGE'] as const;
export type Command = (typeof COMMANDS)[number];
export const RATINGS = [1, 2, 3, 4, 5] as const;
export type RatingChoice = `RATE_${(typeof RATINGS)[number]}`;
export type Choice =
  | BranchChoice
  | 'YES'
  | 'NO'
  | 'NOT_SURE'
  | 'CONTINUE'
  | 'EXPIRED'
  | 'DISABLED'
  | 'CANCELLED'
  | 'DELETED'
  | 'BUSINESS'
  | 'HOME'
  | 'NO_ERROR'
  | 'NONE_OF_THESE'
  | 'SKIP'
  | RatingChoice
  | 'AGENT'
  | 'START_OVER';

export type GuideEvent =
  | { type: Exclude<Choice, 'AGENT' | 'START_OVER'> }
  | { type: 'AGENT' }
  | { type: 'START_OVER' }
  | { type: 'BACK' }
  | { type: 'HELP' }
  | { type: 'LANGUAGE' }
  | { type: 'SET_LOCALE'; locale: Locale }
  | { type: 'MISS' }
  | { type: 'KEY_PASTED' }
  | { type: 'ERROR_TEXT'; match: MatchResult }
  | { type: 'CHOOSE_ERROR'; id: KnownErrorId };

/** What kind of answer a step waits for; the edge uses it to read free text. */
export type InputKind = 'choice' | 'intent' | 'error-text';

/**
 * A step's description as data, read by every renderer (chat, cards, agent console). Keys, not
 * sentences: `ask` is an i18next key, `content` names entries in content/<locale>/.
 */
export interface StepMeta {
  step: StepId;
  content?: string[];
  ask: string;
  choices: Choice[];
  input: InputKind;
  /** Parts that depend on the conversation, filled in from the context by the renderer. */
  dynamic?: 'error-fix' | 'error-candidates' | 'common-errors' | 'case-summary';
  /** Set on the steps where a conversation has reached an outcome. */
  outcome?: 'resolved' | 'escalated';
}

export interface GuideInput {
  locale: Locale;
}

export function initialContext(locale: Locale): GuideContext {
  return { locale, trail: [], misses: 0, backTo: null, errorId: null, candidates: [], rating: null, escalation: null };
}

/**
 * The side effects the machine asks for. They do nothing here: the edge (src/) reads them from
 * `transition()`'s action list and carries them out, which keeps this file free of I/O.
 */
export const guide = setup({
  types: {
    context: {} as GuideContext,
    events: {} as GuideEvent,
    input: {} as GuideInput,
    meta: {} as StepMeta,
  },
  actions: {
    say: (_, _params: { key: string; content?: readonly string[]; offer?: 'languages' }) => {},
    handOff: (_, _params: { reason: EscalationReason }) => {},
    enterStep: assign(({ context }, params: { step: StepId }) => ({
      trail: [...context.trail, params.step],
      misses: 0,
      backTo: null,
    })),
    countMiss: assign({ misses: ({ context }) => context.misses + 1 }),
    setLocale: assign({ locale: (_, params: { locale: Locale }) => params.locale }),
    startOver: assign(({ context }) => initialContext(context.locale)),
    prepareBack: assign(({ context }) => ({
      // The target step pushes itself again when it is entered.
      backTo: context.trail[context.trail.length - 2] ?? null,
      trail: context.trail.slice(0, -2),
    })),
    escalate: assign({ escalation: (_, params: { reason: EscalationReason }) => params.reason }),
    rememberMatch: assign(({ context }, params: { match: MatchResult }) => ({
      errorId: params.match.outcome === 'confident' ? params.match.id : context.errorId,
      candidates: params.match.outcome === 'ambiguous' ? candidatesOf(params.match) : [],
    })),
    chooseError: assign({ errorId: (_, params: { id: KnownErrorId }) => params.id, candidates: [] }),
    rate: assign({ rating: (_, params: { rating: number }) => params.rating }),
  },
  guards: {
    canGoBack: ({ context }) => context.trail.length >= 2,
    isBackTo: ({ context }, params: { step: StepId }) => context.backTo === params.step,
    isConfidentMatch: (_, params: { match: MatchResult }) => params.match.outcome === 'confident' && params.match.id !== null,
    // One candidate is offered too ("is this the error you see?"): a code retyped one character
    // off has exactly one, and saying "I don't recognise that" to it would hide the one we found.
    isAmbiguousMatch: (_, params: { match: MatchResult }) => params.match.outcome === 'ambiguous' && candidatesOf(params.match).length > 0,
    /** Checked before counting the miss, so "one before" means this is the second in a row. */
    isSecondMiss: ({ context }) => context.misses >= 1,
  },
});

function candidatesOf(match: MatchResult): KnownErrorId[] {
  const ids = match.id ? [match.id, ...match.alternatives] : match.alternatives;
  return [...new Set(ids)].slice(0, 3);
}
