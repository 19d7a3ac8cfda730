import type { Choice, GuideEvent, StepMeta } from '../../dialogs/setup';
import type { Locale } from '../../dialogs/types';
import type { PhraseMatcher } from './phrase-matcher';
import type { KnownErrorCatalog } from './render';

/** Longer messages are cut before matching: nobody's error message is longer, and matching stays cheap. */
export const MAX_TEXT_CHARS = 4096;

export interface UserInput {
  text: string;
  /** `activity.value` from a card submit. */
  value?: unknown;
}

/** What a user turn means to the machine, plus notices the edge shows on its own account. */
export interface Understanding {
  events: GuideEvent[];
  notices: string[];
}

export interface InterpretDeps {
  phrases: PhraseMatcher;
  errors: KnownErrorCatalog;
  containsProductKey(text: string): boolean;
}

export interface InterpretState {
  meta: StepMeta;
  locale: Locale;
  /** Asks the machine whether it takes an event here, so text never turns into an ignored event. */
  accepts(event: GuideEvent): boolean;
}

const COMMAND_RULES = { minRecall: 1, minPrecision: 0.75 };
const CHOICE_RULES = { minRecall: 1, minPrecision: 0.5 };
const INTENT_RULES = { minRecall: 0.75, minPrecision: 0.25 };

const otherLocale = (locale: Locale): Locale => (locale === 'nl-NL' ? 'en-US' : 'nl-NL');

export function interpret(input: UserInput, state: InterpretState, deps: InterpretDeps): Understanding {
  const fromCard = readCardValue(input.value, state, deps);
  if (fromCard) return fromCard;

  const notices: string[] = [];
  let text = input.text.trim();
  if (text.length > MAX_TEXT_CHARS) {
    text = text.slice(0, MAX_TEXT_CHARS);
    notices.push('common:notice.tooLong');
  }
  const only = (event: GuideEvent): Understanding => ({ events: [event], notices });

  if (text === '') return only({ type: 'MISS' });
  // A pasted key is never matched, echoed or kept: the user only gets the format hints.
  if (deps.containsProductKey(text)) return only({ type: 'KEY_PASTED' });

  const command = deps.phrases.best('commands', text, COMMAND_RULES)?.id;
  if (command) {
    const event = commandEvent(command, state.locale);
    if (event) return only(event);
  }

  const choices = state.meta.choices;
  const choice = deps.phrases.best('choices', text, CHOICE_RULES, choices)?.id as Choice | undefined;
  if (choice && state.accepts({ type: choice } as GuideEvent)) return only({ type: choice } as GuideEvent);

  if (state.meta.input === 'intent') {
    // Someone who opens with the error itself goes straight to its fix: a recognised on-screen
    // message says more than the topic words in it ("…product key you entered has expired").
    const match = deps.errors.match(text);
    const toError = { events: [{ type: 'ERROR_MESSAGE' }, { type: 'ERROR_TEXT', match }] as GuideEvent[], notices };
    const canRouteErrors = state.accepts({ type: 'ERROR_MESSAGE' });
    if (match.outcome === 'confident' && canRouteErrors) return toError;
    const intent = deps.phrases.best('intents', text, INTENT_RULES, choices)?.id as Choice | undefined;
    if (intent && state.accepts({ type: intent } as GuideEvent)) return only({ type: intent } as GuideEvent);
    if (match.outcome === 'ambiguous' && canRouteErrors) return toError;
  }

  if (state.meta.input === 'error-text') return only({ type: 'ERROR_TEXT', match: deps.errors.match(text) });

  return only({ type: 'MISS' });
}

function commandEvent(command: string, locale: Locale): GuideEvent | undefined {
  switch (command) {
    case 'START_OVER':
    case 'BACK':
    case 'HELP':
    case 'AGENT':
      return { type: command };
    case 'LANGUAGE_TOGGLE':
      return { type: 'SET_LOCALE', locale: otherLocale(locale) };
    case 'LANGUAGE_EN':
      return { type: 'SET_LOCALE', locale: 'en-US' };
    case 'LANGUAGE_NL':
      return { type: 'SET_LOCALE', locale: 'nl-NL' };
    default:
      return undefined;
  }
}

/**
 * Card buttons send the step they belong to. An old card's button still works when its answer
 * fits the current step; otherwise the user is told it is stale instead of being moved somewhere
 * they did not mean to go.
 */
function readCardValue(value: unknown, state: InterpretState, deps: InterpretDeps): Understanding | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const data = value as Record<string, unknown>;
  const stale: Understanding = { events: [], notices: ['common:notice.staleButton'] };
  if (data.ag === 'command' && typeof data.command === 'string') {
    const event = data.command === 'LANGUAGE' ? commandEvent('LANGUAGE_TOGGLE', state.locale) : commandEvent(data.command, state.locale);
    return event ? { events: [event], notices: [] } : stale;
  }
  if (data.ag === 'choice' && typeof data.choice === 'string') {
    const event = { type: data.choice } as GuideEvent;
    return state.meta.choices.includes(data.choice as Choice) && state.accepts(event) ? { events: [event], notices: [] } : stale;
  }
  if (data.ag === 'error' && typeof data.id === 'string') {
    const event: GuideEvent = { type: 'CHOOSE_ERROR', id: data.id };
    return deps.errors.has(data.id) && state.accepts(event) ? { events: [event], notices: [] } : stale;
  }
  return undefined;
}
