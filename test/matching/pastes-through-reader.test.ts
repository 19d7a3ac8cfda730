import type { InterpretDeps } from '../../src/understanding/interpret';
import { appDeps } from '../understanding/evaluate';
import { loadBlindErrorSets } from './blind-errors';
import { PASTE_STEPS, routeBlindPastes, type PasteStep } from './pastes-through-reader';

/**
 * Blind pastes sent as users send them, through the whole reader: the share whose right known
 * error is looked up, at the first question and where the bot asked for the error. The matcher
 * alone (eval-accuracy.test.ts) finds 95-98 % of them; these floors are what the reader passes on
 * (bench/README.md, fifth and sixth rounds: the sixth raised most first-message floors and lost one
 * paste of set 7 where asked), so a change that loses a paste on its way to the matcher fails.
 * A new set gets the floors of the lowest set.
 */
const FLOORS: Record<string, Record<PasteStep, number>> = {
  // Issue 27's tenth round raised the start floors of most sets: a sentence of a longer message that
  // is a known on-screen text near word for word makes the whole that paste, and the matcher mends
  // the spaces of words the strings write otherwise ("ver lopen", "opgegevenproductcode").
  'blind-errors-3.json': { start: 0.943, 'knownError.paste': 0.994 },
  'blind-errors-4.json': { start: 0.931, 'knownError.paste': 0.988 },
  'blind-errors-5.json': { start: 0.938, 'knownError.paste': 0.977 },
  'blind-errors-6.json': { start: 0.965, 'knownError.paste': 0.971 },
  'blind-errors-7.json': { start: 0.96, 'knownError.paste': 0.988 },
  // Written after the round's changes, measured sealed once (71.0% and 83.9% before, 83.3% and
  // 89.8% after), then tuned on for codes read out by dictation.
  'blind-errors-9.json': { start: 0.913, 'knownError.paste': 0.956 },
  // Written at the round's end, measured sealed once before it (62.6%, 76.9%) and once after
  // (70.3%, 81.3%): dialogs pasted whole into a Teams chat, and errors described from memory.
  'blind-errors-10.json': { start: 0.747, 'knownError.paste': 0.851 },
  // Sixth round, measured sealed before it (84.1%, 93.1%) and after its changes to reading (85.7%,
  // 93.1%), then tuned on: "Unlicensed" in the title bar, British and Flemish spellings (matching.json).
  'blind-errors-11.json': { start: 0.91, 'knownError.paste': 0.968 },
  // Sixth round, sealed, not tuned on: 86.6% and 92.5% before the round, 85.6% and 92.0% after it.
  'blind-errors-12.json': { start: 0.893, 'knownError.paste': 0.951 },
  // Seventh round, sealed: 85.6% and 92.5% before the round, 86.1% and 93.0% after its first
  // changes; then tuned on (word order).
  'blind-errors-13.json': { start: 0.909, 'knownError.paste': 0.957 },
  // Written at the end of the seventh round, measured sealed: 87.7% and 94.1% on the code before
  // the round, 89.8% and 95.7% on its final code.
  'blind-errors-14.json': { start: 0.914, 'knownError.paste': 0.957 },
  // Written after that, measured sealed: 86.6% and 95.2% before the round, 88.2% and 96.8% at its end.
  'blind-errors-15.json': { start: 0.925, 'knownError.paste': 0.967 },
  // Eighth round, measured sealed before and after its change to reading: 89.9% and 96.3% both times.
  'blind-errors-16.json': { start: 0.93, 'knownError.paste': 0.968 },
  // Ninth round, measured sealed before the round (86.8% and 94.2%, and 86.2% and 94.7%) and after
  // it (88.4% and 94.7%, and 86.8% and 95.2%). The round lowered the start floors of sets 4, 10 and
  // dev (bench/README.md, ninth round).
  'blind-errors-17.json': { start: 0.904, 'knownError.paste': 0.947 },
  'blind-errors-18.json': { start: 0.878, 'knownError.paste': 0.952 },
  // Tenth round, measured sealed: set 19 at 86.2% and 94.2% before the round and 86.8% and 94.2% on
  // its code before the matcher's change (then read and tuned on), set 20 at 87.2% and 96.3% before
  // the round and 88.8% and 96.3% on its final code.
  'blind-errors-19.json': { start: 0.883, 'knownError.paste': 0.952 },
  'blind-errors-20.json': { start: 0.888, 'knownError.paste': 0.962 },
  'blind-errors-dev.json': { start: 0.951, 'knownError.paste': 1 },
  'blind-errors-sealed.json': { start: 0.938, 'knownError.paste': 0.987 },
};
const NEW_SET = { start: 0.86, 'knownError.paste': 0.924 };
/** As for the matcher alone (eval-accuracy.test.ts): set 4's network drive, set 10's three, set 13's one. */
const CONFIDENT_WRONG_ALLOWED: Record<string, number> = { 'blind-errors-4.json': 1, 'blind-errors-10.json': 3, 'blind-errors-13.json': 1 };

let deps: InterpretDeps;
beforeAll(() => {
  deps = appDeps();
});

describe.each(loadBlindErrorSets())('blind pastes $name through the reader', ({ name, items }) => {
  test.each(PASTE_STEPS.map((step) => [step]))('at %s, the right known error is looked up for at least its floor', (step) => {
    const scores = routeBlindPastes(deps, items, step);
    const floor = (FLOORS[name] ?? NEW_SET)[step];
    expect({ share: scores.rightShare >= floor ? 'ok' : scores.rightShare, misses: scores.rightShare >= floor ? [] : scores.misses }).toEqual({ share: 'ok', misses: [] });
    expect(scores.confidentWrong).toBeLessThanOrEqual(CONFIDENT_WRONG_ALLOWED[name] ?? 0);
  });
});
