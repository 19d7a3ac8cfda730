import { createErrorMatcher, loadKnowledgeBase } from '../../src/understanding/known-errors';
import { errorCodes, hasErrorCode } from '../../src/understanding/text';

/**
 * One rule for what an error code is (text.ts), seen from both of its callers: the interpreter,
 * which sends a message with a code to the known-error lookup (hasErrorCode), and the lookup,
 * which decides on a known code by itself.
 */
const matcher = createErrorMatcher(loadKnowledgeBase());

describe('what an error code is', () => {
  it.each([
    ['0x and eight hex digits', 'Error 0X80070005', '0x80070005'],
    ['0x with a space between the halves', 'error 0x8007 2EFD.', '0x80072efd'],
    ['bare, digits and letters', 'code 80072EFD', '0x80072efd'],
    ['bare, all digits, first digit 8 (an HRESULT)', 'ik krijg 80070005', '0x80070005'],
    ['a named code', 'NoMatchingEligibleProductsFound', 'nomatchingeligibleproductsfound'],
  ])('%s is a code to both callers', (_, text, code) => {
    expect(errorCodes(text)).toEqual([code]);
    expect(hasErrorCode(text)).toBe(true);
    // The known-error side decides on it by itself (every one of these codes is in the KB).
    expect(matcher.explain(text, 1)[0]).toMatchObject({ score: 0, via: 'code' });
  });

  it.each([
    ['a number: all digits, first digit below 8', 'call me on 12345678'],
    ['a word of hex letters', 'deadbeef'],
    ['a bare run split by a space (only ever a near miss)', 'i get 8007 2EFD'],
    ['seven digits', '0x8007005'],
  ])('%s is no code to either caller', (_, text) => {
    expect(errorCodes(text)).toEqual([]);
    expect(hasErrorCode(text)).toBe(false);
    expect(matcher.explain(text, 1)[0]?.score ?? 1).toBeGreaterThan(0);
  });

  it.each([
    ['an installer code', 'error code 30088-26 during setup', ['30088-26']],
    ['another one', 'de installatie stopt met 12002-4', ['12002-4']],
    ['not a date', 'since 2024-12-01', []],
    ['not a phone number', 'bel 020-1234567', []],
  ])('%s: %j', (_, text, codes) => {
    expect(errorCodes(text)).toEqual(codes);
  });

  it('lists each code once, in the order typed', () => {
    expect(errorCodes('first 0x80070005, then C004B100, then 0x80070005 again')).toEqual(['0x80070005', '0xc004b100']);
  });
});
