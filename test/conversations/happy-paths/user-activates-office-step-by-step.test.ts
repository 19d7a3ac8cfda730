import { startHarness, type Harness } from '../../support/bot-harness';
import { play, type Turn } from '../../support/transcript';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

const noLicenseYet: Turn[] = [
  ['click', 'common:choice.ACTIVATE', 'guide:activate.license', 'activate:ask.license'],
  ['click', 'common:choice.NO', 'guide:activate.assignLicense', 'activate:ask.licenseAssigned'],
  ['click', 'common:choice.YES', 'activate:ask.appsInstalled'],
  ['click', 'common:choice.NO', 'guide:activate.install', 'activate:ask.installed'],
  ['click', 'common:choice.YES', 'guide:activate.signIn', 'common:ask.helped'],
  ['click', 'common:choice.YES', 'outcome:ask.rating'],
  ['click', 'common:choice.SKIP', 'outcome:ask.anythingElse'],
];

describe.each([['en-US'], ['nl-NL']] as const)('in %s', (locale) => {
  test('an admin assigns a license, the user installs and signs in', async () => {
    await play(h.conversation(locale), locale, noLicenseYet);
  });
});

test('the instructions carry clickable links from the facts', async () => {
  const chat = h.conversation('en-US');
  await play(chat, 'en-US', [['say', 'Word says it is not activated, how do I activate it', 'activate:ask.license'], ['say', 'yes', 'activate:ask.appsInstalled'], ['say', 'no', 'activate:ask.installed']]);
  expect(chat.lastText()).toContain('](https://portal.office.com/account/#installs)');
  expect(chat.lastText()).toContain('](https://myaccount.microsoft.com/device-list)');
});

test('Office activeren, typed in Dutch', async () => {
  const chat = h.conversation('nl-NL');
  await play(chat, 'nl-NL', [
    ['say', 'Word zegt dat het niet geactiveerd is', 'activate:ask.license'],
    ['say', 'ja', 'activate:ask.appsInstalled'],
    ['say', 'ja', 'guide:activate.signIn', 'common:ask.helped'],
  ]);
  expect(chat.lastText()).toContain('**Bestand > Account**');
  expect(chat.lastText()).toContain('**Overschakelen naar ander account**');
});
