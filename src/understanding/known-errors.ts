import fs from 'node:fs';
import path from 'node:path';
import Fuse from 'fuse.js';
import { z } from 'zod';
import type { KnownErrorId, Locale, MatchResult } from '../../dialogs/types';
import { loadLanguages } from '../i18n/languages';
import { CONTENT_DIR } from '../paths';
import { nearKnownCode } from './near-code';
import { replaceProductKeys } from './product-key';

/*
 * Known-error knowledge base and matcher.
 *
 * How a paste is matched:
 *  1. Product keys are dropped (never matched, never kept), the text is cut to maxInputBytes.
 *  2. Error codes (0x80072EFD, 0X80072efd, 80072EFD, NoMatchingEligibleProductsFound) are looked
 *     up exactly. A known code decides the answer on its own.
 *  3. Otherwise the text is normalised into words, and each word is looked up in the vocabulary of
 *     the on-screen strings of both languages: exactly, or as a typo, which fuse.js decides.
 *  4. Each on-screen string (each of its sentences, and the title) is scored by how much of the
 *     paste it explains and how much of it the paste contains, both idf-weighted, plus word pairs
 *     kept in order. So a fragment, a whole message and a message wrapped in chat all score well,
 *     while one shared common word does not.
 *  5. content/matching.json turns the scores into outcomes. Confident needs a good score, a gap to
 *     the runner-up and a lead over it (paste words the runner-up does not explain); ambiguous
 *     offers at most maxChoices look-alikes; anything vaguer or worse is none.
 */

// ---------------------------------------------------------------------------------------------
// Schema

/** One value per language; validateKnowledgeBase checks the languages are exactly the table's. */
const localised = <T extends z.ZodTypeAny>(value: T) => z.record(z.string(), value);
const nonEmpty = z.string().trim().min(1);
const MARKDOWN_LINK = /\[([^\]]+)\]\(([^)\s]+)\)/g;
const HEX_CODE = /^0x[0-9A-Fa-f]{8}$/;
const NAMED_CODE = /^[A-Za-z]{12,}$/;

export const knownErrorSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'ids are lower-case kebab-case'),
    /** Rank in the "common errors" list offered when nothing matched; absent = not listed. */
    common: z.number().int().positive().optional(),
    title: localised(nonEmpty),
    codes: z.array(z.string().refine((c) => HEX_CODE.test(c) || NAMED_CODE.test(c), 'a code is 0x + 8 hex digits, or a single word')),
    /** What users see on screen: matching data only, never shown as a reply. */
    match: localised(z.array(nonEmpty).min(1)),
    /** Steps in our own words; may contain markdown links (https only). */
    fix: localised(z.array(nonEmpty).min(1)),
    /** "More information" links shown after the fix: only pages the fix does not already link to. */
    links: z.array(
      z
        .object({
          url: z.string().url().startsWith('https://'),
          label: localised(nonEmpty),
        })
        .strict(),
    ),
  })
  .strict()
  .superRefine((entry, ctx) => {
    // Every label is shown: a page the fix already links to is not repeated as "more information".
    const inline = new Set<string>();
    for (const locale of Object.keys(entry.fix)) {
      entry.fix[locale]!.forEach((step, i) => {
        for (const [, , url] of step.matchAll(MARKDOWN_LINK)) {
          inline.add(url);
          if (!url.startsWith('https://')) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['fix', locale, i], message: `link ${url} is not https` });
          }
        }
      });
    }
    entry.links.forEach((link, i) => {
      if (inline.has(link.url)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['links', i], message: `link ${link.url} is already in the fix; links holds only further reading` });
      }
    });
  });

export type KnownError = z.infer<typeof knownErrorSchema>;

