/**
 * Error codes as people retype them: a digit dropped or doubled, two digits swapped, one misread
 * from a photo (8 for B, O for 0, I for 1), spaces or a dash inside ("80072 EFD", "0x D000 00C",
 * "8 0 0 7 2 E F D", "80072-efd"), or read out as words ("nul x acht nul nul zeven…").
 * Such a code is taken for a known one only when exactly one known code is within one edit of it,
 * so two known codes that differ in one digit are never guessed between.
 */
import { asPhotographed } from './text';

/**
 * A run of hex chunks that may be a code: 0x and 6-9 hex digits, or a bare run with a digit in its
 * first chunk, in up to five chunks ("0 x c 004 b 100").
 */
const CANDIDATE = /(?<![0-9a-z])(0\s*[x×]\s*)?([0-9a-f]{1,9}(?:[\s-]+[0-9a-f]{1,8}){0,4})(?![0-9a-z])/gi;

/**
 * A code after 0x read off a photo or typed by hand: a letter O for a zero, in the prefix too
 * ("Ox8007OOO5"), and a capital I or a small l for a one ("0xC004BI00").
 */
const MISREAD_RUN = /(?<![0-9a-z])[0o]\s*[x×]\s*[0-9a-filo]{6,9}(?![0-9a-z])/gi;
const MISREAD_DIGIT: Record<string, string> = { o: '0', i: '1', l: '1' };
/**
 * The same misreadings in a chunk of a code without 0x ("c004b1oo", "C004 B1OO"): a word of hex
 * letters and digits with an O, I or l among them. No word of either language has a digit there.
 */
const MISREAD_CHUNK = /(?<![0-9a-z])(?=[0-9a-filo]*\d)(?=[0-9a-filo]*[oil])[0-9a-filo]{3,9}(?![0-9a-z])/gi;
/** A run or chunk of a code with its misread letters as the digits they stand for. */
const asDigits = (code: string): string => code.replace(/[oil]/gi, (c) => MISREAD_DIGIT[c.toLowerCase()]!);
/** A code read out or typed one character at a time: "8 0 0 7 2 E F D". */
const SPELLED = /(?<![0-9a-z])(?:[0-9a-f] ){5,8}[0-9a-f](?![0-9a-z])/gi;

/**
 * How a code is read out, in any language, lower case: words for its characters ("zero", "nul",
 * "ex", "bee") and words that repeat the next one ("double oh", "dubbel nul").
 */
export interface Spoken {
  characters: Readonly<Record<string, string>>;
  repeats: Readonly<Record<string, number>>;
  /** Plurals that repeat a character as often as the digit read out before them ("six zeros"). */
  runs: Readonly<Record<string, string>>;
}
const NOT_SPOKEN: Spoken = { characters: {}, repeats: {}, runs: {} };

/**
 * A code read out and typed as words, six of them or more in a row ("nul x acht nul nul zeven nul
 * nul nul vijf", "oh x C zero zero four", "zero x eight double oh seven"), as the characters. One
 * pass over the words: a pattern of every spoken word, tried at every position of a 4 KB paste,
 * cost milliseconds.
 */
function unspoken(text: string, spoken: Spoken): string {
  if (Object.keys(spoken.characters).length === 0) return text;
  const parts = text.split(/([\s,.-]+)/);
  const isSpoken = (word: string) => {
    const w = word.toLowerCase();
    return Object.hasOwn(spoken.characters, w) || Object.hasOwn(spoken.repeats, w) || Object.hasOwn(spoken.runs, w) || /^[0-9a-fx]$/.test(w);
  };
  let out = '';
  for (let i = 0; i < parts.length; ) {
    // parts alternate word, separator, word…: a run is a stretch of spoken words.
    let end = i;
    while (end < parts.length && isSpoken(parts[end]!)) end += 2;
    const words = (end - i) / 2;
    if (words >= SPOKEN_RUN) {
      out += characters(parts.filter((_, k) => k >= i && k < end && (k - i) % 2 === 0), spoken) + (parts[end - 1] ?? '');
      i = end;
    } else {
      out += parts[i]! + (parts[i + 1] ?? '');
      i += 2;
    }
  }
  return out;
}

/** The fewest words in a row read as a code. */
const SPOKEN_RUN = 6;

/**
 * Spoken words as the characters they stand for, a repeat word doubling or tripling the next, and
 * a run word repeating its character as often as the digit before it says ("six zeros": 000000).
 */
