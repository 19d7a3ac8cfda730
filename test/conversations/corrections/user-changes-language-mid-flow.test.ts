import { startHarness, type Harness } from '../../support/bot-harness';
import { play } from '../../support/transcript';
import type { Locale } from '../../../dialogs/types';
import { loadLanguages } from '../../../src/i18n/languages';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

test('typed "liever in het Nederlands" switches, the choice sticks, and "in English please" switches back', async () => {
  const chat = h.conversation('en-US');
  let lang: Locale = 'en-US';
  const now = () => lang;
  await play(chat, 'en-US', [['say', 'the subscription on my account quit on me', 'reactivate:ask.reason']], now);
  lang = 'nl-NL';
  await play(chat, 'nl-NL', [['say', 'liever in het Nederlands', 'common:notice.languageChanged', 'reactivate:ask.reason']], now);
  // The activity still says en-US; the user's choice wins for the rest of the conversation.
  await play(chat, 'nl-NL', [['say', 'hij is verlopen, denk ik', 'reactivate:ask.continue']], now);
  lang = 'en-US';
  await play(chat, 'en-US', [['say', 'in English please', 'common:notice.languageChanged', 'reactivate:ask.continue']], now);
});

test('"andere taal" asks which language, the picker offers every other one in its own name, and its button switches', async () => {
  const languages = loadLanguages();
  const ownName = (locale: Locale) => languages.name(locale, locale);
  const chat = h.conversation('en-US');
  await play(chat, 'en-US', [['say', 'I bought a card with a 25-character code', 'productKey:ask.keyType']]);
  await play(chat, 'en-US', [['say', 'andere taal', 'common:notice.chooseLanguage', 'productKey:ask.keyType', '!common:notice.languageChanged']]);
  expect(chat.buttons()).toEqual(expect.arrayContaining(languages.tags.filter((l) => l !== 'en-US').map(ownName)));
  expect(chat.buttons()).not.toContain(ownName('en-US'));
  await play(chat, 'nl-NL', [['click', ownName('nl-NL'), 'common:notice.languageChanged', 'productKey:ask.keyType']]);
  await play(chat, 'nl-NL', [['click', 'common:choice.LANGUAGE', 'common:notice.chooseLanguage', 'productKey:ask.keyType']]);
  await play(chat, 'en-US', [['click', ownName('en-US'), 'common:notice.languageChanged', 'productKey:ask.keyType']]);
});

test('a Dutch Web Chat user starts in Dutch without asking', async () => {
  const chat = h.conversation('nl-BE');
  await play(chat, 'nl-NL', [['say', 'goedemiddag', 'guide:start.welcome', 'common:ask.start']]);
});