const ratio = z.number().min(0).max(1);
export const matchingConfigSchema = z
  .object({
    maxInputBytes: z.number().int().positive(),
    /** Options for the fuse.js index over KB words (the typo-tolerant part). */
    fuse: z
      .object({
        threshold: ratio,
        location: z.number().int().min(0),
        distance: z.number().int().min(0),
        ignoreLocation: z.boolean(),
        minMatchCharLength: z.number().int().min(1),
      })
      .strict(),
    scoring: z
      .object({
        minTokenLength: z.number().int().min(1),
        /** Share of the final similarity that comes from "how much of the paste is explained". */
        queryWeight: ratio,
        /** Weight of a word no KB string knows, relative to the rarest KB word. */
        unknownTermWeight: z.number().min(0),
        /** Same, for an error code that is not in the KB: a strong hint that it is another error. */
        unknownCodeWeight: z.number().min(0),
        /** Titles are our own words: they count, but less than what users actually see. */
        titleWeight: ratio,
        maxQueryTerms: z.number().int().positive(),
        /** Share of the similarity that comes from word pairs kept in the KB string's order. */
        phraseWeight: ratio,
      })
      .strict(),
    outcome: z
      .object({
        confidentMaxScore: ratio,
        confidentMinGap: ratio,
        /** Least lead (see Candidate.lead) over the runner-up for a confident answer. */
        confidentMinLead: z.number().min(0),
        ambiguousMaxScore: ratio,
        ambiguousWindow: ratio,
        /** Most options in a "did you mean" question, the best guess included. */
        maxChoices: z.number().int().min(2),
      })
      .strict()
      .refine((o) => o.confidentMaxScore <= o.ambiguousMaxScore, 'confidentMaxScore must not exceed ambiguousMaxScore'),
    stopwords: localised(z.array(z.string())),
    synonyms: z.record(z.string(), z.string()),
  })
  .strict();

export type MatchingConfig = z.infer<typeof matchingConfigSchema>;

export interface KnowledgeBase {
  entries: KnownError[];
  config: MatchingConfig;
}

