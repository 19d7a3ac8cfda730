/**
 * Turns a typed message into the words the intent model reads. Accents go ("oké", "geïnstalleerd"),
 * apostrophes join ("don't" → "dont"), and everything else that is not a letter or digit splits
 * words, so "office-doos" and "office.com/setup" become separate words.
 */
export function words(text: string): string[] {
  const plain = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’'`´]/g, '');
  const split = plain.split(/[^a-z0-9]+/).filter(Boolean);
  // A lone question mark is a request for help; inside a sentence it is only punctuation.
  if (split.length === 0 && plain.trim() === '?') return ['?'];
  return split;
}

const HEX_CODE = /\b(?:0x)?[0-9a-f]{8}\b/gi;
/** Named codes such as NoMatchingEligibleProductsFound: one long word with several capitals. */
const NAMED_CODE = /\b[A-Z][a-z]+(?:[A-Z][a-z]+){2,}\b/;

/**
 * An error code in the message (0x80070005, 80072EFD, NoMatchingEligibleProductsFound): such a
 * message is about an error whatever else it says, so it goes to the known-error lookup first.
 */
export function hasErrorCode(text: string): boolean {
  for (const [code] of text.matchAll(HEX_CODE)) {
    const hex = code.toLowerCase().replace(/^0x/, '');
    // "deadbeef" or "12345678" alone is a word or a number; codes mix digits and letters or carry 0x.
    if (code.toLowerCase().startsWith('0x') || (/[0-9]/.test(hex) && /[a-f]/.test(hex))) return true;
  }
  return NAMED_CODE.test(text);
}