function characters(words: readonly string[], spoken: Spoken): string {
  let times = 1;
  let code = '';
  let last = '';
  for (const word of words.map((w) => w.toLowerCase())) {
    const repeat = Object.hasOwn(spoken.repeats, word) ? spoken.repeats[word] : undefined;
    const run = Object.hasOwn(spoken.runs, word) ? spoken.runs[word] : undefined;
    if (repeat !== undefined) times = repeat;
    else if (run !== undefined) {
      // "zeros" without a number before it is one zero more.
      code = /^[2-9]$/.test(last) ? code.slice(0, -1) + run.repeat(Number(last)) : code + run;
      last = '';
    } else {
      last = Object.hasOwn(spoken.characters, word) ? spoken.characters[word]! : word;
      code += last.repeat(times);
      times = 1;
    }
  }
  return code;
}

/** Digits grouped in thousands, as dictation writes a long number ("80,070,005", "80.070.005"). */
const THOUSANDS = /(?<=\d)[,.](?=\d{3}(?!\d))/g;

/** The hex digits of every code-like run in `text`, each chunk prefix of a run tried as well. */
export function codeCandidates(text: string, spoken: Spoken = NOT_SPOKEN): string[] {
  const found = new Set<string>();
  const read = unspoken(text.replace(THOUSANDS, ''), spoken)
    .replace(MISREAD_RUN, asDigits)
    .replace(MISREAD_CHUNK, asDigits)
    .replace(SPELLED, (run) => run.replace(/ /g, ''));
  for (const m of read.matchAll(CANDIDATE)) {
    const prefixed = m[1] !== undefined;
    const chunks = m[2]!.toLowerCase().split(/[\s-]+/);
    // Without 0x, a code starts with a chunk of four or more that has a digit ("80072 efd"), or is
    // mostly digits typed apart ("D 000 000 C"), so that words made of hex letters ("be a dead
    // face") are never read as one.
    if (!prefixed && (chunks[0]!.length < 4 || !/[0-9]/.test(chunks[0]!)) && (m[2]!.match(/[0-9]/g)?.length ?? 0) < 5) continue;
    let joined = '';
    for (const chunk of chunks) {
      joined += chunk;
      if (joined.length >= 7 && joined.length <= 9) found.add(joined);
    }
  }
  return [...found];
}

/** Whether `a` becomes `b` by one insertion, deletion, substitution or swap of neighbours. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  if (a.length === b.length) {
    const diff: number[] = [];
    for (let i = 0; i < a.length && diff.length <= 2; i++) if (a[i] !== b[i]) diff.push(i);
    if (diff.length === 1) return true;
    const [i, j] = diff;
    return diff.length === 2 && j === i! + 1 && a[i!] === b[j] && a[j] === b[i!];
  }
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  return short.slice(i) === long.slice(i + 1);
}

/** The most words a named code is typed apart into ("No Matching Eligible Products Found"). */
const NAMED_CODE_WORDS = 6;

/**
 * The one known code that a code in `text` is a near miss of, or undefined when none is, or more
 * than one. `known` holds hex codes as `0x` + 8 hex digits and named codes, both in lower case; a
 * named code is compared with the words of 12 letters or more ("NoMatchingEligableProductsFound").
 */
export function nearKnownCode(text: string, known: readonly string[], spoken: Spoken = NOT_SPOKEN): string | undefined {
  const hits = new Set<string>();
  const hex = known.filter((code) => code.startsWith('0x'));
  const named = known.filter((code) => !code.startsWith('0x'));
  for (const candidate of codeCandidates(text, spoken)) {
    for (const code of hex) if (withinOneEdit(candidate, code.slice(2))) hits.add(code);
  }
  // A named code is compared with every word of 12 letters or more, and with every run of up to
  // six words typed apart ("no matching eligable products found") joined into one.
  if (named.length > 0) {
    const seen = named.map((code) => [code, asPhotographed(code)] as const);
    const longest = Math.max(...seen.map(([, code]) => code.length)) + 1;
    // Each word as a photo reads it, once: a window of words is their concatenation.
    const letters = text.toLowerCase().split(/[^a-z]+/).filter(Boolean).map(asPhotographed);
    for (let from = 0; from < letters.length; from++) {
      let joined = '';
      for (let to = from; to < Math.min(letters.length, from + NAMED_CODE_WORDS) && joined.length + letters[to]!.length <= longest; to++) {
        joined += letters[to];
        if (joined.length < 12) continue;
        for (const [code, photographed] of seen) if (Math.abs(joined.length - photographed.length) <= 1 && withinOneEdit(joined, photographed)) hits.add(code);
      }
    }
  }
  return hits.size === 1 ? [...hits][0] : undefined;
}