/** Validates a KB. Throws with every problem listed, so a broken content file fails at boot. */
export function validateKnowledgeBase(entries: unknown[], config: unknown, locales: readonly Locale[] = loadLanguages().tags): KnowledgeBase {
  const parsedConfig = matchingConfigSchema.parse(config);
  const parsed = entries.map((e, i) => {
    const r = knownErrorSchema.safeParse(e);
    const id = typeof e === 'object' && e !== null && 'id' in e ? String((e as { id: unknown }).id) : `#${i}`;
    if (!r.success) throw new Error(`Known error ${id} is invalid: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    const texts: Array<[string, Record<string, unknown>]> = [['title', r.data.title], ['match', r.data.match], ['fix', r.data.fix], ...r.data.links.map((l, n) => [`links.${n}.label`, l.label] as [string, Record<string, unknown>])];
    const wrong = texts.flatMap(([path, value]) => [
      ...locales.filter((l) => !(l in value)).map((l) => `${path}.${l}: missing`),
      ...Object.keys(value).filter((l) => !locales.includes(l)).map((l) => `${path}.${l}: not in the language table`),
    ]);
    if (wrong.length) throw new Error(`Known error ${id} is invalid: ${wrong.join('; ')}`);
    return r.data;
  });
  const seen = new Map<string, string>();
  for (const e of parsed) {
    if (seen.has(e.id)) throw new Error(`Duplicate known-error id: ${e.id}`);
    seen.set(e.id, e.id);
  }
  const codeOwner = new Map<string, string>();
  for (const e of parsed) {
    for (const c of e.codes) {
      const key = canonicalCode(c);
      const owner = codeOwner.get(key);
      if (owner && owner !== e.id) throw new Error(`Code ${c} belongs to both ${owner} and ${e.id}`);
      codeOwner.set(key, e.id);
    }
  }
  return { entries: parsed, config: parsedConfig };
}

/** Reads content/known-errors/*.json and content/matching.json. */
export function loadKnowledgeBase(contentDir: string = CONTENT_DIR): KnowledgeBase {
  const dir = path.join(contentDir, 'known-errors');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const entries = files.map((f) => {
    const raw: unknown = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    const id = typeof raw === 'object' && raw !== null && 'id' in raw ? (raw as { id: unknown }).id : undefined;
    if (id !== path.basename(f, '.json')) throw new Error(`${f}: file name must be <id>.json (id is ${String(id)})`);
    return raw;
  });
  const config: unknown = JSON.parse(fs.readFileSync(path.join(contentDir, 'matching.json'), 'utf8'));
  return validateKnowledgeBase(entries, config, loadLanguages(contentDir).tags);
}

// ---------------------------------------------------------------------------------------------
// Normalisation

/** Cuts to at most `maxBytes` of UTF-8 without splitting a character. */
export function cutToBytes(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Step back over UTF-8 continuation bytes so the cut lands on a character boundary.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

const MONTHS = [
  'january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
  'januari', 'februari', 'maart', 'mei', 'juni', 'juli', 'augustus', 'oktober',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'okt', 'nov', 'dec',
];
const DATE_PATTERNS: RegExp[] = [
  /\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b/g,
  new RegExp(`\\b(?:\\d{1,2}\\s+)?(?:${MONTHS.join('|')})\\b\\.?(?:\\s+\\d{1,2}\\b,?)?(?:\\s+\\d{4}\\b)?`, 'g'),
];

/** 0x80072EFD, 0X80072efd, 0x8007 2EFD and a bare 80072EFD all become `0x80072efd`. */
export function canonicalCode(code: string): string {
  const c = code.toLowerCase().replace(/\s+/g, '');
  if (/^(?:0[x×])?[0-9a-f]{8}$/.test(c)) return `0x${c.slice(-8)}`;
  return c;
}

/**
 * Lower case, no accents, no apostrophes (isn't / isn’t / isnt), no punctuation, no placeholders
 * or dates, and error codes in one canonical form. Returns space-separated words.
 */
export function normaliseText(text: string): string {
  let s = text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  // Placeholders in the KB strings (<x>, <date>) stand for whatever the user's screen showed.
  s = s.replace(/<[^<>]{0,24}>/g, ' ');
  s = s.replace(/['’‘`´ʼ]/g, '');
  s = s.replace(/\b0\s*[x×]\s*([0-9a-f]{4})\s?([0-9a-f]{4})\b/g, ' 0x$1$2 ');
  // A bare 8-digit hex word is a code only if it has a digit: "deadbeef" is not an error code.
  s = s.replace(/(?<![0-9a-z])(?=[a-f]*[0-9])([0-9a-f]{8})(?![0-9a-z])/g, ' 0x$1 ');
  for (const re of DATE_PATTERNS) s = s.replace(re, ' ');
  return s
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const isHexCode = (t: string): boolean => /^0x[0-9a-f]{8}$/.test(t);

// ---------------------------------------------------------------------------------------------
// Matcher

export interface ErrorMatcher {
  /** Matches a paste in any of the supported languages. The text is never stored. */
  match(text: string): MatchResult;
  /** The best candidates with their scores (0 = perfect), for support agents and tuning. */
  explain(text: string, limit?: number): Candidate[];
  entry(id: KnownErrorId): KnownError | undefined;
  /** All entries, in id order. */
  list(): readonly KnownError[];
  /** The entries to offer as buttons when nothing matched, most common first. */
  common(): readonly KnownError[];
}

export interface Candidate {
  id: KnownErrorId;
  score: number;
  /**
   * Evidence this candidate has over the next one: the idf mass of paste words it explains better,
   * in units of the rarest possible word. Two entries that explain the same words ("product key
   * you entered" fits three messages) have no lead, however their scores differ. An exact code
   * leads by 1.
   */
  lead: number;
  /** How it was found: an exact error code, or fuzzy text. */
  via: 'code' | 'text';
}

interface MatchRecord {
  entryIndex: number;
  /** Vocabulary indices of the record's distinct words. */
  terms: number[];
  termSet: Set<number>;
  /** Sum of idf over `terms`. */
  mass: number;
  /** Adjacent word pairs ("a b" as a*vocabSize+b), to reward a paste that keeps the wording. */
  pairs: Set<number>;
  weight: number;
}

/** Builds the matcher. The word indexes and all KB statistics are built here, once. */
export function createErrorMatcher(kb: KnowledgeBase = loadKnowledgeBase()): ErrorMatcher {
  const { entries, config } = kb;
  const { scoring, outcome } = config;
  const sorted = [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byId = new Map(sorted.map((e) => [e.id, e]));
  const commonList = sorted.filter((e) => e.common !== undefined).sort((a, b) => a.common! - b.common!);

  const stopwords = new Set(Object.values(config.stopwords).flat().map((w) => normaliseText(w)));
  const synonyms = new Map(Object.entries(config.synonyms).map(([k, v]) => [normaliseText(k), normaliseText(v)]));

  const codeToEntry = new Map<string, number>();
  sorted.forEach((e, i) => e.codes.forEach((c) => codeToEntry.set(canonicalCode(c), i)));
  const hexCodes = [...codeToEntry.keys()].filter(isHexCode);

  const words = (normalised: string): string[] =>
    normalised
      .split(' ')
      .map((w) => synonyms.get(w) ?? w)
      .filter((w) => w.length >= scoring.minTokenLength && !stopwords.has(w));

  // Vocabulary and records. A record is one on-screen string in one language, each of its
  // sentences (so a fragment is compared with the sentence it comes from), or a title.
  const vocab: string[] = [];
  const vocabIndex = new Map<string, number>();
  const docFreq: number[] = [];
  const rawRecords: { entryIndex: number; sequence: number[]; weight: number }[] = [];
  const addRecord = (entryIndex: number, text: string, weight: number): void => {
    const sequence = words(normaliseText(text)).map((w) => {
      let v = vocabIndex.get(w);
      if (v === undefined) {
        v = vocab.length;
        vocab.push(w);
        vocabIndex.set(w, v);
        docFreq.push(0);
      }
      return v;
    });
    if (sequence.length === 0) return;
    for (const v of new Set(sequence)) docFreq[v]! += 1;
    rawRecords.push({ entryIndex, sequence, weight });
  };
  sorted.forEach((e, i) => {
    for (const locale of Object.keys(e.match)) {
      for (const s of e.match[locale]!) {
        addRecord(i, s, 1);
        const sentences = s.split(/(?<=[.!?])\s+/).filter((x) => x.trim().length > 0);
        if (sentences.length > 1) sentences.forEach((x) => addRecord(i, x, 1));
      }
      addRecord(i, e.title[locale]!, scoring.titleWeight);
    }
    // A code on its own line is a record too, so a mistyped named code still finds its entry.
    e.codes.forEach((c) => addRecord(i, c, 1));
  });
  const vocabSize = vocab.length;
  const pairKey = (a: number, b: number): number => a * vocabSize + b;
  const recordCount = rawRecords.length;
  const idf = docFreq.map((df) => Math.log(1 + (recordCount - df + 0.5) / (df + 0.5)));
  const maxIdf = Math.log(1 + (recordCount + 0.5) / 0.5);
  const records: MatchRecord[] = rawRecords.map(({ entryIndex, sequence, weight }) => {
    const terms = [...new Set(sequence)];
    const pairs = new Set<number>();
    for (let k = 1; k < sequence.length; k++) pairs.add(pairKey(sequence[k - 1]!, sequence[k]!));
    return { entryIndex, terms, termSet: new Set(terms), mass: terms.reduce((sum, t) => sum + idf[t]!, 0), pairs, weight };
  });
  const recordsByTerm: number[][] = vocab.map(() => []);
  records.forEach((r, ri) => r.terms.forEach((t) => recordsByTerm[t]!.push(ri)));
  const explained = new Float64Array(records.length);
  const covered = new Float64Array(records.length);
  const bestForQuery = new Float64Array(records.length);
  const lastQuery = new Int32Array(records.length).fill(-1);

  // Typo lookup. fuse.js (bitap) decides whether a paste word is a KB word with typos. To keep
  // that fast on a large vocabulary, a bigram count filter picks the candidates first. The filter
  // loses nothing: k edits destroy at most 2k of a word's distinct bigrams, and a KB word whose
  // length differs by more than k cannot be within k edits. The length limit also keeps prefixes
  // out: "activeren" is not "activeringslimiet". Words are wrapped in markers and fuse.js anchors
  // the match at location 0, so it compares whole words rather than finding "vraag" in "aanvraag".
  const wrap = (w: string): string => `_${w}_`;
  const fuseOptions: Fuse.IFuseOptions<string> = { ...config.fuse, isCaseSensitive: true, includeMatches: false };
  const bigrams = (w: string): Set<string> => {
    const out = new Set<string>();
    for (let k = 1; k < w.length; k++) out.add(w.slice(k - 1, k + 1));
    return out;
  };
  const wrappedVocab = vocab.map(wrap);
  // Postings per (bigram, word length): a lookup only reads the lengths it could match.
  const postings = new Map<string, number[]>();
  const postingKey = (bigram: string, length: number): string => `${bigram}${length}`;
  const byLength = new Map<number, number[]>();
  wrappedVocab.forEach((w, v) => {
    for (const g of bigrams(w)) {
      const key = postingKey(g, w.length);
      const list = postings.get(key);
      if (list) list.push(v);
      else postings.set(key, [v]);
    }
    const list = byLength.get(w.length);
    if (list) list.push(v);
    else byLength.set(w.length, [v]);
  });
  const shared = new Int32Array(vocab.length);

  /** KB words that `w` is, or is a typo of, with their similarity in (0, 1]. */
  const lookupTerm = (w: string): Map<number, number> => {
    const hits = new Map<number, number>();
    const exact = vocabIndex.get(w);
    if (exact !== undefined) hits.set(exact, 1);
    // Codes only ever match exactly: 0x80004005 is a different error from 0x80070005.
    if (isHexCode(w)) return hits;
    const pattern = wrap(w);
    const budget = Math.floor(config.fuse.threshold * pattern.length);
    const patternBigrams = bigrams(pattern);
    const needed = patternBigrams.size - 2 * budget;
    const candidates: number[] = [];
    if (needed > 0) {
      const seen: number[] = [];
      for (const g of patternBigrams) {
        for (let len = pattern.length - budget; len <= pattern.length + budget; len++) {
          for (const v of postings.get(postingKey(g, len)) ?? []) {
            if (shared[v] === 0) seen.push(v);
            shared[v]! += 1;
          }
        }
      }
      for (const v of seen) {
        if (shared[v]! >= needed) candidates.push(v);
        shared[v] = 0;
      }
    } else {
      for (let len = pattern.length - budget; len <= pattern.length + budget; len++) candidates.push(...(byLength.get(len) ?? []));
    }
    for (const v of candidates) {
      if (v === exact) continue;
      const r = Fuse.match(pattern, wrappedVocab[v]!, fuseOptions);
      if (!r.isMatch) continue;
      const sim = 1 - r.score;
      if (sim > (hits.get(v) ?? 0)) hits.set(v, sim);
    }
    return hits;
  };

  /** The best `limit` candidates, best first. */
  function rank(text: string, limit: number): Candidate[] {
    if (typeof text !== 'string') return [];
    // Keys go first, before the cut, so a key straddling the cut cannot survive in part.
    const normalised = normaliseText(cutToBytes(replaceProductKeys(text, ' '), config.maxInputBytes));
    if (!normalised) return [];
    const tokens = normalised.split(' ');

    // 1. Exact codes, in the order they appear.
    const codeHits: number[] = [];
    for (const t of tokens) {
      const i = codeToEntry.get(t);
      if (i !== undefined && !codeHits.includes(i)) codeHits.push(i);
    }
    if (codeHits.length > 0) return codeHits.slice(0, limit).map((i) => ({ id: sorted[i]!.id, score: 0, lead: 1, via: 'code' }));
    // 1b. A code retyped one edit away from exactly one known code: offered, never decided on
    // (the score of a "did you mean", no lead), since the user may have typed another error's code.
    const near = nearKnownCode(cutToBytes(replaceProductKeys(text, ' '), config.maxInputBytes), hexCodes);
    if (near !== undefined) return [{ id: sorted[codeToEntry.get(near)!]!.id, score: outcome.ambiguousMaxScore, lead: 0, via: 'code' }];

    // 2. Fuzzy words. Repeats are kept in the sequence (for word pairs) but weigh once.
    const sequence = words(normalised)
      // A number that appears in no KB string is a count or a date part, not evidence.
      .filter((w) => !/^\d+$/.test(w) || vocabIndex.has(w));
    const distinct = [...new Set(sequence)].slice(0, scoring.maxQueryTerms);
    if (distinct.length === 0) return [];
    const termOf = new Map(distinct.map((w, qi) => [w, qi]));

    const hits = distinct.map(lookupTerm);
    const weights = distinct.map((w, qi) => {
      const h = hits[qi]!;
      if (h.size === 0) return (isHexCode(w) ? scoring.unknownCodeWeight : scoring.unknownTermWeight) * maxIdf;
      // A typo weighs what the word it stands for weighs. Ties go to the first KB word, so the
      // order in which candidates were found cannot change a score.
      let best = -1;
      let bestSim = 0;
      for (const [v, sim] of h) if (sim > bestSim || (sim === bestSim && v < best)) [best, bestSim] = [v, sim];
      return idf[best]!;
    });
    const queryMass = weights.reduce((s, w) => s + w, 0);

    // Per record: idf mass of the paste it explains, and of itself that the paste contains.
    // Scratch arrays are reused across calls (matching is synchronous), so a paste that touches
    // thousands of records in a large KB allocates nothing per record.
    const touched: number[] = [];
    const touch = (ri: number): void => {
      if (lastQuery[ri] === -1) touched.push(ri);
    };
    hits.forEach((h, qi) => {
      for (const [v, sim] of h) {
        for (const ri of recordsByTerm[v]!) {
          touch(ri);
          if (lastQuery[ri] !== qi) {
            if (lastQuery[ri]! >= 0) explained[ri]! += bestForQuery[ri]! * weights[lastQuery[ri]!]!;
            lastQuery[ri] = qi;
            bestForQuery[ri] = sim;
          } else if (sim > bestForQuery[ri]!) bestForQuery[ri] = sim;
        }
      }
    });
    const bestForWord = new Map<number, number>();
    for (const h of hits) for (const [v, sim] of h) if (sim > (bestForWord.get(v) ?? 0)) bestForWord.set(v, sim);
    for (const [v, sim] of bestForWord) for (const ri of recordsByTerm[v]!) covered[ri]! += sim * idf[v]!;

    // Adjacent word pairs of the paste, as the KB word pairs they could stand for.
    const pairSims = new Map<number, number>();
    const queryPairs = new Set<number>();
    for (let k = 1; k < sequence.length; k++) {
      const a = termOf.get(sequence[k - 1]!);
      const b = termOf.get(sequence[k]!);
      if (a === undefined || b === undefined || a === b) continue;
      queryPairs.add(a * distinct.length + b);
      for (const [va, sa] of hits[a]!) {
        for (const [vb, sb] of hits[b]!) {
          const key = pairKey(va, vb);
          if (sa * sb > (pairSims.get(key) ?? 0)) pairSims.set(key, sa * sb);
        }
      }
    }

    const bestByEntry = new Map<number, number>();
    const bestRecord = new Map<number, number>();
    for (const ri of touched) {
      const r = records[ri]!;
      const queryCoverage = (explained[ri]! + bestForQuery[ri]! * weights[lastQuery[ri]!]!) / queryMass;
      const recordCoverage = covered[ri]! / r.mass;
      explained[ri] = 0;
      covered[ri] = 0;
      lastQuery[ri] = -1;
      const wordSimilarity = blend(queryCoverage, recordCoverage, scoring.queryWeight);

      let similarity = wordSimilarity;
      if (r.pairs.size > 0 && queryPairs.size > 0) {
        let kept = 0;
        for (const p of r.pairs) kept += pairSims.get(p) ?? 0;
        const pairSimilarity = blend(Math.min(1, kept / queryPairs.size), kept / r.pairs.size, scoring.queryWeight);
        similarity = (1 - scoring.phraseWeight) * wordSimilarity + scoring.phraseWeight * pairSimilarity;
      }
      similarity *= r.weight;
      if (similarity > (bestByEntry.get(r.entryIndex) ?? 0)) {
        bestByEntry.set(r.entryIndex, similarity);
        bestRecord.set(r.entryIndex, ri);
      }
    }

    // How well each of the top candidates explains each paste word, to measure their leads.
    const top = topCandidates(bestByEntry, limit);
    const explainedWords = top.map(([i]) => {
      const terms = records[bestRecord.get(i)!]!.termSet;
      return hits.map((h) => {
        let best = 0;
        for (const [v, sim] of h) if (sim > best && terms.has(v)) best = sim;
        return best;
      });
    });
    return top.map(([i, sim], k): Candidate => {
      const mine = explainedWords[k]!;
      const next = explainedWords[k + 1];
      let lead = 0;
      mine.forEach((s, qi) => (lead += weights[qi]! * Math.max(0, s - (next?.[qi] ?? 0))));
      return { id: sorted[i]!.id, score: round(1 - sim), lead: round(lead / maxIdf), via: 'text' };
    });
  }

  function decide(ranked: Candidate[]): MatchResult {
    const best = ranked[0];
    if (!best || best.score > outcome.ambiguousMaxScore) {
      return { id: null, outcome: 'none', score: best?.score ?? 1, alternatives: [] };
    }
    const second = ranked[1];
    const gap = second ? second.score - best.score : 1;
    if (best.score <= outcome.confidentMaxScore && gap >= outcome.confidentMinGap && best.lead >= outcome.confidentMinLead) {
      return { id: best.id, outcome: 'confident', score: best.score, alternatives: [] };
    }
    const close = ranked
      .slice(1)
      .filter((c) => c.score <= outcome.ambiguousMaxScore && c.score - best.score <= outcome.ambiguousWindow);
    // More look-alikes than we can offer means the paste is too vague ("key"): a "did you mean"
    // that leaves out equally good answers would mislead, so say we don't know.
    if (close.length + 1 > outcome.maxChoices) {
      return { id: null, outcome: 'none', score: best.score, alternatives: [] };
    }
    return { id: best.id, outcome: 'ambiguous', score: best.score, alternatives: close.map((c) => c.id) };
  }

  return {
    // decide() needs one more candidate than it can offer, to tell "vague" from "ambiguous".
    match: (text) => decide(rank(text, outcome.maxChoices + 1)),
    explain: (text, limit = 5) => rank(text, limit),
    entry: (id) => byId.get(id),
    list: () => sorted,
    common: () => commonList,
  };
}

/**
 * The `limit` highest similarities, best first; ties go to the lower index (ids are sorted), so
 * results do not depend on Map order. A bounded insertion: a large KB can yield thousands of
 * candidates and only a handful are ever needed.
 */
function topCandidates(similarities: Map<number, number>, limit: number): [number, number][] {
  const top: [number, number][] = [];
  const better = (a: [number, number], b: [number, number]): boolean => a[1] > b[1] || (a[1] === b[1] && a[0] < b[0]);
  for (const candidate of similarities) {
    if (top.length === limit && !better(candidate, top[top.length - 1]!)) continue;
    let at = top.length;
    while (at > 0 && better(candidate, top[at - 1]!)) at--;
    top.splice(at, 0, candidate);
    if (top.length > limit) top.pop();
  }
  return top;
}

/** Weighted geometric mean: both "how much of the paste" and "how much of the string" must be high. */
function blend(queryCoverage: number, recordCoverage: number, queryWeight: number): number {
  return Math.pow(queryCoverage, queryWeight) * Math.pow(recordCoverage, 1 - queryWeight);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

let shared: ErrorMatcher | undefined;

/** The matcher over the KB in content/, built on first use and then reused. */
export function defaultErrorMatcher(): ErrorMatcher {
  shared ??= createErrorMatcher(loadKnowledgeBase());
  return shared;
}

/** Title and fix of an entry in the conversation's language. */
export function localisedEntry(entry: KnownError, locale: Locale): { id: KnownErrorId; title: string; fix: string[] } {
  return { id: entry.id, title: entry.title[locale], fix: entry.fix[locale] };
}
