import { createErrorMatcher, loadKnowledgeBase } from '../../src/understanding/known-errors';
import { loadBlindErrorSets, scoreBlindErrors } from './blind-errors';
import evalSet from './eval-set.json';

/**
 * Accuracy floor on the labelled pastes. `tune` pastes were looked at while setting
 * content/matching.json; `holdout` pastes were only measured. The holdout floor is the one that
 * says something about pastes nobody has seen yet.
 */
const FLOOR = { tune: 0.98, holdout: 0.99 };

interface Item {
  text: string;
  expected: string | null;
  lang: string;
  kind: string;
  split: string;
}
const items: Item[] = evalSet.items;
const kb = loadKnowledgeBase();
const matcher = createErrorMatcher(kb);
const ids = new Set(kb.entries.map((e) => e.id));

describe('evaluation set', () => {
  it('is big and varied enough to mean something', () => {
    expect(items.length).toBeGreaterThanOrEqual(150);
    expect(new Set(items.map((i) => i.lang))).toEqual(new Set(['en', 'nl']));
    for (const kind of ['full', 'fragment', 'typo', 'chat', 'code', 'unrelated', 'key']) {
      expect(items.some((i) => i.kind === kind)).toBe(true);
    }
    expect(items.filter((i) => i.expected === null).length).toBeGreaterThanOrEqual(20);
  });

  it('labels only known ids, and puts every id in both parts', () => {
    for (const item of items) {
      expect(['tune', 'holdout']).toContain(item.split);
      if (item.expected !== null) expect(ids).toContain(item.expected);
    }
    const missing = [...ids].flatMap((id) =>
      ['tune', 'holdout'].filter((split) => !items.some((i) => i.expected === id && i.split === split)).map((split) => `${id} (${split})`),
    );
    expect(missing).toEqual([]);
  });
});

describe('accuracy', () => {
  const results = items.map((item) => ({ item, result: matcher.match(item.text) }));
  const isRight = ({ item, result }: (typeof results)[number]): boolean =>
    item.expected === null ? result.outcome === 'none' : result.id === item.expected;

  it.each(Object.entries(FLOOR))('top-1 on the %s part is at least its floor', (split, floor) => {
    const part = results.filter((r) => r.item.split === split);
    const misses = part.filter((r) => !isRight(r)).map((r) => ({ text: r.item.text, expected: r.item.expected, got: r.result }));
    const accuracy = (part.length - misses.length) / part.length;
    // The misses are in the message so a failing run says what broke.
    expect({ accuracy: accuracy >= floor ? 'ok' : accuracy, misses: accuracy >= floor ? [] : misses }).toEqual({ accuracy: 'ok', misses: [] });
  });

  it('is never confident and wrong', () => {
    const wrong = results
      .filter((r) => r.result.outcome === 'confident' && r.result.id !== r.item.expected)
      .map((r) => ({ text: r.item.text, expected: r.item.expected, got: r.result.id }));
    expect(wrong).toEqual([]);
  });
});

/**
 * Blind pastes (test/matching/blind-errors-*.json, written by people who never saw the KB): no
 * confident-wrong answer on any set, and top-1 at least the set's floor. The target is
 * 95 %; the sets measured so far are held where the MiniSearch matcher (issue 25) brought them,
 * so a change can only move them up. A new set gets the target.
 */
