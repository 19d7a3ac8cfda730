import { startHarness, type Harness } from '../../support/bot-harness';
import { expected, play } from '../../support/transcript';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

const ERRORS_PAGE = '](https://docs.microsoft.com/microsoft-365/commerce/product-key-errors-and-solutions)';

describe.each([['en-US'], ['nl-NL']] as const)('in %s', (locale) => {
  test.each([['common:choice.BUSINESS'], ['common:choice.HOME']])('redeeming failed (%s): the errors page, then the paste question', async (keyType) => {
    const chat = h.conversation(locale);
    await play(chat, locale, [
      ['click', 'common:choice.PRODUCT_KEY', 'guide:productKey.intro', 'productKey:ask.keyType'],
      ['click', keyType, 'productKey:ask.worked', `!"${ERRORS_PAGE}"`],
      ['click', 'common:choice.NO', 'productKey:notice.redeemFailed', 'guide:productKey.errors', 'knownError:ask.paste'],
    ]);
    const reply = chat.lastText();
    expect(reply).toContain(ERRORS_PAGE);
    expect(reply.indexOf(ERRORS_PAGE)).toBeLessThan(reply.indexOf(expected(locale, 'knownError:ask.paste')));
  });

  test('an error nobody knows: the common errors, a person, and the errors page', async () => {
    const chat = h.conversation(locale);
    await play(chat, locale, [
      ['click', 'common:choice.ERROR_MESSAGE', 'knownError:ask.paste'],
      ['say', 'Error 0x8004FC12: something unexpected happened', 'guide:knownError.noMatch', 'knownError:ask.common'],
    ]);
    expect(chat.lastText()).toContain(ERRORS_PAGE);
    expect(chat.buttons()).toEqual(expect.arrayContaining([expected(locale, 'common:choice.AGENT')]));
  });
});

test('a product key error\'s fix ends with the errors page as further reading', async () => {
  const chat = h.conversation('nl-NL');
  await play(chat, 'nl-NL', [
    ['click', 'common:choice.ERROR_MESSAGE', 'knownError:ask.paste'],
    ['say', 'De opgegeven productcode is verlopen. Voer een andere code in.', '"De productcode is verlopen"', 'knownError:readMore', 'common:ask.helped'],
  ]);
  expect(chat.lastText()).toContain(`${expected('nl-NL', 'knownError:readMore')} [Fouten met productcodes en oplossingen${ERRORS_PAGE}`);
});

test('a fix whose pages are all linked in its steps has no further-reading line', async () => {
  const chat = h.conversation('en-US');
  await play(chat, 'en-US', [
    ['click', 'common:choice.ERROR_MESSAGE', 'knownError:ask.paste'],
    ['say', '0x80072EFD', 'common:ask.helped', '!knownError:readMore'],
  ]);
  expect(chat.lastText()).toContain('](https://aka.ms/SaRA-OfficeActivation-sarahome)');
});
