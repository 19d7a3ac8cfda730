import type { GuideEvent } from '../../dialogs/setup';
import type { Locale } from '../../dialogs/types';
import { interpret, type InterpretDeps } from '../../src/understanding/interpret';
import { stateAt } from '../understanding/evaluate';
import type { BlindPaste } from './blind-errors';

/**
 * Blind pastes as a user sends them: through the whole reader (interpret), not the matcher alone,
 * at the first question ("start": the paste is the user's opening) and where the bot asked for the
 * error ("knownError.paste"). What counts is what the user gets: the right known error looked up.
 */
export const PASTE_STEPS = ['start', 'knownError.paste'] as const;
export type PasteStep = (typeof PASTE_STEPS)[number];

export interface RoutedScores {
  /** Known-error pastes. */
  total: number;
  /** Of them, looked up and found as the right error (its fix, or offered first among "did you mean"). */
  right: number;
  rightShare: number;
  /** A fix shown with confidence for another error, or for a paste that is no known error. */
  confidentWrong: number;
  /** Pastes that are no known error, and how many were looked up. */
  nonErrors: { total: number; lookedUp: number };
  misses: { text: string; expected: string | null; got: string }[];
}

function lookedUp(events: readonly GuideEvent[]): Extract<GuideEvent, { type: 'ERROR_TEXT' }> | undefined {
  return events.find((e): e is Extract<GuideEvent, { type: 'ERROR_TEXT' }> => e.type === 'ERROR_TEXT');
}

export function routeBlindPastes(deps: InterpretDeps, items: readonly BlindPaste[], step: PasteStep): RoutedScores {
  const states = new Map<string, ReturnType<typeof stateAt>>();
  let total = 0;
  let right = 0;
  let confidentWrong = 0;
  const nonErrors = { total: 0, lookedUp: 0 };
  const misses: RoutedScores['misses'] = [];
  for (const item of items) {
    const locale = item.lang as Locale;
    let state = states.get(locale);
    if (!state) states.set(locale, (state = stateAt(step, locale)));
    const events = interpret({ text: item.text }, state, deps).events;
    const found = lookedUp(events)?.match;
    if (found?.outcome === 'confident' && found.id !== item.expected) confidentWrong++;
    if (item.expected === null) {
      nonErrors.total++;
      if (found) nonErrors.lookedUp++;
      continue;
    }
    total++;
    if (found && found.outcome !== 'none' && found.id === item.expected) right++;
    else misses.push({ text: item.text, expected: item.expected, got: events.map((e) => e.type).join('+') || 'ASK' });
  }
  return { total, right, rightShare: total === 0 ? 1 : right / total, confidentWrong, nonErrors, misses };
}
