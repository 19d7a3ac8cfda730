import { performance } from 'node:perf_hooks';
import { guideMachine } from '../../dialogs/machine';
import { initialContext, type GuideEvent } from '../../dialogs/setup';
import type { Locale } from '../../dialogs/types';
import { metaOf } from '../../src/bot/conversation';
import { interpret, type InterpretDeps, type InterpretState } from '../../src/bot/interpret';
import evalSet from './eval-set.json';

/**
 * Runs the evaluation set through the real `interpret` at the real step of the real machine, so
 * what is measured is what a user gets: language decision, scoping, error lookup and all.
 */
export interface EvalItem {
  text: string;
  lang: Locale;
  conversation: Locale;
  step: string;
  expect: string;
}

export interface EvalResult extends EvalItem {
  got: string;
  ms: number;
}

export const EVAL_ITEMS = evalSet.items as EvalItem[];

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
  correct: number;
  accuracy: number;
  /** Acted, but not as expected: worse than a polite miss or a question. */
  wrongBranch: number;
  wrongBranchRate: number;
  outOfScope: number;
  outOfScopeRecognised: number;
  outOfScopeRate: number;
  perIntent: Record<string, { total: number; correct: number }>;
  confusion: Record<string, Record<string, number>>;
}

/** The intent an expectation is about: its first event, after a START_OVER that opens a new topic. */
export function intentOf(summary: string): string {
  const parts = summary.split('+');
  return parts[0] === 'START_OVER' && parts.length > 1 ? parts[1]! : parts[0]!;
}

export function score(results: readonly EvalResult[]): Scores {
  const perIntent: Scores['perIntent'] = {};
  const confusion: Scores['confusion'] = {};
  let correct = 0;
  let wrongBranch = 0;
  let outOfScope = 0;
  let outOfScopeRecognised = 0;
  for (const r of results) {
    const intent = intentOf(r.expect);
    const got = r.got === 'ASK' || r.got === 'MISS' ? r.got : intentOf(r.got);
    const ok = r.got === r.expect;
    perIntent[intent] ??= { total: 0, correct: 0 };
    perIntent[intent].total++;
    if (ok) perIntent[intent].correct++;
    if (ok) correct++;
    confusion[intent] ??= {};
    confusion[intent][got] = (confusion[intent][got] ?? 0) + 1;
    if (!ok && r.got !== 'MISS' && r.got !== 'ASK') wrongBranch++;
    if (r.expect === 'MISS') {
      outOfScope++;
      if (r.got === 'MISS') outOfScopeRecognised++;
    }
  }
  return {
    total: results.length,
    correct,
    accuracy: correct / results.length,
    wrongBranch,
    wrongBranchRate: wrongBranch / results.length,
    outOfScope,
    outOfScopeRecognised,
    outOfScopeRate: outOfScopeRecognised / Math.max(1, outOfScope),
    perIntent,
    confusion,
  };
}
