import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { guideMachine } from '../../dialogs/machine';
import { initialContext, type GuideEvent } from '../../dialogs/setup';
import type { Locale } from '../../dialogs/types';
import { metaOf } from '../../src/bot/conversation';
import { createStrings } from '../../src/i18n/strings';
import { interpret, type InterpretDeps } from '../../src/understanding/interpret';
import { loadKnownErrorCatalog } from '../../src/understanding/known-error-catalog';
import { loadMessageReader } from '../../src/understanding/message-reader';
import { containsProductKey } from '../../src/understanding/product-key';
import type { InterpretState } from '../../src/understanding/turn-meaning';
import floors from './floors.json';

/**
 * Runs the evaluation sets through the real `interpret` at the real step of the real machine, so
 * what is measured is what a user gets: language decision, scoping, error lookup and all.
 */
export interface EvalItem {
  text: string;
  lang: Locale;
  conversation: Locale;
  step: string;
  expect: string;
  /** Blind sets: which writer (voice) wrote it. */
  writer?: string;
}

export interface EvalResult extends EvalItem {
  got: string;
  ms: number;
}

export interface EvalSet {
  /** The file name, e.g. `blind-set-1.json`. */
  name: string;
  items: EvalItem[];
  floor: Floor;
}

export interface Floor {
  accuracy: number;
  maxWrongBranchRate: number;
  outOfScope: number;
  /** Least share right of each opening and command in the set. */
  perIntent?: number;
}

const DIR = __dirname;
/** eval-set.json (written with the training data) and every blind set, written apart from it. */
const SET_FILE = /^(?:eval-set|blind-set-[\w-]+)\.json$/;

/** Every evaluation set in test/understanding, blind ones included: a new blind-set-N.json needs no code. */
export function loadEvalSets(dir = DIR): EvalSet[] {
  const table = floors as { default: Floor; sets: Record<string, Partial<Floor>> };
  return readdirSync(dir)
    .filter((f) => SET_FILE.test(f))
    .sort()
    .map((name) => {
      const items = (JSON.parse(readFileSync(join(dir, name), 'utf8')) as { items: EvalItem[] }).items;
      return { name, items, floor: { ...table.default, ...table.sets[name] } };
    });
}

export const EVAL_SETS = loadEvalSets();
export const EVAL_ITEMS = EVAL_SETS.find((s) => s.name === 'eval-set.json')!.items;

/** The events of an understanding as the eval set writes them: `A+B`, `MISS`, or `ASK` for "did you mean". */
export function summarise(events: readonly GuideEvent[]): string {
  if (events.length === 0) return 'ASK';
  return events.map((e) => e.type).join('+');
}

export function stateAt(step: string, locale: Locale): InterpretState {
  const value = step.includes('.') ? { [step.split('.')[0]!]: step.split('.')[1]! } : step;
  const snapshot = guideMachine.resolveState({ value, context: initialContext(locale) });
  const meta = metaOf(snapshot);
  if (meta.step !== step) throw new Error(`eval step ${step} resolved to ${meta.step}`);
  return { meta, locale, accepts: (event) => snapshot.can(event) };
}

/**
 * What `interpret` reads with in the app (src/app.ts): the reader trained with the buttons'
 * labels, the known-error catalogue and the product-key check, so a measurement holds what users
 * meet.
 */
export function appDeps(): InterpretDeps {
  return { reader: loadMessageReader(createStrings()), errors: loadKnownErrorCatalog(), containsProductKey };
}

export function evaluate(deps: InterpretDeps, items: readonly EvalItem[] = EVAL_ITEMS): EvalResult[] {
  const states = new Map<string, InterpretState>();
  return items.map((item) => {
    const key = `${item.step}|${item.conversation}`;
    let state = states.get(key);
    if (!state) states.set(key, (state = stateAt(item.step, item.conversation)));
    const start = performance.now();
    const understood = interpret({ text: item.text }, state, deps);
    const ms = performance.now() - start;
    return { ...item, got: summarise(understood.events), ms };
  });
}

export interface Scores {
  total: number;
  /** Exactly the expected events: the main figure. */
  correct: number;
  accuracy: number;
  /** The right branch, with a different or missing detail ("expired" not taken, or guessed). */
  otherDetail: number;
  /** Acted on another intent than meant: worse than a polite miss or a question. */
  wrongBranch: number;
  wrongBranchRate: number;
  outOfScope: number;
  outOfScopeRecognised: number;
  outOfScopeRate: number;
  perIntent: Record<string, { total: number; correct: number; wrongBranch: number }>;
  confusion: Record<string, Record<string, number>>;
}

/** The intent an expectation is about: its first event, after a START_OVER that opens a new topic. */
export function intentOf(summary: string): string {
  const parts = summary.split('+');
  const intent = parts[0] === 'START_OVER' && parts.length > 1 ? parts[1]! : parts[0]!;
  // A language command names the language (SET_LOCALE) or asks which (LANGUAGE, the picker): one intent.
  return intent === 'LANGUAGE' ? 'SET_LOCALE' : intent;
}

/** How a result went: exact, the right branch with another detail, a question or a miss, or a wrong branch. */
export function verdict(r: Pick<EvalResult, 'expect' | 'got'>): 'correct' | 'otherDetail' | 'asked' | 'wrongBranch' {
  if (r.got === r.expect) return 'correct';
  if (r.got === 'MISS' || r.got === 'ASK') return 'asked';
  return intentOf(r.got) === intentOf(r.expect) ? 'otherDetail' : 'wrongBranch';
}

export function score(results: readonly EvalResult[]): Scores {
  const perIntent: Scores['perIntent'] = {};
  const confusion: Scores['confusion'] = {};
  const counts = { correct: 0, otherDetail: 0, asked: 0, wrongBranch: 0 };
  let outOfScope = 0;
  let outOfScopeRecognised = 0;
  for (const r of results) {
    const intent = intentOf(r.expect);
    const got = r.got === 'ASK' || r.got === 'MISS' ? r.got : intentOf(r.got);
    const v = verdict(r);
    counts[v]++;
    perIntent[intent] ??= { total: 0, correct: 0, wrongBranch: 0 };
    perIntent[intent].total++;
    if (v === 'correct') perIntent[intent].correct++;
    if (v === 'wrongBranch') perIntent[intent].wrongBranch++;
    confusion[intent] ??= {};
    confusion[intent][got] = (confusion[intent][got] ?? 0) + 1;
    if (r.expect === 'MISS') {
      outOfScope++;
      if (r.got === 'MISS') outOfScopeRecognised++;
    }
  }
  return {
    total: results.length,
    correct: counts.correct,
    accuracy: counts.correct / results.length,
    otherDetail: counts.otherDetail,
    wrongBranch: counts.wrongBranch,
    wrongBranchRate: counts.wrongBranch / results.length,
    outOfScope,
    outOfScopeRecognised,
    outOfScopeRate: outOfScopeRecognised / Math.max(1, outOfScope),
    perIntent,
    confusion,
  };
}
