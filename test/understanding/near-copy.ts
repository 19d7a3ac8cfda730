import { words } from '../../src/understanding/text';

// Jest runs tests in a vm context, where looking up a global such as Math costs about a hundred
// times a local variable's: the comparisons below run millions of times, so they use local copies.
const { abs, floor, max, min } = Math;

/**
 * Whether an evaluation message is a near-copy of a training sentence, so that measuring it
 * measures memory rather than understanding. Both are compared as normalised words (text.ts).
 * Messages under three words are everyone's ("yes", "hoeft niet") and are not compared.
 */
export type NearCopy = 'exact' | 'one word apart' | 'a few edits apart' | 'contains it' | 'a fragment of it';

export interface Prepared {
  text: string;
  tokens: string[];
  joined: string;
  /** Letter and digit counts: half their difference is a floor on the edit distance, and cheap. */
  counts: Int16Array;
  /** Its words as a set: a run of words can only start at a word the other text has. */
  words: Set<string>;
}

export const MIN_WORDS = 3;
/** Character edits allowed, as a share of the longer text. */
const EDIT_SHARE = 0.15;
/** A whole sentence inside another counts from this many words, and when it is at least half of it. */
const CONTAINED_WORDS = 5;

export function prepare(text: string): Prepared {
  const tokens = words(text);
  const joined = tokens.join(' ');
  const counts = new Int16Array(37);
  for (const c of joined) counts[c === ' ' ? 36 : c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 87]! += 1;
  return { text, tokens, joined, counts, words: new Set(tokens) };
}

/** Half the difference of two texts' letter counts, or more than `limit` as soon as it must be. */
function countsApart(a: Int16Array, b: Int16Array, limit: number): number {
  let d = 0;
  for (let i = 0; i < a.length && d <= 2 * limit; i++) d += abs(a[i]! - b[i]!);
  return d / 2;
}

/** Levenshtein distance between two sequences, or `limit + 1` as soon as it must exceed `limit`. */
export function editDistance<T>(a: ArrayLike<T>, b: ArrayLike<T>, limit: number): number {
  if (abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const d = min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/** Whether one word changed, added or dropped makes `a` into `b`: editDistance(a, b, 1) <= 1, in one pass. */
function atMostOneApart(a: readonly string[], b: readonly string[]): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (long.length - short.length > 1) return false;
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  if (i === short.length) return true;
  // The first difference: skip that word in the longer one (or in both, when they are as long).
  const skip = short.length === long.length ? 1 : 0;
  for (let j = i + skip; j < short.length; j++) if (short[j] !== long[j + 1 - skip]) return false;
  return true;
}

function containsRun(big: readonly string[], small: readonly string[]): boolean {
  outer: for (let i = 0; i + small.length <= big.length; i++) {
    for (let j = 0; j < small.length; j++) if (big[i + j] !== small[j]) continue outer;
    return true;
  }
  return false;
}

/** How `message` copies `trained`, or undefined when it does not. */
export function nearCopy(message: Prepared, trained: Prepared): NearCopy | undefined {
  const m = message.tokens;
  const t = trained.tokens;
  if (m.length < MIN_WORDS || t.length < MIN_WORDS) return undefined;
  if (message.joined === trained.joined) return 'exact';
  if (min(m.length, t.length) >= 4 && atMostOneApart(m, t)) return 'one word apart';
  const longer = max(message.joined.length, trained.joined.length);
  if (longer >= 12) {
    const limit = max(1, floor(EDIT_SHARE * longer));
    // Cheapest bound first: texts whose lengths differ by more than the limit are more edits apart.
    const close = abs(message.joined.length - trained.joined.length) <= limit && countsApart(message.counts, trained.counts, limit) <= limit;
    if (close && editDistance(message.joined, trained.joined, limit) <= limit) return 'a few edits apart';
  }
  const [short, long] = m.length <= t.length ? [m, t] : [t, m];
  const longText = short === m ? trained : message;
  if (short.length >= CONTAINED_WORDS && 2 * short.length >= long.length && longText.words.has(short[0]!) && containsRun(long, short)) {
    return short === t ? 'contains it' : 'a fragment of it';
  }
  return undefined;
}

export interface Overlap {
  message: string;
  trained: string;
  how: NearCopy;
}

/** Every message of `messages` that nearly copies one of `training`, with the first sentence it copies. */
export function overlaps(messages: readonly string[], training: readonly string[]): Overlap[] {
  return new NearCopyCheck(training).of(messages);
}

/** Training sentences prepared once, for checking many sets against them. */
export class NearCopyCheck {
  private readonly trained: Prepared[];

  constructor(training: readonly string[]) {
    this.trained = training.map(prepare).filter((t) => t.tokens.length >= MIN_WORDS);
  }

  /** Every message of `messages` that nearly copies a training sentence, with the first it copies. */
  of(messages: readonly string[]): Overlap[] {
    const found: Overlap[] = [];
    for (const text of messages) {
      const message = prepare(text);
      const trained = this.trained.find((t) => nearCopy(message, t));
      if (trained) found.push({ message: text, trained: trained.text, how: nearCopy(message, trained)! });
    }
    return found;
  }
}
