/**
 * Error codes as people retype them: a digit dropped or doubled, two digits swapped, one misread
 * from a photo (8 for B, O for 0, I for 1), spaces or a dash inside ("80072 EFD", "0x D000 00C",
 * "8 0 0 7 2 E F D", "80072-efd"), or read out as words ("nul x acht nul nul zeven…").
 * Such a code is taken for a known one only when exactly one known code is within one edit of it,
 * so two known codes that differ in one digit are never guessed between.
 */
import { asPhotographed } from './text';

/** A run of hex chunks that may be a code: 0x and 6-9 hex digits, or a bare run with a digit in its first chunk. */
const CANDIDATE = /(?<![0-9a-z])(0\s*[x×]\s*)?([0-9a-f]{2,9}(?:[\s-]+[0-9a-f]{1,8}){0,2})(?![0-9a-z])/gi;

/**
 * A code after 0x read off a photo or typed by hand: a letter O for a zero, in the prefix too
 * ("Ox8007OOO5"), and a capital I or a small l for a one ("0xC004BI00").
 */
const MISREAD_RUN = /(?<![0-9a-z])[0o]\s*[x×]\s*[0-9a-filo]{6,9}(?![0-9a-z])/gi;
const MISREAD_DIGIT: Record<string, string> = { o: '0', i: '1', l: '1' };
/** A code read out or typed one character at a time: "8 0 0 7 2 E F D". */
const SPELLED = /(?<![0-9a-z])(?:[0-9a-f] ){5,8}[0-9a-f](?![0-9a-z])/gi;

/** Spoken words for the characters of a code ("zero", "nul", "ex"), lower case, in any language. */
export type SpokenCharacters = Readonly<Record<string, string>>;

/**
 * A code read out and typed as words, six characters or more in a row ("nul x acht nul nul zeven
 * nul nul nul vijf", "oh x C zero zero four"), as the characters themselves.
 */
function unspoken(text: string, spoken: SpokenCharacters): string {
  if (Object.keys(spoken).length === 0) return text;
  return text.replace(spokenRun(spoken), (words) => words.split(/[\s,.-]+/).map((w) => spoken[w.toLowerCase()] ?? w).join(''));
}

/** Per table of spoken characters, the pattern of a run of them, made once. */
const runs = new WeakMap<SpokenCharacters, RegExp>();
function spokenRun(spoken: SpokenCharacters): RegExp {
  let run = runs.get(spoken);
  if (!run) {
    const token = String.raw`(?:${Object.keys(spoken).join('|')}|[0-9a-f]|x)`;
    run = new RegExp(String.raw`(?<![\p{L}\p{N}])${token}(?:[\s,.-]+${token}){5,}(?![\p{L}\p{N}])`, 'giu');
    runs.set(spoken, run);
  }
  return run;
}

/** The hex digits of every code-like run in `text`, each chunk prefix of a run tried as well. */
export function codeCandidates(text: string, spoken: SpokenCharacters = {}): string[] {
  const found = new Set<string>();
  const read = unspoken(text, spoken)
    .replace(MISREAD_RUN, (run) => run.replace(/[oil]/gi, (c) => MISREAD_DIGIT[c.toLowerCase()]!))
    .replace(SPELLED, (run) => run.replace(/ /g, ''));
  for (const m of read.matchAll(CANDIDATE)) {
    const prefixed = m[1] !== undefined;
    const chunks = m[2]!.toLowerCase().split(/[\s-]+/);
    // Without 0x, a code starts with a chunk of four or more that has a digit ("80072 efd"), so
    // that words made of hex letters ("be a dead face") are never read as one.
    if (!prefixed && (chunks[0]!.length < 4 || !/[0-9]/.test(chunks[0]!))) continue;
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

/**
 * The one known code that a code in `text` is a near miss of, or undefined when none is, or more
 * than one. `known` holds hex codes as `0x` + 8 hex digits and named codes, both in lower case; a
 * named code is compared with the words of 12 letters or more ("NoMatchingEligableProductsFound").
 */
export function nearKnownCode(text: string, known: readonly string[], spoken: SpokenCharacters = {}): string | undefined {
  const hits = new Set<string>();
  const hex = known.filter((code) => code.startsWith('0x'));
  const named = known.filter((code) => !code.startsWith('0x'));
  for (const candidate of codeCandidates(text, spoken)) {
    for (const code of hex) if (withinOneEdit(candidate, code.slice(2))) hits.add(code);
  }
  for (const word of text.toLowerCase().split(/[^a-z]+/)) {
    if (word.length >= 12) for (const code of named) if (withinOneEdit(asPhotographed(word), asPhotographed(code))) hits.add(code);
  }
  return hits.size === 1 ? [...hits][0] : undefined;
}
