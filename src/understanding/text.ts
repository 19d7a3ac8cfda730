/*
 * The one normaliser of typed text, for the intent side and the known-error side alike, and the
 * one rule for what an error code is.
 */

/**
 * Lower case without accents or apostrophes. NFKD also unfolds compatibility forms ("ﬁ" → "fi",
 * full-width letters, "①" → "1"), which pasted and photographed text brings along; then every mark
 * goes ("oké", "geïnstalleerd", "verifiëren"), and apostrophes join ("don't", "isn’t" → "dont",
 * "isnt") so that both spellings are one word.
 */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’‘`´ʼ]/g, '');
}

/** A word is split in two only from this length, each part at least COMPOUND_MIN_PART long. */
const COMPOUND_MIN_LENGTH = 8;
const COMPOUND_MIN_PART = 3;

/**
 * A long word made of two known ones, as Dutch writes them ("bedrijfscode") and as users run
 * words together ("opgegevenproductcode"), split into those, the longest head first; with
 * `linkingS`, a linking s between them is dropped ("gezinsabonnement"). Undefined when it is not.
 */
export function splitCompound(word: string, known: { has(word: string): boolean }, linkingS = false): string[] | undefined {
  if (word.length < COMPOUND_MIN_LENGTH) return undefined;
  for (let cut = word.length - COMPOUND_MIN_PART; cut >= COMPOUND_MIN_PART; cut--) {
    const head = word.slice(0, cut);
    const tail = word.slice(cut);
    if (!known.has(tail)) continue;
    if (known.has(head)) return [head, tail];
    if (linkingS && head.endsWith('s') && known.has(head.slice(0, -1))) return [head.slice(0, -1), tail];
  }
  return undefined;
}

/** Where a sentence ends: after . ! or ? and a space, or at a line break. */
const SENTENCE_END = /(?<=[.!?])\s+|\n+/;

/** A message's sentences, each with at least one word. */
export function sentences(text: string): string[] {
  return text.split(SENTENCE_END).filter((x) => words(x).length > 0);
}

/**
 * Turns a typed message into words: folded, and split at everything that is not a letter or a
 * digit, so "office-doos" and "office.com/setup" become separate words.
 */
export function words(text: string): string[] {
  const plain = fold(text);
  const split = plain.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  // A lone question mark is a request for help; inside a sentence it is only punctuation.
  if (split.length === 0 && plain.trim() === '?') return ['?'];
  return split;
}

/**
 * 0x and eight hex digits (a space may split them in halves, "0x8007 2EFD"), or eight bare ones in
 * one run: a bare run split by a space is only ever a near miss (near-code.ts).
 */
const HEX_CODE = /(?<![\p{L}\p{N}])(?:0\s*[x×]\s*([0-9a-f]{4})\s?([0-9a-f]{4})|([0-9a-f]{8}))(?![\p{L}\p{N}])/giu;
/**
 * The Office installer's codes: five digits from 1 to 3, a dash and a short number ("30088-26",
 * "12002-4"); a date or a postcode has no such shape.
 */
const INSTALL_CODE = /(?<![\p{L}\p{N}-])[123]\d{4}-\d{1,3}(?![\p{L}\p{N}-])/gu;
/** Named codes such as NoMatchingEligibleProductsFound: one long word with several capitals. */
const NAMED_CODE = /(?<![\p{L}\p{N}])[A-Z][a-z]+(?:[A-Z][a-z]+){2,}(?![\p{L}\p{N}])/gu;

/**
 * Whether eight hex digits typed without 0x are an error code. With 0x they always are. Without,
 * they are when they mix digits and letters (80072EFD), or are all digits starting with 8 or 9:
 * an error code (an HRESULT) has its top bit set, so its first hex digit is 8 to F, and people do
 * type 80070005 without the 0x. "12345678" is therefore a number (a phone number, an order
 * number), not a code, and "deadbeef" is a word.
 */
function isBareCode(hex: string): boolean {
  const digits = /[0-9]/.test(hex);
  const letters = /[a-f]/.test(hex);
  return (digits && letters) || (digits && /^[89]/.test(hex));
}

/**
 * The error codes in a message, each once and in the order typed: hex codes as `0x` + eight lower
 * case digits (0X80072efd, 0x8007 2EFD and 80072EFD are all `0x80072efd`), named codes in lower
 * case (`nomatchingeligibleproductsfound`), installer codes as typed (`30088-26`).
 */
export function errorCodes(text: string): string[] {
  const found = new Set<string>();
  const spans: { at: number; code: string }[] = [];
  for (const m of text.matchAll(HEX_CODE)) {
    const bare = m[3]?.toLowerCase();
    if (bare === undefined) spans.push({ at: m.index, code: `0x${m[1]}${m[2]}`.toLowerCase() });
    else if (isBareCode(bare)) spans.push({ at: m.index, code: `0x${bare}` });
  }
  for (const m of text.matchAll(NAMED_CODE)) spans.push({ at: m.index, code: m[0].toLowerCase() });
  for (const m of text.matchAll(INSTALL_CODE)) spans.push({ at: m.index, code: m[0] });
  for (const { code } of spans.sort((a, b) => a.at - b.at)) found.add(code);
  return [...found];
}

/** The text with its hex codes blanked out: they are looked up exactly, never read as words. */
export function withoutHexCodes(text: string): string {
  return text.replace(HEX_CODE, (m, _a, _b, bare?: string) => (bare === undefined || isBareCode(bare.toLowerCase()) ? ' ' : m));
}

/**
 * An error code in the message (0x80070005, 80072EFD, NoMatchingEligibleProductsFound, 30088-26): such a
 * message is about an error whatever else it says, so it goes to the known-error lookup first.
 */
export function hasErrorCode(text: string): boolean {
  return errorCodes(text).length > 0;
}

/**
 * A lower-case word with the letters a photo or a hurried reader confuses made the same ("rn" and
 * "m", "i" and "l", "q" and "g"): "rnaxirnurn" and "maximum", "noMatchinqEIigible" and
 * "nomatchingeligible" are the same word this way, or nearly.
 */
export function asPhotographed(word: string): string {
  return word.replace(/rn/g, 'm').replace(/i/g, 'l').replace(/q/g, 'g');
}
