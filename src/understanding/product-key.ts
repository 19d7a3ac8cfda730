/**
 * Recognises pasted product keys (25 characters, 5 groups of 5) so that callers can drop them
 * before anything is logged, stored or echoed. Keys are secrets: nothing in this module keeps,
 * returns or prints the characters of a detected key.
 */

/** What a detected key is replaced with. Contains none of the original characters. */
export const PRODUCT_KEY_MASK = 'XXXXX-XXXXX-XXXXX-XXXXX-XXXXX';

const KEY_LENGTH = 25;
const GROUP_LENGTH = 5;
// Dash-like separators include the en/em dashes that mail clients and word processors substitute.
const DASHES = new Set([0x2d, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015]);

interface Token {
  start: number;
  end: number;
  length: number;
  /** How this token is joined to the previous one; `break` ends any key. */
  joinedBy: 'dash' | 'space' | 'break';
}

function isAlphanumeric(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** White space as `\s` in a JavaScript regular expression has it: these, \t to \r, and U+2000 to U+200A. */
const SPACES = new Set([0x20, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff]);

function isSpace(code: number): boolean {
  return (code >= 0x09 && code <= 0x0d) || (code >= 0x2000 && code <= 0x200a) || SPACES.has(code);
}

/** The gap between two tokens: only white space, or one dash with white space around it. */
function joinOf(text: string, from: number, to: number): Token['joinedBy'] {
  let dashes = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (DASHES.has(code)) dashes++;
    else if (!isSpace(code)) return 'break';
  }
  return dashes === 0 ? 'space' : dashes === 1 ? 'dash' : 'break';
}

/** The runs of ASCII letters and digits, scanned by hand: this runs on every stored line. */
function tokenise(text: string): Token[] {
  const tokens: Token[] = [];
  let previousEnd = -1;
  for (let i = 0; i < text.length; ) {
    if (!isAlphanumeric(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && isAlphanumeric(text.charCodeAt(i))) i++;
    tokens.push({ start, end: i, length: i - start, joinedBy: previousEnd < 0 ? 'break' : joinOf(text, previousEnd, start) });
    previousEnd = i;
  }
  return tokens;
}

/**
 * Whether tokens[i..j] (25 characters in all) form a key:
 *  - one unbroken run of 25 must mix letters and digits, as real keys do;
 *  - dash-joined groups are a key whatever they contain (a missing dash is tolerated);
 *  - space-joined groups could be prose ("these words could match every ...") or numbers, so
 *    every group must be exactly 5 long and the whole must mix letters and digits.
 */
function isKey(text: string, tokens: Token[], i: number, j: number): boolean {
  const chars = text.slice(tokens[i]!.start, tokens[j]!.end).replace(/[^A-Za-z0-9]/g, '');
  // The format placeholder itself (and our own mask) is not a key.
  if (/^[Xx]+$/.test(chars)) return false;
  const mixed = /[0-9]/.test(chars) && /[A-Za-z]/.test(chars);
  if (i === j) return mixed;
  const group = tokens.slice(i, j + 1);
  if (group.some((t) => t.length % GROUP_LENGTH !== 0)) return false;
  if (group.slice(1).every((t) => t.joinedBy === 'dash')) return true;
  return mixed && group.every((t) => t.length === GROUP_LENGTH);
}

/** Calls `onKey` with the span of each key; it never receives the key's characters. */
function scan(text: string, onKey: (start: number, end: number) => void): void {
  // A key has 25 letters and digits; most messages are shorter than that, and are done here.
  if (text.length < KEY_LENGTH) return;
  const tokens = tokenise(text);
  let i = 0;
  while (i < tokens.length) {
    let length = 0;
    let j = i;
    for (; j < tokens.length; j++) {
      if (j > i && tokens[j]!.joinedBy === 'break') break;
      length += tokens[j]!.length;
      if (length >= KEY_LENGTH) break;
    }
    if (length === KEY_LENGTH && j < tokens.length && isKey(text, tokens, i, j)) {
      // Swallow further 5-character groups joined the same way: if the window began one word
      // early, the key's last group must not stay visible.
      while (j + 1 < tokens.length && tokens[j + 1]!.length === GROUP_LENGTH && tokens[j + 1]!.joinedBy !== 'break') j++;
      onKey(tokens[i]!.start, tokens[j]!.end);
      i = j + 1;
    } else {
      i++;
    }
  }
}

export function containsProductKey(text: string): boolean {
  let found = false;
  scan(text, () => {
    found = true;
  });
  return found;
}

/** Replaces every product key in `text` with {@link PRODUCT_KEY_MASK}. */
export function maskProductKeys(text: string): string {
  return replaceProductKeys(text, PRODUCT_KEY_MASK);
}

/** Replaces every product key with `replacement` (the matcher uses a space, to drop keys). */
export function replaceProductKeys(text: string, replacement: string): string {
  let out = '';
  let from = 0;
  scan(text, (start, end) => {
    out += text.slice(from, start) + replacement;
    from = end;
  });
  return out + text.slice(from);
}
