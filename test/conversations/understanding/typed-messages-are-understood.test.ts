import { startHarness, type Harness } from '../../support/bot-harness';
import { expected, play } from '../../support/transcript';
import { loadLanguages } from '../../../src/i18n/languages';
import { loadKnownErrorCatalog } from '../../../src/understanding/known-error-catalog';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

/** The part of a sentence with {{placeholders}} before the first one: enough to know it was said. */
const opening = (locale: 'en-US' | 'nl-NL', key: string) => `"${expected(locale, key).split('{{')[0]}"`;

describe('what an opening already says is not asked again', () => {
  test.each([
    ['en-US', 'our subscription expired', 'guide:reactivate.expired', 'reactivate:ask.continue'],
    ['nl-NL', 'microsoft heeft ons abonnement geblokkeerd omdat de betaling mislukte', 'guide:reactivate.disabled', 'reactivate:ask.continue'],
    ['en-US', 'I have a key for Microsoft 365 Family', 'guide:productKey.redeemHome', 'productKey:ask.worked'],
    ['en-US', 'Error 0x80070005', 'common:ask.helped'],
  ] as const)('%s: "%s"', async (locale, text, ...expectations) => {
    await play(h.conversation(locale), locale, [['say', text, ...expectations, '!reactivate:ask.reason', '!productKey:ask.keyType']]);
  });
});

test('a new problem mid-flow starts it, wherever the conversation was', async () => {
  const chat = h.conversation('en-US');
  await play(chat, 'en-US', [
    ['click', 'common:choice.ACTIVATE', 'activate:ask.license'],
    ['say', 'yes', 'activate:ask.appsInstalled'],
    ['say', 'wait, I also got a 25-character code', 'productKey:ask.keyType'],
    ['say', 'it is for work', 'guide:productKey.redeemBusiness'],
  ]);
});

test('two close readings are asked about, with both as buttons', async () => {
  const chat = h.conversation('nl-NL');
  await play(chat, 'nl-NL', [['say', 'sleutel of abonnement', opening('nl-NL', 'common:notice.didYouMean'), 'common:ask.start']]);
  expect(chat.lastText()).toContain(`**${expected('nl-NL', 'common:choice.REACTIVATE')}**`);
  expect(chat.lastText()).toContain(`**${expected('nl-NL', 'common:choice.PRODUCT_KEY')}**`);
  expect(chat.buttons().slice(0, 2)).toEqual([expected('nl-NL', 'common:choice.REACTIVATE'), expected('nl-NL', 'common:choice.PRODUCT_KEY')]);
  await play(chat, 'nl-NL', [['click', 'common:choice.PRODUCT_KEY', 'productKey:ask.keyType']]);
});

describe('either language in either conversation', () => {
  test('a Dutch sentence in an English conversation is understood, and Dutch is offered', async () => {
    const chat = h.conversation('en-US');
    await play(chat, 'en-US', [['say', 'kan ik iemand van de helpdesk aan de lijn krijgen', 'common:notice.offerLanguage', 'guide:outcome.escalated']]);
    // The offer carries the offered language's own button.
    await play(chat, 'nl-NL', [['click', loadLanguages().name('nl-NL', 'nl-NL'), 'common:notice.languageChanged']]);
  });

  test('an English answer in a Dutch conversation is understood, and English is offered', async () => {
    const chat = h.conversation('nl-NL');
    await play(chat, 'nl-NL', [
      ['click', 'common:choice.ACTIVATE', 'activate:ask.license'],
      ['say', 'no, not yet', 'common:notice.offerLanguage', 'activate:ask.licenseAssigned'],
    ]);
  });

  test('the other language is offered once per conversation, not on every message in it', async () => {
    const chat = h.conversation('nl-NL');
    await play(chat, 'nl-NL', [
      ['click', 'common:choice.ACTIVATE', 'activate:ask.license'],
      ['say', 'no, not yet', 'common:notice.offerLanguage', 'activate:ask.licenseAssigned'],
      ['say', 'yes it is assigned now', 'activate:ask.appsInstalled', '!common:notice.offerLanguage'],
      ['say', 'no they are not installed', 'activate:ask.installed', '!common:notice.offerLanguage'],
    ]);
  });

  test('natural answers count: "jazeker", "nee, nog steeds niet", "inderdaad"', async () => {
    const chat = h.conversation('nl-NL');
    await play(chat, 'nl-NL', [
      ['click', 'common:choice.ACTIVATE', 'activate:ask.license'],
      ['say', 'jazeker', 'activate:ask.appsInstalled', '!common:notice.offerLanguage'],
      ['say', 'nee, nog steeds niet', 'activate:ask.installed'],
      ['say', 'inderdaad', 'common:ask.helped'],
    ]);
  });
});

