import fs from 'node:fs';
import path from 'node:path';
import MiniSearch from 'minisearch';
import { z } from 'zod';
import type { KnownErrorId, Locale, MatchResult } from '../../dialogs/types';
import { loadLanguages } from '../i18n/languages';
import { CONTENT_DIR } from '../paths';
import { nearKnownCode, type Spoken } from './near-code';
import { replaceProductKeys } from './product-key';
import { asPhotographed, errorCodes, fold, sentences, splitCompound, withoutHexCodes, words } from './text';

/*
 * Known-error knowledge base and matcher.
 *
 * How a paste is matched:
 *  1. Product keys are dropped (never matched, never kept), the text is cut to maxInputBytes.
 *  2. Error codes (text.ts: 0x80072EFD, 80072EFD, NoMatchingEligibleProductsFound) are looked up
 *     exactly; a known code decides on its own. A hex code one edit from exactly one known code
 *     (near-code.ts) is offered as a question.
 *  3. Otherwise one MiniSearch index over every on-screen string, each of its sentences, every
 *     title and named code, in both languages, finds the strings that share the paste's words
 *     (typos and word beginnings allowed, content/matching.json's `search`). A string's relevance
 *     is MiniSearch's (BM25: rare words count more, and more shared words more) times the share
 *     of the string the paste contains; an entry counts with its best string.
 *  4. decide() turns relevance into an outcome with the thresholds of matching.json's `outcome`:
 *     confident needs enough relevance and a lead over the runner-up; ambiguous offers at most
 *     maxChoices look-alikes; anything vaguer or weaker is none.
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
    /** MiniSearch options: which paste words may match KB words they are not. */
    search: z
      .object({
        /** Edits a typo may have, as a share of the word's length (MiniSearch's fuzzy). */
        fuzzy: ratio,
        /** At most this many edits, however long the word: more cost time and find nothing real. */
        maxFuzzy: z.number().int().min(0),
        /** Shorter words match exactly: "kan" is not "can", "key" is not "keys". */
        fuzzyMinLength: z.number().int().min(1),
        /** A word this long also matches the KB words it begins ("licentie" → "licenties"). */
        prefixMinLength: z.number().int().min(1),
        /** What a typo and a prefix match count, against 1 for the word itself. */
        weights: z.object({ fuzzy: ratio, prefix: ratio }).strict(),
        /** Titles are our own words: they count, but less than what users actually see. */
        titleBoost: ratio,
        /**
         * How much more a candidate string counts when the paste has its words in its order: its
         * relevance is multiplied by 1 + orderBoost x the share of the paste's word pairs it has.
         */
        orderBoost: z.number().min(0),
      })
      .strict(),
    words: z
      .object({
        /** Shorter words are not evidence. */
        minLength: z.number().int().min(1),
        /** Distinct words of a paste that are compared, in the order typed. */
        maxPerPaste: z.number().int().positive(),
      })
      .strict(),
    outcome: z
      .object({
        /** Least relevance (Candidate.relevance) for a confident answer. */
        confidentMinRelevance: z.number().positive(),
        /** A confident answer is at least this many times as relevant as the runner-up. */
        confidentMinLead: z.number().min(1),
        /** Least relevance for a "did you mean"; below it the answer is none. */
        ambiguousMinRelevance: z.number().positive(),
        /** Candidates within this lead of the best are look-alikes: offered, or too many to offer. */
        ambiguousMaxLead: z.number().min(1),
        /** Most options in a "did you mean" question, the best guess included. */
        maxChoices: z.number().int().min(2),
      })
      .strict()
      .refine((o) => o.confidentMinRelevance >= o.ambiguousMinRelevance, 'confidentMinRelevance must not be below ambiguousMinRelevance'),
    stopwords: localised(z.array(z.string())),
    synonyms: z.record(z.string(), z.string()),
    /**
     * Per language, the words a code's characters are read out with ("zero", "nul", "ex"), or a
     * few of them ("hundred", "honderd"): near-code.ts.
     */
    spokenCharacters: localised(z.record(z.string().regex(/^\p{L}+$/u, 'one word of letters'), z.string().regex(/^[0-9a-fx]{1,3}$/))),
    /** Per language, the words that repeat the next character ("double", "dubbel"): near-code.ts. */
    spokenRepeats: localised(z.record(z.string().regex(/^\p{L}+$/u, 'one word of letters'), z.number().int().min(2).max(9))),
    /** Per language, plurals that repeat a character as often as the number said before them ("six zeros", "zes nullen"). */
    spokenRuns: localised(z.record(z.string().regex(/^\p{L}+$/u, 'one word of letters'), z.string().regex(/^[0-9a-f]$/))),
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
// Words

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

