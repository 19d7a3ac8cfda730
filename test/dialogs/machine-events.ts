import type { GuideEvent } from '../../dialogs/setup';
import type { MatchResult } from '../../dialogs/types';

/** Every event the machine knows, with representative payloads, for graph traversal. */
const confident: MatchResult = { id: 'key-expired', outcome: 'confident', score: 0.05, alternatives: [] };
const ambiguous: MatchResult = { id: 'key-not-valid', outcome: 'ambiguous', score: 0.3, alternatives: ['key-already-used'] };
const none: MatchResult = { id: null, outcome: 'none', score: 1, alternatives: [] };

export const FORWARD_EVENTS: GuideEvent[] = [
  ...(['ACTIVATE', 'REACTIVATE', 'PRODUCT_KEY', 'ERROR_MESSAGE'] as const).map((type) => ({ type })),
  ...(['YES', 'NO', 'NOT_SURE', 'CONTINUE', 'EXPIRED', 'DISABLED', 'CANCELLED', 'DELETED', 'BUSINESS', 'HOME', 'NO_ERROR', 'NONE_OF_THESE', 'SKIP'] as const).map((type) => ({ type })),
  ...(['RATE_1', 'RATE_2', 'RATE_3', 'RATE_4', 'RATE_5'] as const).map((type) => ({ type })),
  { type: 'ERROR_TEXT', match: confident },
  { type: 'ERROR_TEXT', match: ambiguous },
  { type: 'ERROR_TEXT', match: none },
  { type: 'CHOOSE_ERROR', id: 'unlicensed-product' },
  { type: 'AGENT' },
];

export const GLOBAL_EVENTS: GuideEvent[] = [
  { type: 'START_OVER' },
  { type: 'BACK' },
  { type: 'HELP' },
  { type: 'SET_LOCALE', locale: 'nl-NL' },
  { type: 'SET_LOCALE', locale: 'en-US' },
  { type: 'MISS' },
  { type: 'KEY_PASTED' },
];

export const ALL_EVENTS = [...FORWARD_EVENTS, ...GLOBAL_EVENTS];
