import { containsProductKey, maskProductKeys, PRODUCT_KEY_MASK, replaceProductKeys } from '../../src/understanding/product-key';

// Test keys are well-formed (5 groups of 5) but obviously fake.
const groups = (key: string): string[] => key.split(/[^A-Za-z0-9]+/).filter((g) => g.length === 5);

describe('containsProductKey', () => {
  it.each([
    ['dashes', 'FAKE1-FAKE2-FAKE3-FAKE4-FAKE5'],
    ['lower case', 'fake1-fake2-fake3-fake4-fake5'],
    ['spaces', 'my key is TESTA TESTB TESTC TESTD TEST1, is that right?'],
    ['no separators', 'code: fake1fake2fake3fake4fake5'],
    ['en dashes from a mail client', 'FAKEA–FAKEB–FAKEC–FAKED–FAKEE.'],
    ['spaced dashes', 'FAKEA - FAKEB - FAKEC - FAKED - FAKEE'],
    ['line breaks', 'FAKE1\nFAKE2\nFAKE3\nFAKE4\nFAKE5'],
    ['a missing dash', 'FAKEA-FAKEBFAKEC-FAKED-FAKEE'],
    ['letters only, with dashes', 'NOTAK-EYNOT-AKEYN-OTAKE-YNOTA'],
    ['inside a Dutch sentence', 'Ik heb NOTAR-EALKE-Y1234-56789-ABCDE ingevoerd maar het lukt niet'],
  ])('finds a key written with %s', (_, text) => {
    expect(containsProductKey(text)).toBe(true);
  });

  it.each([
    ['prose of five-letter words', 'these words could match every place'],
    ['space-separated numbers', 'call 12345 67890 12345 67890 12345'],
    ['the format placeholder', 'XXXXX-XXXXX-XXXXX-XXXXX-XXXXX'],
    ['an error code', 'Office for Mac activation error 0xD000000C'],
    ['a named code', 'NoMatchingEligibleProductsFound'],
    ['four groups', 'FAKE1-FAKE2-FAKE3-FAKE4'],
    ['groups of six', 'FAKE12-FAKE34-FAKE56-FAKE78-FAKE90'],
    ['a hyphenated word among five-letter words', 'hello there world peace great-times'],
    ['an ordinary error message', "The product key you entered isn't valid. Try entering it again."],
  ])('does not mistake %s for a key', (_, text) => {
    expect(containsProductKey(text)).toBe(false);
  });
});

describe('maskProductKeys', () => {
  const key = 'NOTAR-EALKE-Y1234-56789-ABCDE';

  it('replaces the key with the mask and keeps the rest of the text', () => {
    expect(maskProductKeys(`I entered ${key} and it failed.`)).toBe(`I entered ${PRODUCT_KEY_MASK} and it failed.`);
  });

  it.each([
    key,
    key.toLowerCase(),
    key.replace(/-/g, ' '),
    key.replace(/-/g, ''),
    `hello ${key.replace(/-/g, ' ')}`,
    `${key}\nand again: ${key.replace(/-/g, '')}`,
  ])('keeps none of the characters of %j', (text) => {
    const masked = maskProductKeys(text);
    for (const g of groups(key)) expect(masked.toUpperCase()).not.toContain(g);
    expect(masked.toUpperCase()).not.toContain(key.replace(/-/g, ''));
    expect(containsProductKey(masked)).toBe(false);
  });

  it('masks every key in the text', () => {
    const masked = maskProductKeys('first FAKE1-FAKE2-FAKE3-FAKE4-FAKE5, then TESTA TESTB TESTC TESTD TEST1');
    expect(masked.split(PRODUCT_KEY_MASK)).toHaveLength(3);
  });

  it('hides the last group too when a five-letter word came just before the key', () => {
    const masked = maskProductKeys('hello ABCD1 EFGH2 IJKL3 MNOP4 QRST5');
    expect(masked).not.toMatch(/QRST5|ABCD1/);
  });

  it('is idempotent', () => {
    const once = maskProductKeys(`key ${key} here`);
    expect(maskProductKeys(once)).toBe(once);
  });

  it('leaves text without a key untouched', () => {
    const text = 'Error 0x80072EFD: no connection. Try again later.';
    expect(maskProductKeys(text)).toBe(text);
  });

  it('can drop keys instead of masking them', () => {
    expect(replaceProductKeys(`a ${key} b`, ' ')).toBe('a   b');
  });
});