/** 0x80072EFD, 0X80072efd, 0x8007 2EFD and a bare 80072EFD all become `0x80072efd`. */
export function canonicalCode(code: string): string {
  return errorCodes(code)[0] ?? code.toLowerCase().replace(/\s+/g, '');
}

const MONTHS = [
  'january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
  'januari', 'februari', 'maart', 'mei', 'juni', 'juli', 'augustus', 'oktober',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'okt', 'nov', 'dec',
];
/** Dates and placeholders (<x>, <date>) stand for whatever the user's screen showed: no evidence. */
const NOT_EVIDENCE: RegExp[] = [
  /<[^<>]{0,24}>/g,
  /\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b/g,
  new RegExp(`\\b(?:\\d{1,2}\\s+)?(?:${MONTHS.join('|')})\\b\\.?(?:\\s+\\d{1,2}\\b,?)?(?:\\s+\\d{4}\\b)?`, 'g'),
];

/**
 * The words of an on-screen string or a paste that are evidence, space-separated: text.ts's words
 * without hex codes (looked up exactly instead), dates and placeholders.
 */
export function normaliseText(text: string): string {
  let s = fold(withoutHexCodes(text));
  for (const re of NOT_EVIDENCE) s = s.replace(re, ' ');
  return words(s).join(' ');
}

// ---------------------------------------------------------------------------------------------
// Matcher

export interface ErrorMatcher {
  /** Matches a paste in any of the supported languages. The text is never stored. */
  match(text: string): MatchResult;
  /** The best candidates, most relevant first, for support agents and tuning. */
  explain(text: string, limit?: number): Candidate[];
  /** Whether the text names a known error's code, as written or retyped one character off ("0xC004BI00"). */
  namesCode(text: string): boolean;
  entry(id: KnownErrorId): KnownError | undefined;
  /** All entries, in id order. */
  list(): readonly KnownError[];
  /** The entries to offer as buttons when nothing matched, most common first. */
  common(): readonly KnownError[];
}

export interface Candidate {
  id: KnownErrorId;
  /**
   * How alike the paste and the entry's best string are, 0 = the same words, 1 = nothing alike:
   * one minus the geometric mean of the share of the paste's words the string has and the share
   * of the string's words the paste has. An exact code is 0.
   */
  score: number;
  /** MiniSearch's relevance (BM25), weighed by the share of the string the paste has; decide() reads it. */
  relevance: number;
  /** How it was found: an error code, or the words. */
  via: 'code' | 'text';
}

/** One string of an entry in the index: an on-screen string, one of its sentences, a title or a code. */
interface Screen {
  id: number;
  entry: number;
  screen?: string;
  title?: string;
  /** How many distinct words it has. */
  size: number;
}

