import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES } from '../../dialogs/types';
import { CONTENT_DIR } from '../paths';

/**
 * Reads short typed answers ("ja", "start over", "my subscripton expired") in both languages,
 * whatever the conversation's locale. Token based, with a small edit distance per word, because
 * users type fast: a phrase matches when (nearly) all of its words occur in the message.
 */

export type PhraseGroup = 'commands' | 'choices' | 'intents';
type PhraseFile = Record<PhraseGroup, Record<string, string[]>>;

/** Words that carry no meaning for picking an answer, in either language. */
const STOPWORDS = new Set(
  'i me my a an the is it to do does of in on for with please can you how what where de het een is ik mijn je jij u uw van op voor met aan te dat die dit er mij wil graag'.split(' '),
);

export function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’']/g, '')
    .replace(/[^a-z0-9?]+/g, ' ')
    .trim();
}

function words(text: string): string[] {
  const all = normalize(text).split(' ').filter(Boolean);
  const meaningful = all.filter((w) => !STOPWORDS.has(w));
  // "yes" is not a stopword, but "i" alone is a sentence too; keep something to compare.
  return meaningful.length > 0 ? meaningful : all;
}

/** Typos allowed for a word of this length; short words must be exact ("no" vs "ok"). */
function allowedEdits(length: number): number {
  if (length <= 3) return 0;
  if (length <= 7) return 1;
  return 2;
}

function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** Same word, allowing typos; the first letter must agree, which keeps "reactivate" apart from "activate". */
function sameWord(typed: string, known: string): boolean {
  if (typed === known) return true;
  if (typed[0] !== known[0]) return false;
  return editDistance(typed, known, allowedEdits(known.length)) <= allowedEdits(known.length);
}

interface Phrase {
  id: string;
  words: string[];
}

export interface PhraseMatch {
  id: string;
  /** Share of the phrase's words found in the message (1 = all). */
  recall: number;
  /** Share of the message's words explained by the phrase (1 = nothing else was said). */
  precision: number;
}

export interface MatchRules {
  minRecall: number;
  minPrecision: number;
}

export class PhraseMatcher {
  private readonly groups: Record<PhraseGroup, Phrase[]>;

  constructor(files: PhraseFile[], extra: Partial<Record<PhraseGroup, Record<string, string[]>>> = {}) {
    if (files.length === 0) throw new Error('PhraseMatcher needs at least one phrase file');
    const build = (group: PhraseGroup): Phrase[] =>
      [...files.map((f) => f[group] ?? {}), extra[group] ?? {}].flatMap((table) =>
        Object.entries(table).flatMap(([id, phrases]) => phrases.map((p) => ({ id, words: words(p) }))),
      );
    this.groups = { commands: build('commands'), choices: build('choices'), intents: build('intents') };
  }

  /** The best phrase of `group` (optionally only among `ids`) that passes `rules`, or undefined. */
  best(group: PhraseGroup, text: string, rules: MatchRules, ids?: readonly string[]): PhraseMatch | undefined {
    const typed = words(text);
    if (typed.length === 0) return undefined;
    let best: (PhraseMatch & { size: number }) | undefined;
    for (const phrase of this.groups[group]) {
      if (ids && !ids.includes(phrase.id)) continue;
      const found = phrase.words.filter((w) => typed.some((t) => sameWord(t, w))).length;
      const recall = found / phrase.words.length;
      const explained = typed.filter((t) => phrase.words.some((w) => sameWord(t, w))).length;
      const precision = explained / typed.length;
      if (recall < rules.minRecall || precision < rules.minPrecision) continue;
      // Prefer the phrase that explains most of the message, then the more specific (longer) one.
      const better =
        !best ||
        recall + precision > best.recall + best.precision ||
        (recall + precision === best.recall + best.precision && phrase.words.length > best.size);
      if (better) best = { id: phrase.id, recall, precision, size: phrase.words.length };
    }
    return best && { id: best.id, recall: best.recall, precision: best.precision };
  }
}

export function loadPhraseMatcher(dir = CONTENT_DIR, extra?: Partial<Record<PhraseGroup, Record<string, string[]>>>): PhraseMatcher {
  return new PhraseMatcher(
    LOCALES.map((locale) => JSON.parse(readFileSync(join(dir, locale, 'phrases.json'), 'utf8')) as PhraseFile),
    extra,
  );
}
