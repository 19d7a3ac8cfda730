import { FastTextClassifier, fastTextMemoryBytes } from '../../src/understanding/fasttext';

/**
 * fastText's WebAssembly heap only grows: whatever a reading leaves in it stays for the life of the
 * process. A service reads every message with it, so reading must leave nothing behind.
 */
describe('fastText (fasttext.ts)', () => {
  let classifier: FastTextClassifier;
  beforeAll(() => {
    classifier = FastTextClassifier.train({
      ACTIVATE: ['install office on my laptop', 'activate word please'],
      REACTIVATE: ['my subscription expired', 'turn our plan back on'],
      OUT_OF_SCOPE: ['what is the weather', 'tell me a joke'],
    });
  });

  test('reads every label, and the likeliest is the one its examples say', () => {
    const probabilities = classifier.probabilities('our subscription expired last week');
    expect([...probabilities.keys()].sort()).toEqual(['ACTIVATE', 'OUT_OF_SCOPE', 'REACTIVATE']);
    expect([...probabilities].sort((a, b) => b[1] - a[1])[0]![0]).toBe('REACTIVATE');
  });

  test('150,000 readings leave the WebAssembly heap as it was', () => {
    for (let i = 0; i < 1000; i++) classifier.probabilities(`warm up ${i}`);
    const before = fastTextMemoryBytes();
    for (let i = 0; i < 150_000; i++) classifier.probabilities(`my subscription expired on day ${i} please help`);
    expect(fastTextMemoryBytes()).toBe(before);
  });

  test('a model saved and loaded again reads exactly as the trained one', () => {
    const loaded = FastTextClassifier.load(classifier.bytes(), 3)!;
    expect(loaded.probabilities('install word')).toEqual(classifier.probabilities('install word'));
    expect(FastTextClassifier.load(classifier.bytes(), 4)).toBeUndefined();
  });
});
