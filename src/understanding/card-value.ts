import { BRANCH_CHOICES, COMMANDS, type Command, type GuideEvent, type Choice } from '../../dialogs/setup';
import type { Locale } from '../../dialogs/types';
import { matchLocale } from '../i18n/languages';
import type { KnownErrorCatalog } from './known-error-catalog';
import type { InterpretState, Understanding } from './turn-meaning';

/**
 * Language commands of earlier releases, on cards still on screen in Teams: the two-way toggle,
 * and a button per language named by its primary subtag (LANGUAGE_EN, LANGUAGE_NL).
 */
const OLD_TOGGLE = 'LANGUAGE_TOGGLE';
const OLD_LANGUAGE = /^LANGUAGE_([A-Z]{2,3})$/;

/** The machine event for a command, whether typed or pressed. */
export function commandEvent(command: string, languages: readonly Locale[] = []): GuideEvent | undefined {
  if ((COMMANDS as readonly string[]).includes(command)) return { type: command as Command };
  if (command === OLD_TOGGLE) return { type: 'LANGUAGE' };
  const named = OLD_LANGUAGE.exec(command)?.[1];
  const locale = named ? matchLocale(named, languages) : undefined;
  return locale ? { type: 'SET_LOCALE', locale } : undefined;
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
 * language, back) and the language picker's buttons carry no step: they mean the same from any card.
 */
export function readCardValue(value: unknown, state: InterpretState, errors: Pick<KnownErrorCatalog, 'has'>): Understanding | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const data = value as Record<string, unknown>;
  const stale: Understanding = { events: [], notices: ['common:notice.staleButton'] };
  const languages = state.languages ?? [];
  if (data.ag === 'command' && typeof data.command === 'string') {
    const event = commandEvent(data.command, languages);
    return event ? { events: [event], notices: [] } : stale;
  }
  if (data.ag === 'language') {
    // A language the table no longer has (a card from before it was removed) is an old button.
    return typeof data.locale === 'string' && languages.includes(data.locale) ? { events: [{ type: 'SET_LOCALE', locale: data.locale }], notices: [] } : stale;
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

/** Whether a message's value is one of our card buttons (an answer, a command or a language). */
export function isCardValue(value: unknown): boolean {
  if (!value || typeof value !== 'object') return false;
  const ag = (value as Record<string, unknown>).ag;
  return ag === 'choice' || ag === 'error' || ag === 'command' || ag === 'topic' || ag === 'language';
}