describe('issue 27, fifth round: what users say, as they say it', () => {
  test('"gelukt!" is Dutch for "it worked", on its own too', async () => {
    const chat = h.conversation('nl-NL');
    await play(chat, 'nl-NL', [
      ['click', 'common:choice.ACTIVATE', 'activate:ask.license'],
      ['say', 'ja', 'activate:ask.appsInstalled'],
      ['say', 'nee', 'activate:ask.installed'],
      ['say', 'gelukt!', 'common:ask.helped'],
    ]);
  });

  test('a code retyped off a photo, one character off, is offered where the error was asked for and as the first message', async () => {
    const asked = h.conversation('en-US');
    await play(asked, 'en-US', [
      ['click', 'common:choice.ERROR_MESSAGE', 'knownError:ask.paste'],
      ['say', '0x80O72EFD', 'knownError:ask.candidates_one', '!guide:knownError.noMatch'],
    ]);
    // The one candidate is a button; pressing it gives its fix.
    const title = loadKnownErrorCatalog().title('error-0x80072efd', 'en-US');
    expect(asked.buttons()[0]).toBe(title);
    await asked.click(title);
    expect(asked.lastText()).toContain(expected('en-US', 'common:ask.helped'));
    const first = h.conversation('nl-NL');
    await play(first, 'nl-NL', [['say', 'foutcode 0x8OO72EFD, laptop op de wifi', 'knownError:ask.candidates_one', '!guide:knownError.noMatch']]);
  });

  test('"ik snap het niet" where the bot asks to go on is asked about, not taken as going on', async () => {
    const chat = h.conversation('nl-NL');
    await play(chat, 'nl-NL', [
      ['click', 'common:choice.REACTIVATE', 'reactivate:ask.reason'],
      ['say', 'verlopen', 'guide:reactivate.expired', 'reactivate:ask.continue'],
      ['say', 'ik snap het niet, wat nu', opening('nl-NL', 'common:notice.didYouMean'), '!guide:reactivate.billing'],
    ]);
  });
});

describe('not understood', () => {
  test('text that does not look like an error message is not sent down the known-error path', async () => {
    const chat = h.conversation('en-US');
    await play(chat, 'en-US', [
      ['say', 'I get an error when I open Word', 'knownError:ask.paste'],
      ['say', 'the coffee machine upstairs is leaking', 'common:notice.notUnderstood', 'knownError:ask.paste', '!guide:knownError.noMatch'],
    ]);
  });

  test('out-of-scope messages get the step again; the console lists them, keys masked and repeats counted', async () => {
    const chat = h.conversation('en-US');
    const key = 'BCDFG-HJKMP-QRTVW-XY346-789BC';
    await play(chat, 'en-US', [
      ['click', 'common:choice.REACTIVATE', 'reactivate:ask.reason'],
      ['say', 'tell me a joke about cats', 'common:notice.notUnderstood', 'reactivate:ask.reason'],
      ['say', 'Tell me a joke about  cats', 'common:notice.offerHuman', 'reactivate:ask.reason'],
    ]);
    // A message with a key in it gets the key hints, not a miss: the key never reaches the list either.
    await play(chat, 'en-US', [['say', `wat is ${key}`, 'productKey:notice.keyPasted']]);
    const res = await fetch(`${h.url}/agent/api/not-understood`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { messages: { text: string; count: number; step: string }[] };
    expect(body.messages).toContainEqual(expect.objectContaining({ text: 'tell me a joke about cats', count: 2, step: 'reactivate.reason' }));
    expect(JSON.stringify(body)).not.toContain('HJKMP');
  });
});