const BLIND_TOP1_FLOOR: Record<string, number> = {
  'blind-errors-dev.json': 1,
  'blind-errors-sealed.json': 0.988,
  'blind-errors-3.json': 0.994,
  'blind-errors-4.json': 0.985,
  'blind-errors-5.json': 0.979,
  'blind-errors-6.json': 0.97,
  'blind-errors-7.json': 0.99,
  // Below the target: dictated codes and words split by speech-to-text. 90.5% sealed; 92.9% after
  // codes read out as "six zeros", "one hundred" and "80,070,005" were taught to near-code.ts.
  'blind-errors-9.json': 0.952,
  // Far below the target, sealed, not tuned on: errors described vaguely from memory ("it
  // complains that I'm not the right kind of admin") and dialogs pasted with their buttons.
  'blind-errors-10.json': 0.864,
  // Sixth round: 93.9% sealed (one confident-wrong: a Flemish "al ingegeven" read as "already used"),
  // then tuned on: "Unlicensed" in the title bar, "unlicenced" and "ingegeven" as synonyms.
  'blind-errors-11.json': 0.971,
  // Sixth round, sealed, not tuned on: 93.4% before the round, 92.9% after it (the title-bar match
  // text of unlicensed-product lost a retyped dialog that names its title bar).
  'blind-errors-12.json': 0.957,
  // Seventh round, sealed: 93.3% before the round (two confident-wrong), 93.8% after codes with O
  // for 0 and codes typed apart (one confident-wrong: "al eens door ons opgegeven", already entered,
  // read as already used); then read, and 94.2% with word order (content/matching.json, orderBoost).
  'blind-errors-13.json': 0.961,
  // Written at the end of the seventh round, measured sealed: 94.8% on the code before the round,
  // 96.2% on its final code, no confident-wrong on either. The first set to meet the target.
  'blind-errors-14.json': 0.962,
  // Written after that, measured sealed: 95.7% on the code before the round, 97.1% at its end.
  'blind-errors-15.json': 0.971,
  // Eighth round, measured sealed before and after its change to reading (the matcher did not
  // change): 96.2%, no confident-wrong.
  'blind-errors-16.json': 0.966,
  // Ninth round, each written before the round's change to the matcher (more synonyms of users'
  // words for the screens', content/matching.json) and measured sealed before and after it: 94.8%
  // and 95.3%, and 95.3% and 95.8%, no confident-wrong. The change raised sets 5-7, 9, 10, 12, 13
  // and the sealed set too.
  'blind-errors-17.json': 0.953,
  'blind-errors-18.json': 0.957,
  // Tenth round, sealed: set 19 at 94.4% with no confident-wrong answer on the code before the
  // round and on the round's code before the matcher's change (spaces mended, known-errors.ts),
  // 95.3% after it, then read; set 20, written before that change and measured after it only once,
  // 96.7% (and 96.7% on the code before the round), no confident-wrong. The change raised sets 9,
  // 13 and 16 too.
  'blind-errors-19.json': 0.953,
  'blind-errors-20.json': 0.966,
};
/**
 * The target is none anywhere. Set 4 has one, held here so that no more creep in: a message about
 * a network drive ("Kan geen verbinding maken met de netwerkschijf H:") shares the words of
 * 0x80072EFD's "Er kan geen verbinding met de server worden gemaakt".
 */
const BLIND_CONFIDENT_WRONG_ALLOWED: Record<string, number> = {
  'blind-errors-4.json': 1,
  // Set 10, sealed: "already entered" read as "already used", a described region error as
  // "products can't activate", and a VPN client's failed connection as 0x80072EFD's.
  'blind-errors-10.json': 3,
  // Set 13, sealed: a Dutch "al eens door ons opgegeven" (already entered) read as already used.
  'blind-errors-13.json': 1,
};
const BLIND_TOP1_TARGET = 0.95;

describe.each(loadBlindErrorSets())('blind pastes $name', ({ name, items: pastes }) => {
  const scores = scoreBlindErrors(matcher, pastes);
  const floor = BLIND_TOP1_FLOOR[name] ?? BLIND_TOP1_TARGET;

  it(`reach their top-1 floor (${name}: ${floor})`, () => {
    expect({ top1: scores.top1 >= floor ? 'ok' : scores.top1, misses: scores.top1 >= floor ? [] : scores.misses }).toEqual({ top1: 'ok', misses: [] });
  });

  it(`are answered confidently with the wrong error at most ${BLIND_CONFIDENT_WRONG_ALLOWED[name] ?? 0} times (the target: never)`, () => {
    expect(scores.confidentWrong).toBeLessThanOrEqual(BLIND_CONFIDENT_WRONG_ALLOWED[name] ?? 0);
  });
});
