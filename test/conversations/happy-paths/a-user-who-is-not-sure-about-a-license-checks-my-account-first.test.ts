import { startHarness, type Harness } from '../../support/bot-harness';
import { expected, play, type Turn } from '../../support/transcript';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

/** "Not sure" is mostly said by users, not admins: they check My Account before any admin step. */
const notSure: Turn[] = [
  ['click', 'common:choice.ACTIVATE', 'guide:activate.license', 'activate:ask.license'],
  ['click', 'common:choice.NOT_SURE', 'guide:activate.checkLicense', 'activate:ask.appsListed', '!guide:activate.assignLicense'],
];

describe.each([['en-US'], ['nl-NL']] as const)('in %s', (locale) => {
  test('"not sure" first says how to check, on the My Account page, and offers the admin steps or a person', async () => {
    const chat = h.conversation(locale);
    await play(chat, locale, notSure);
    const reply = chat.lastText();
    expect(reply).toContain('](https://portal.office.com/account/#installs)');
    // The way to check comes before the question it answers.
    expect(reply.indexOf(expected(locale, 'guide:activate.checkLicense'))).toBeLessThan(reply.indexOf(expected(locale, 'activate:ask.appsListed')));
    expect(chat.buttons()).toEqual(
      expect.arrayContaining([expected(locale, 'common:choice.YES'), expected(locale, 'common:choice.NO'), expected(locale, 'common:choice.AGENT')]),
    );
  });

  test('no apps on My Account: the admin steps follow', async () => {
    await play(h.conversation(locale), locale, [
      ...notSure,
      ['click', 'common:choice.NO', 'guide:activate.assignLicense', 'activate:ask.licenseAssigned'],
      ['click', 'common:choice.NO', 'guide:outcome.notResolved', 'outcome:ask.next'],
    ]);
  });

  test('apps listed: there is a license, so on to the apps', async () => {
    await play(h.conversation(locale), locale, [...notSure, ['click', 'common:choice.YES', 'activate:ask.appsInstalled', '!guide:activate.assignLicense']]);
  });

  test('or a person, straight from the check', async () => {
    await play(h.conversation(locale), locale, [...notSure, ['click', 'common:choice.AGENT', 'guide:outcome.escalated', 'common:escalation.user-asked']]);
  });
});

test('typed answers work at the check too', async () => {
  const chat = h.conversation('nl-NL');
  await play(chat, 'nl-NL', [
    ['say', 'Word zegt dat het niet geactiveerd is', 'activate:ask.license'],
    ['click', 'common:choice.NOT_SURE', 'activate:ask.appsListed'],
    ['say', 'nee', 'guide:activate.assignLicense', 'activate:ask.licenseAssigned'],
  ]);
});
