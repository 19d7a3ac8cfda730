import { LOCALES } from '../../dialogs/types';
import { loadKnownErrorCatalog } from '../../src/bot/known-error-catalog';
import { containsProductKey } from '../../src/matching/product-key';
import { createStrings } from '../../src/i18n/strings';
import { buttonLabelExamples, loadIntentFiles, loadMessageReader } from '../../src/understanding/message-reader';
import { words } from '../../src/understanding/text';
import { EVAL_ITEMS, evaluate, score, type EvalResult } from './evaluate';

/**
 * The intent model's floor on the evaluation set, which is written apart from the training data and
 * never trained on. The same figures, with latency, come from `npm run bench:nlu`.
 */
const FLOOR = { accuracy: 0.95, maxWrongBranchRate: 0.01, outOfScope: 0.9 };

const files = loadIntentFiles();
// The reader the app builds, with the buttons' labels, so CI holds the floor for what users meet.
const strings = createStrings();
const reader = loadMessageReader(strings);
const results = evaluate({ reader, errors: loadKnownErrorCatalog(), containsProductKey });
const s = score(results);
const misses = (filter: (r: EvalResult) => boolean) => results.filter(filter).map((r) => `[${r.conversation} @${r.step}] "${r.text}": expected ${r.expect}, got ${r.got}`);

describe('evaluation set', () => {
  test('is big and varied enough to mean something', () => {
    expect(EVAL_ITEMS.length).toBeGreaterThanOrEqual(300);
    for (const locale of LOCALES) expect(EVAL_ITEMS.filter((i) => i.lang === locale).length).toBeGreaterThanOrEqual(150);
    expect(EVAL_ITEMS.filter((i) => i.expect === 'MISS').length).toBeGreaterThanOrEqual(30);
    // Messages in the other language than the conversation's.
    expect(EVAL_ITEMS.filter((i) => i.lang !== i.conversation).length).toBeGreaterThanOrEqual(10);
  });

  test('shares no message with the training data', () => {
    const key = (t: string) => words(t).join(' ');
    const labels = buttonLabelExamples(strings);
    const trained = new Set(LOCALES.flatMap((l) => [...Object.values(files[l].intents), ...Object.values(labels[l])].flat().map(key)));
    expect(EVAL_ITEMS.filter((i) => trained.has(key(i.text))).map((i) => i.text)).toEqual([]);
  });
});

describe('accuracy', () => {
  test(`at least ${FLOOR.accuracy * 100}% of messages do what they should`, () => {
    expect({ accuracy: s.accuracy >= FLOOR.accuracy ? 'ok' : s.accuracy, misses: s.accuracy >= FLOOR.accuracy ? [] : misses((r) => r.got !== r.expect) }).toEqual({ accuracy: 'ok', misses: [] });
  });

  test(`at most ${FLOOR.maxWrongBranchRate * 100}% go somewhere else than meant (worse than asking)`, () => {
    const wrong = misses((r) => r.got !== r.expect && r.got !== 'MISS' && r.got !== 'ASK');
    expect(wrong.length / results.length <= FLOOR.maxWrongBranchRate ? 'ok' : wrong).toBe('ok');
  });

  test(`at least ${FLOOR.outOfScope * 100}% of out-of-scope messages are recognised as such`, () => {
    expect(s.outOfScopeRate >= FLOOR.outOfScope ? 'ok' : misses((r) => r.expect === 'MISS' && r.got !== 'MISS')).toBe('ok');
  });

  test('every opening and command is mostly right in both languages', () => {
    for (const intent of ['ACTIVATE', 'REACTIVATE', 'PRODUCT_KEY', 'ERROR_MESSAGE', 'AGENT', 'BACK', 'START_OVER', 'HELP']) {
      const { total, correct } = s.perIntent[intent]!;
      expect({ intent, ok: correct / total >= 0.8 }).toEqual({ intent, ok: true });
    }
  });
});
