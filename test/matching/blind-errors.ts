import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorMatcher } from '../../src/understanding/known-errors';

/**
 * Blind known-error pastes: every test/matching/blind-errors-*.json, written by people who never
 * saw content/known-errors/. `expect` is a known-error id, or "none" where the bot must say it does
 * not know the message. A new file is measured and held without code change.
 */
export interface BlindPaste {
  text: string;
  lang: string;
  /** A known-error id, or null for no match. */
  expected: string | null;
}

export interface BlindErrorSet {
  name: string;
  items: BlindPaste[];
}

const FILE = /^blind-errors-[\w-]+\.json$/;

export function loadBlindErrorSets(dir = __dirname): BlindErrorSet[] {
  return readdirSync(dir)
    .filter((f) => FILE.test(f))
    .sort()
    .map((name) => {
      const raw = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { items: { text: string; lang: string; expect?: string | null; expected?: string | null }[] };
      const items = raw.items.map((i) => {
        const label = i.expect !== undefined ? i.expect : i.expected;
        return { text: i.text, lang: i.lang, expected: label === 'none' || label === null || label === undefined ? null : label };
      });
      return { name, items };
    });
}

export interface BlindErrorScores {
  total: number;
  top1: number;
  /** A fix shown for the wrong error, or for a message that is not a known one. */
  confidentWrong: number;
  /** Pastes that are no known error, and how many of them got an answer other than none. */
  nonErrors: { total: number; answered: number };
  misses: { text: string; expected: string | null; got: string | null; outcome: string }[];
}

export function scoreBlindErrors(matcher: ErrorMatcher, items: readonly BlindPaste[]): BlindErrorScores {
  let right = 0;
  let confidentWrong = 0;
  const nonErrors = { total: 0, answered: 0 };
  const misses: BlindErrorScores['misses'] = [];
  for (const item of items) {
    const r = matcher.match(item.text);
    const ok = item.expected === null ? r.outcome === 'none' : r.id === item.expected && r.outcome !== 'none';
    if (ok) right++;
    else misses.push({ text: item.text, expected: item.expected, got: r.id, outcome: r.outcome });
    if (r.outcome === 'confident' && r.id !== item.expected) confidentWrong++;
    if (item.expected === null) {
      nonErrors.total++;
      if (r.outcome !== 'none') nonErrors.answered++;
    }
  }
  return { total: items.length, top1: right / items.length, confidentWrong, nonErrors, misses };
}
