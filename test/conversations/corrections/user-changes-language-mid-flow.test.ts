import { startHarness, type Harness } from '../../support/bot-harness';
import { play } from '../../support/transcript';
import type { Locale } from '../../../dialogs/types';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

test('typed "nederlands" switches, the choice sticks, and "english" switches back', async () => {
  const chat = h.conversation('en-US');
  let lang: Locale = 'en-US';
  const now = () => lang;
  await play(chat, 'en-US', [['say', 'my subscription stopped', 'reactivate:ask.reason']], now);
  lang = 'nl-NL';
  await play(chat, 'nl-NL', [['say', 'nederlands', 'common:notice.languageChanged', 'reactivate:ask.reason']], now);
  // The activity still says en-US; the user's choice wins for the rest of the conversation.
  await play(chat, 'nl-NL', [['say', 'verlopen', 'reactivate:ask.continue']], now);
  lang = 'en-US';
  await play(chat, 'en-US', [['say', 'English', 'common:notice.languageChanged', 'reactivate:ask.continue']], now);
});

test('"taal" toggles, and the language button does too', async () => {
  const chat = h.conversation('en-US');
  await play(chat, 'en-US', [['say', 'I have a product key', 'productKey:ask.keyType']]);
  await play(chat, 'nl-NL', [['say', 'taal', 'productKey:ask.keyType']]);
  await play(chat, 'en-US', [['click', 'English', 'productKey:ask.keyType']]);
});

test('a Dutch Web Chat user starts in Dutch without asking', async () => {
  const chat = h.conversation('nl-BE');
  await play(chat, 'nl-NL', [['say', 'hallo', 'guide:start.welcome', 'common:ask.start']]);
});
