import { startHarness, type Harness } from '../../support/bot-harness';
import { play } from '../../support/transcript';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

test('business key fails, the pasted English error is recognised and fixed', async () => {
  const chat = h.conversation('en-US');
  await play(chat, 'en-US', [
    ['say', 'I bought a card with a 25-character code', 'guide:productKey.intro', 'productKey:ask.keyType'],
    ['click', 'common:choice.BUSINESS', 'guide:productKey.redeemBusiness', 'productKey:ask.worked'],
    ['click', 'common:choice.NO', 'knownError:ask.paste'],
    ['say', 'The product key you entered has expired. Enter a different key.', '"The product key has expired"', 'common:ask.helped'],
    ['click', 'common:choice.YES', 'outcome:ask.rating'],
  ]);
  expect(chat.lastText()).not.toContain('Enter a different key.');
});

test('home key in Dutch, a Dutch error pasted with typos', async () => {
  const chat = h.conversation('nl-NL');
  await play(chat, 'nl-NL', [
    ['say', 'ik kocht een kaartje met een code van 25 tekens', 'productKey:ask.keyType'],
    ['click', 'common:choice.HOME', 'guide:productKey.redeemHome', 'productKey:ask.worked'],
    ['say', 'nee', 'knownError:ask.paste'],
    ['say', 'Deze productcode is al gebruikt, voer een andre productcode in', '"De productcode is al gebruikt"', 'common:ask.helped'],
  ]);
});

test('an error code alone, answered in the conversation language', async () => {
  const chat = h.conversation('nl-NL');
  await play(chat, 'nl-NL', [
    ['click', 'common:choice.ERROR_MESSAGE', 'knownError:ask.paste'],
    ['say', '0X80072efd', 'common:ask.helped'],
  ]);
  expect(chat.lastText()).toMatch(/firewall/i);
});

test('an unknown error is said plainly, with common errors and a person to pick', async () => {
  const chat = h.conversation('en-US');
  await play(chat, 'en-US', [
    ['say', 'I get an error when I open Word', 'knownError:ask.paste'],
    ['say', 'Error 0x8004FC12: something unexpected happened', 'guide:knownError.noMatch', 'knownError:ask.common'],
  ]);
  expect(chat.buttons()).toEqual(expect.arrayContaining(['Talk to a person']));
  expect(chat.buttons().length).toBeGreaterThan(4);
});

test('a first message that is the error itself goes straight to its fix', async () => {
  const chat = h.conversation('en-US');
  await play(chat, 'en-US', [['say', 'Sorry, we can\'t set up your account right now (NoMatchingEligibleProductsFound)', 'common:ask.helped']]);
  expect(chat.lastText()).toMatch(/country|region/i);
});
