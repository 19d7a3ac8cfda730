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

/** Two rows of the edit-distance table, reused: typed text is checked against every known word. */
let previousRow = new Uint16Array(64);
let currentRow = new Uint16Array(64);

function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (b.length + 1 > previousRow.length) {
    previousRow = new Uint16Array(b.length + 1);
    currentRow = new Uint16Array(b.length + 1);
  }
  let prev = previousRow;
  let cur = currentRow;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      rowMin = Math.min(rowMin, cur[j]!);
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** Same word, allowing typos; the first letter must agree, which keeps "reactivate" apart from "activate". */
function sameWord(typed: string, known: string): boolean {
  if (typed === known) return true;
  if (typed[0] !== known[0]) return false;
  return editDistance(typed, known, allowedEdits(known.length)) <= allowedEdits(known.length);
}

interface Phrase {
  id: string;
  /** Indexes into the group's vocabulary. */
  words: number[];
}

interface Group {
  /** Every distinct word of the group's phrases. */
  vocabulary: string[];
  /** Vocabulary indexes by first letter: a typed word can only be the same word as these. */
  byInitial: Map<string, number[]>;
  phrases: Phrase[];
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
  private readonly groups: Record<PhraseGroup, Group>;

  constructor(files: PhraseFile[], extra: Partial<Record<PhraseGroup, Record<string, string[]>>> = {}) {
    if (files.length === 0) throw new Error('PhraseMatcher needs at least one phrase file');
    const build = (group: PhraseGroup): Group => {
      const vocabulary: string[] = [];
      const indexOf = new Map<string, number>();
      const word = (w: string) => indexOf.get(w) ?? (indexOf.set(w, vocabulary.push(w) - 1), vocabulary.length - 1);
      const phrases = [...files.map((f) => f[group] ?? {}), extra[group] ?? {}].flatMap((table) =>
        Object.entries(table).flatMap(([id, texts]) => texts.map((p) => ({ id, words: words(p).map(word) }))),
      );
      const byInitial = new Map<string, number[]>();
      vocabulary.forEach((w, i) => byInitial.set(w[0]!, [...(byInitial.get(w[0]!) ?? []), i]));
      return { vocabulary, byInitial, phrases };
    };
    this.groups = { commands: build('commands'), choices: build('choices'), intents: build('intents') };
  }

  /** The best phrase of `group` (optionally only among `ids`) that passes `rules`, or undefined. */
  best(group: PhraseGroup, text: string, rules: MatchRules, ids?: readonly string[]): PhraseMatch | undefined {
    const typed = words(text);
    if (typed.length === 0) return undefined;
    const { vocabulary, byInitial, phrases } = this.groups[group];
    // Each known word is compared with the typed words once per message, not once per phrase:
    // matchedBy[w] lists the typed words that are known word w.
    const matchedBy: number[][] = vocabulary.map(() => []);
    typed.forEach((t, i) => {
      for (const w of byInitial.get(t[0]!) ?? []) if (sameWord(t, vocabulary[w]!)) matchedBy[w]!.push(i);
    });
    // Which typed words the current phrase explains, marked with the phrase's number.
    const explainedBy = new Int32Array(typed.length).fill(-1);
    let best: (PhraseMatch & { size: number }) | undefined;
    phrases.forEach((phrase, n) => {
      if (ids && !ids.includes(phrase.id)) return;
      let found = 0;
      let explained = 0;
      for (const w of phrase.words) {
        const typedIndexes = matchedBy[w]!;
        if (typedIndexes.length > 0) found++;
        for (const i of typedIndexes) {
          if (explainedBy[i] !== n) {
            explainedBy[i] = n;
            explained++;
          }
        }
      }
      const recall = found / phrase.words.length;
      const precision = explained / typed.length;
      if (recall < rules.minRecall || precision < rules.minPrecision) return;
      // Prefer the phrase that explains most of the message, then the more specific (longer) one.
      const better =
        !best ||
        recall + precision > best.recall + best.precision ||
        (recall + precision === best.recall + best.precision && phrase.words.length > best.size);
      if (better) best = { id: phrase.id, recall, precision, size: phrase.words.length };
    });
    return best && { id: best.id, recall: best.recall, precision: best.precision };
  }
}

export function loadPhraseMatcher(dir = CONTENT_DIR, extra?: Partial<Record<PhraseGroup, Record<string, string[]>>>): PhraseMatcher {
  return new PhraseMatcher(
    LOCALES.map((locale) => JSON.parse(readFileSync(join(dir, locale, 'phrases.json'), 'utf8')) as PhraseFile),
    extra,
  );
}
