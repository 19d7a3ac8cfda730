import { loadLanguages } from '../../src/i18n/languages';
import type { InterpretDeps } from '../../src/understanding/interpret';
import { appDeps, EVAL_SETS, evaluate, score, verdict, type EvalResult } from './evaluate';

/** Every language of the table (content/languages.json). */
const LOCALES = loadLanguages().tags;

/**
 * The intent model's floors on every evaluation set (eval-set.json and each blind-set-*.json), none
 * of them trained on (test/understanding/overlap.test.ts). Floors per set are in floors.json; a new
 * blind set gets the default (the targets). The same figures, with latency, come from
 * `npm run bench:nlu`.
 */

const show = (list: EvalResult[]) => list.map((r) => `[${r.conversation} @${r.step}] "${r.text}": expected ${r.expect}, got ${r.got}`);

// What the app reads with, so CI holds the floor for what users meet.
let deps: InterpretDeps;
beforeAll(() => {
  deps = appDeps();
});

describe.each(EVAL_SETS.map((set) => [set.name, set] as const))('%s', (_name, set) => {
  let results: EvalResult[];
  let s: ReturnType<typeof score>;
  const { floor } = set;
  beforeAll(() => {
    results = evaluate(deps, set.items);
    s = score(results);
  });

  test('is big and varied enough to mean something', () => {
    expect(set.items.length).toBeGreaterThanOrEqual(200);
    for (const locale of LOCALES) expect(set.items.filter((i) => i.lang === locale).length).toBeGreaterThanOrEqual(80);
    expect(set.items.filter((i) => i.expect === 'MISS').length).toBeGreaterThanOrEqual(20);
    // Messages in the other language than the conversation's.
    expect(set.items.filter((i) => i.lang !== i.conversation).length).toBeGreaterThanOrEqual(5);
  });

  test(`at least ${floor.accuracy * 100}% of messages do exactly what they should`, () => {
    const ok = s.accuracy >= floor.accuracy;
    expect({ accuracy: ok ? 'ok' : s.accuracy, misses: ok ? [] : show(results.filter((r) => verdict(r) !== 'correct')) }).toEqual({ accuracy: 'ok', misses: [] });
  });

  test(`at most ${floor.maxWrongBranchRate * 100}% go to another branch than meant (worse than asking)`, () => {
    const wrong = results.filter((r) => verdict(r) === 'wrongBranch');
    expect(wrong.length / results.length <= floor.maxWrongBranchRate ? 'ok' : show(wrong)).toBe('ok');
  });

  test(`at least ${floor.outOfScope * 100}% of out-of-scope messages are recognised as such`, () => {
    expect(s.outOfScopeRate >= floor.outOfScope ? 'ok' : show(results.filter((r) => r.expect === 'MISS' && r.got !== 'MISS'))).toBe('ok');
  });

  test('every opening and command it has is mostly right', () => {
    for (const intent of ['ACTIVATE', 'REACTIVATE', 'PRODUCT_KEY', 'ERROR_MESSAGE', 'AGENT', 'BACK', 'START_OVER', 'HELP']) {
      const counts = s.perIntent[intent];
      if (!counts || counts.total < 5) continue;
      expect({ intent, ok: counts.correct / counts.total >= (floor.perIntent ?? 0.8) }).toEqual({ intent, ok: true });
    }
  });
});
