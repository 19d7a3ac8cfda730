import { BRANCH_CHOICES, type GuideEvent, type Choice } from '../../dialogs/setup';
import type { Locale } from '../../dialogs/types';
import type { KnownErrorCatalog } from './known-error-catalog';
import type { InterpretState, Understanding } from './turn-meaning';

const otherLocale = (locale: Locale): Locale => (locale === 'nl-NL' ? 'en-US' : 'nl-NL');

/** The machine event for a command, whether typed or pressed. */
export function commandEvent(command: string, locale: Locale): GuideEvent | undefined {
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

/** The step a card button was drawn for, if the value is one of our answer buttons (commands have none). */
export function cardStep(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const data = value as Record<string, unknown>;
  return (data.ag === 'choice' || data.ag === 'error' || data.ag === 'topic') && typeof data.step === 'string' ? data.step : undefined;
}

/**
 * Card buttons send the step they were drawn for, and answer only that question: old cards stay
 * on screen in Teams and Web Chat, and many steps share answers ("Yes" on the licence question
 * would otherwise answer whichever question is current). A button of another step gets the
 * "earlier question" notice and the current question again. Commands (start over, a person,
 * language, back) carry no step: they mean the same from any card.
 */
export function readCardValue(value: unknown, state: InterpretState, errors: Pick<KnownErrorCatalog, 'has'>): Understanding | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const data = value as Record<string, unknown>;
  const stale: Understanding = { events: [], notices: ['common:notice.staleButton'] };
  if (data.ag === 'command' && typeof data.command === 'string') {
    const event = data.command === 'LANGUAGE' ? commandEvent('LANGUAGE_TOGGLE', state.locale) : commandEvent(data.command, state.locale);
    return event ? { events: [event], notices: [] } : stale;
  }
  // A value without a step comes from a card of an older release: it is judged by its answer alone.
  const forThisStep = typeof data.step !== 'string' || data.step === state.meta.step;
  if (data.ag === 'choice' && typeof data.choice === 'string') {
    const event = { type: data.choice } as GuideEvent;
    return forThisStep && state.meta.choices.includes(data.choice as Choice) && state.accepts(event) ? { events: [event], notices: [] } : stale;
  }
  if (data.ag === 'topic' && typeof data.opening === 'string' && (BRANCH_CHOICES as readonly string[]).includes(data.opening)) {
    const events: GuideEvent[] = [{ type: 'START_OVER' }, { type: data.opening } as GuideEvent];
    return forThisStep && state.accepts(events[0]!) ? { events, notices: [] } : stale;
  }
  if (data.ag === 'error' && typeof data.id === 'string') {
    const event: GuideEvent = { type: 'CHOOSE_ERROR', id: data.id };
    return forThisStep && errors.has(data.id) && state.accepts(event) ? { events: [event], notices: [] } : stale;
  }
  return undefined;
}

/** Whether a message's value is one of our card buttons (an answer or a command). */
export function isCardValue(value: unknown): boolean {
  if (!value || typeof value !== 'object') return false;
  const ag = (value as Record<string, unknown>).ag;
  return ag === 'choice' || ag === 'error' || ag === 'command' || ag === 'topic';
}
