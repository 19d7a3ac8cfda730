import { loadLanguages } from '../../src/i18n/languages';
import { loadKnowledgeBase } from '../../src/understanding/known-errors';
import { loadIntentFiles } from '../../src/understanding/message-reader';
import { loadBlindErrorSets } from '../matching/blind-errors';
import { EVAL_SETS } from './evaluate';
import { NearCopyCheck, overlaps } from './near-copy';

/** Every language of the table (content/languages.json). */
const LOCALES = loadLanguages().tags;

/**
 * No evaluation message is a near-copy of what the models learn from: exact, a few character
 * edits apart, one word apart, or containing (or contained in) a training sentence. Otherwise a
 * set measures memory. Checked for every set, so a blind set added later is checked too.
 */
const files = loadIntentFiles();
const intents = LOCALES.flatMap((l) => Object.values(files[l].intents).flat());
const kb = loadKnowledgeBase();
const matchTexts = kb.entries.flatMap((e) => LOCALES.flatMap((l) => e.match[l]));
const errorSets = loadBlindErrorSets();
// Prepared once: thousands of training sentences, checked against every set.
const againstEverything = new NearCopyCheck([...intents, ...matchTexts]);
const againstIntents = new NearCopyCheck(intents);

describe.each(EVAL_SETS.map((s) => [s.name, s] as const))('%s', (_name, set) => {
  test('copies no training sentence of the intent models, nor any known error\'s on-screen text', () => {
    expect(againstEverything.of(set.items.map((i) => i.text))).toEqual([]);
  });
});

describe.each(errorSets.map((s) => [s.name, s] as const))('%s', (_name, set) => {
  test('copies no training sentence of the intent models', () => {
    expect(againstIntents.of(set.items.map((i) => i.text))).toEqual([]);
  });
});

describe('the overlap check', () => {
  const trained = ['how do I activate Microsoft 365 on my laptop', 'Deze productcode is al gebruikt. Voer een andere productcode in.'];
  test.each([
    ['exact, in other case and punctuation', 'How do I activate microsoft 365 on my laptop?', 'exact'],
    ['a few typos', 'how do i activte Microsoft 365 on my laptpo', 'a few edits apart'],
    ['one word swapped', 'how do I activate Microsoft 365 on my desktop', 'one word apart'],
    ['one word added', 'so how do I activate Microsoft 365 on my laptop', 'one word apart'],
    ['the whole sentence with a little around it', 'I get: Deze productcode is al gebruikt. Voer een andere productcode in. Wat nu?', 'contains it'],
    ['a fragment of it', 'productcode is al gebruikt. Voer een andere', 'a fragment of it'],
  ])('catches %s', (_what, planted, how) => {
    expect(overlaps(['een heel ander bericht over iets anders', planted], trained)).toEqual([{ message: planted, trained: expect.any(String), how }]);
  });

  test('catches a near-copy planted in a real evaluation set', () => {
    const set = EVAL_SETS[0]!.items.slice(0, 50).map((i) => i.text);
    const planted = intents.find((t) => t.split(' ').length >= 6)!.replace(/\w$/, '');
    expect(overlaps([...set, planted], intents)).toEqual([expect.objectContaining({ message: planted })]);
  });

  test('lets different sentences on the same topic through', () => {
    expect(overlaps(['my laptop will not activate Office at all since yesterday', 'nee'], trained)).toEqual([]);
  });
});
