import { BRANCH_CHOICES, COMMANDS, type GuideEvent } from '../../dialogs/setup';
import type { Locale, MatchResult } from '../../dialogs/types';
import { loadLanguages } from '../../src/i18n/languages';

/** Every event the machine knows, with representative payloads, for graph traversal. */
const confident: MatchResult = { id: 'key-expired', outcome: 'confident', score: 0.05, alternatives: [] };
const ambiguous: MatchResult = { id: 'key-not-valid', outcome: 'ambiguous', score: 0.3, alternatives: ['key-already-used'] };
const none: MatchResult = { id: null, outcome: 'none', score: 1, alternatives: [] };

export const FORWARD_EVENTS: GuideEvent[] = [
  ...BRANCH_CHOICES.map((type) => ({ type })),
  ...(['YES', 'NO', 'NOT_SURE', 'CONTINUE', 'EXPIRED', 'DISABLED', 'CANCELLED', 'DELETED', 'BUSINESS', 'HOME', 'NO_ERROR', 'NONE_OF_THESE', 'SKIP'] as const).map((type) => ({ type })),
  ...(['RATE_1', 'RATE_2', 'RATE_3', 'RATE_4', 'RATE_5'] as const).map((type) => ({ type })),
  { type: 'ERROR_TEXT', match: confident },
  { type: 'ERROR_TEXT', match: ambiguous },
  { type: 'ERROR_TEXT', match: none },
  { type: 'CHOOSE_ERROR', id: 'unlicensed-product' },
  { type: 'AGENT' },
];

/** The moves every step takes: the commands (AGENT is forward), a switch to each language of the table, a miss, a pasted key. */
export const globalEvents = (locales: readonly Locale[]): GuideEvent[] => [
  ...COMMANDS.filter((type) => type !== 'AGENT').map((type) => ({ type })),
  ...locales.map((locale) => ({ type: 'SET_LOCALE', locale }) as const),
  { type: 'MISS' },
  { type: 'KEY_PASTED' },
];

export const allEvents = (locales: readonly Locale[]) => [...FORWARD_EVENTS, ...globalEvents(locales)];

export const ALL_EVENTS = allEvents(loadLanguages().tags);