/** Builds the matcher: the MiniSearch index over every entry's strings is built here, once. */
export function createErrorMatcher(kb: KnowledgeBase = loadKnowledgeBase()): ErrorMatcher {
  const { entries, config } = kb;
  const { outcome, search } = config;
  const sorted = [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byId = new Map(sorted.map((e) => [e.id, e]));
  const commonList = sorted.filter((e) => e.common !== undefined).sort((a, b) => a.common! - b.common!);

  const codeToEntry = new Map<string, number>();
  sorted.forEach((e, i) => e.codes.forEach((c) => codeToEntry.set(canonicalCode(c), i)));
  const knownCodes = [...codeToEntry.keys()];
  const lowerKeys = <T>(tables: Record<string, Record<string, T>>) => Object.fromEntries(Object.values(tables).flatMap((t) => Object.entries(t).map(([word, v]) => [word.toLowerCase(), v])));
  const spoken: Spoken = { characters: lowerKeys(config.spokenCharacters), repeats: lowerKeys(config.spokenRepeats), runs: lowerKeys(config.spokenRuns) };

  const stopwords = new Set(Object.values(config.stopwords).flat().map(normaliseText));
  const synonyms = new Map(Object.entries(config.synonyms).map(([k, v]) => [normaliseText(k), normaliseText(v)]));
  /** A KB string's or a paste's words, normalised once for both uses below. */
  const wordsOf = (text: string): string[] => normaliseText(text).split(' ');
  /** The words that are evidence, the same for a KB string and a paste. */
  const evidence = (words: readonly string[]): string[] =>
    words
      .map((w) => synonyms.get(w) ?? w)
      .filter((w) => w.length >= config.words.minLength && !stopwords.has(w) && !/^\d+$/.test(w));

  // Each entry's on-screen strings as word pairs in order, stopwords kept: a fragment cut from one
  // ("This product key has already been us…") shares its order with it, and not only its words
  // with every string that has them ("You have already entered this product key"). The words
  // alone put such fragments under the shorter string.
  const pairsOf = (words: readonly string[]): Set<string> => new Set(words.slice(1).map((w, i) => `${words[i]} ${w}`));
  const entryPairs = sorted.map((e) => Object.values(e.match).flat().map((s) => pairsOf(wordsOf(s))));

  const screens: Screen[] = [];
  const add = (entry: number, text: string, field: 'screen' | 'title'): void => {
    const words = evidence(wordsOf(text));
    if (words.length > 0) screens.push({ id: screens.length, entry, [field]: words.join(' '), size: new Set(words).size });
  };
  sorted.forEach((e, i) => {
    for (const locale of Object.keys(e.match)) {
      for (const s of e.match[locale]!) {
        add(i, s, 'screen');
        // Each sentence on its own too, so a fragment is compared with the sentence it comes from.
        const parts = sentences(s);
        if (parts.length > 1) parts.forEach((x) => add(i, x, 'screen'));
      }
      add(i, e.title[locale]!, 'title');
    }
    // A named code is a string of its own, so a mistyped one still finds its entry.
    e.codes.forEach((c) => add(i, c, 'screen'));
  });

  // Strings are already words (evidence()), so MiniSearch only splits them at spaces.
  const index = new MiniSearch<Screen>({
    fields: ['screen', 'title'],
    storeFields: ['entry', 'size'],
    tokenize: (s) => s.split(' '),
    processTerm: (w) => w,
    searchOptions: {
      boost: { title: search.titleBoost },
      fuzzy: (w) => (w.length >= search.fuzzyMinLength ? search.fuzzy : false),
      prefix: (w) => w.length >= search.prefixMinLength,
      maxFuzzy: search.maxFuzzy,
      weights: search.weights,
      combineWith: 'OR',
    },
  });
  // A string that several entries share once its code is gone ("Error code 0x80070005" and
  // "Error code 0x80072EFD" are both "error code") tells them apart no better than no string.
  const owners = new Map<string, Set<number>>();
  for (const { entry, screen, title } of screens) owners.set(screen ?? title!, (owners.get(screen ?? title!) ?? new Set()).add(entry));
  index.addAll(screens.filter(({ screen, title }) => owners.get(screen ?? title!)!.size === 1));

  // A paste's word the strings do not have may be one of theirs misread from a photo ("rnaxirnurn"):
  // read it as that word when exactly one of theirs looks the same (text.ts, asPhotographed).
  const known = new Set(screens.flatMap(({ screen, title }) => (screen ?? title!).split(' ')));
  const lookalikes = new Map<string, string | undefined>();
  for (const w of known) {
    const seen = asPhotographed(w);
    lookalikes.set(seen, lookalikes.has(seen) ? undefined : w);
  }
  const asTheirs = (w: string): string => (known.has(w) ? w : (lookalikes.get(asPhotographed(w)) ?? w));
  /**
   * A paste's words with the spaces the strings have: two words the strings write as one ("ver
   * lopen", "ex pired") joined, and a word they write as two ("opgegevenproductcode") split, when
   * the strings know the result and not what was typed (they have "set" and "up" each: no "setup").
   */
  const respaced = (typed: readonly string[]): string[] => {
    const out: string[] = [];
    for (let i = 0; i < typed.length; i++) {
      const w = typed[i]!;
      const next = typed[i + 1];
      if (next !== undefined && !known.has(w) && !known.has(next) && known.has(w + next)) {
        out.push(w + next);
        i++;
      } else out.push(...(known.has(w) ? [w] : (splitCompound(w, known) ?? [w])));
    }
    return out;
  };

  /** The paste as matched: product keys out first, so a key straddling the cut cannot survive in part. */
  const asPasted = (text: string) => cutToBytes(replaceProductKeys(text, ' '), config.maxInputBytes);

  /** The candidates its error codes give, if any: known ones as written, or one retyped one edit off. */
  function byCode(paste: string, limit: number): Candidate[] {
    // 1. Known codes decide on their own, in the order they appear.
    // (A named code typed in lower case is not a code to text.ts, but it is one we know.)
    const coded = [...new Set([...errorCodes(paste), ...words(paste)].flatMap((c) => codeToEntry.get(c) ?? []))];
    if (coded.length > 0) return coded.slice(0, limit).map((i) => ({ id: sorted[i]!.id, score: 0, relevance: Infinity, via: 'code' }));
    // 2. A code retyped one edit away from exactly one known code is offered, never decided on,
    // since the user may have typed another error's code.
    const near = nearKnownCode(paste, knownCodes, spoken);
    return near === undefined ? [] : [{ id: sorted[codeToEntry.get(near)!]!.id, score: NEAR_CODE_SCORE, relevance: outcome.ambiguousMinRelevance, via: 'code' }];
  }

  /** The best `limit` candidates, best first. */
  function rank(text: string, limit: number): Candidate[] {
    if (typeof text !== 'string') return [];
    const paste = asPasted(text);
    const coded = byCode(paste, limit);
    if (coded.length > 0) return coded;

    // 3. The words.
    const pasteWords = respaced(wordsOf(paste));
    const query = [...new Set(evidence(pasteWords).map(asTheirs))].slice(0, config.words.maxPerPaste);
    if (query.length === 0) return [];
    // MiniSearch's relevance says how much of the paste a string explains; it is weighed by how
    // much of the string the paste contains, so that a few words shared with a long string
    // ("enter a valid email address") count less than a whole short one ("Unlicensed Product").
    const best = new Map<number, Candidate>();
    const pastePairs = pairsOf(pasteWords);
    /**
     * The largest share of the paste's word pairs that one of the entry's strings has. Once per
     * entry and paste: the search finds an entry once for each of its strings and its title.
     */
    const orderShare = new Map<number, number>();
    const inOrder = (entry: number): number => {
      let share = orderShare.get(entry);
      if (share !== undefined) return share;
      let most = 0;
      for (const pairs of entryPairs[entry]!) {
        let shared = 0;
        for (const pair of pastePairs) if (pairs.has(pair)) shared++;
        most = Math.max(most, shared);
      }
      // One pair in order ("product key") is every key error's; order tells from three words on.
      share = most >= 2 ? most / pastePairs.size : 0;
      orderShare.set(entry, share);
      return share;
    };
    for (const { entry, size, score, terms, queryTerms } of index.search(query.join(' '))) {
      const ofString = new Set(terms).size / size;
      const plain = score * ofString;
      // Order only ranks strings the words already make candidates: "Please enter a valid email
      // address" has "enter a valid" in the order of an invalid key's message, and is no error.
      const relevance = plain >= outcome.ambiguousMinRelevance ? plain * (1 + search.orderBoost * inOrder(entry)) : plain;
      if (relevance <= (best.get(entry)?.relevance ?? 0)) continue;
      const alike = Math.sqrt(ofString * (queryTerms.length / query.length));
      best.set(entry, { id: sorted[entry]!.id, score: round(1 - alike), relevance: round(relevance), via: 'text' });
    }
    return [...best.values()].sort((a, b) => b.relevance - a.relevance || (a.id < b.id ? -1 : 1)).slice(0, limit);
  }

  /** How many times as relevant `a` is as `b`. */
  const lead = (a: Candidate, b: Candidate): number => (a.relevance === b.relevance ? 1 : a.relevance / b.relevance);

  function decide(ranked: Candidate[]): MatchResult {
    const best = ranked[0];
    if (!best || best.relevance < outcome.ambiguousMinRelevance) {
      return { id: null, outcome: 'none', score: best?.score ?? 1, alternatives: [] };
    }
    const second = ranked[1];
    if (best.relevance >= outcome.confidentMinRelevance && (!second || lead(best, second) >= outcome.confidentMinLead)) {
      return { id: best.id, outcome: 'confident', score: best.score, alternatives: [] };
    }
    // More look-alikes than we can offer means the paste is too vague ("product key"): a "did you
    // mean" that leaves out equally good answers would mislead, so say we don't know.
    const close = ranked.slice(1).filter((c) => lead(best, c) <= outcome.ambiguousMaxLead);
    if (close.length + 1 > outcome.maxChoices) {
      return { id: null, outcome: 'none', score: best.score, alternatives: [] };
    }
    const offered = close.filter((c) => c.relevance >= outcome.ambiguousMinRelevance).map((c) => c.id);
    return { id: best.id, outcome: 'ambiguous', score: best.score, alternatives: offered };
  }

  return {
    // decide() needs one more candidate than it can offer, to tell "vague" from "ambiguous".
    match: (text) => decide(rank(text, outcome.maxChoices + 1)),
    explain: (text, limit = 5) => rank(text, limit),
    namesCode: (text) => typeof text === 'string' && byCode(asPasted(text), 1).length > 0,
    entry: (id) => byId.get(id),
    list: () => sorted,
    common: () => commonList,
  };
}

/** A retyped code is offered, never matched: as alike as half. */
const NEAR_CODE_SCORE = 0.5;

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
