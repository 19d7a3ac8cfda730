import type { Activity } from 'botbuilder';
import type { Locale } from '../../../dialogs/types';
import { loadLanguages } from '../../../src/i18n/languages';
import { buttonsOf, startHarness, type Chat, type Harness } from '../../support/bot-harness';
import { expected, play } from '../../support/transcript';
import { storedRecord, storedStep } from '../../support/shared-conversation';

/**
 * Old cards stay on screen in Teams and Web Chat. Their answer buttons answer only the question
 * they were drawn for; their commands (start over, a person, language) work from any card.
 */
const languages = loadLanguages();
let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

/** Presses the button labelled `label` (a locale key) on `card`, an earlier reply, and checks the new reply. */
async function pressOn(chat: Chat, card: Activity, locale: Locale, label: string, ...says: string[]): Promise<void> {
  const title = expected(locale, label);
  const button = buttonsOf(card).find((b) => b.title === title);
  if (!button) throw new Error(`the earlier card has no "${title}"`);
  await chat.send({ text: undefined, value: button.data });
  const reply = chat.lastText();
  for (const ref of says) {
    if (ref.startsWith('!')) expect(reply).not.toContain(expected(locale, ref.slice(1)));
    else expect(reply).toContain(expected(locale, ref));
  }
}

const stepOf = async (chat: Chat) => storedStep(await storedRecord(h.app.store, `${chat.channelId}/conversations/${chat.id}`));

describe.each(languages.tags.map((l) => [l]))('in %s', (locale: Locale) => {
  test('"Yes" on the licence card, pressed after the licence question was answered, does not answer the apps question', async () => {
    const chat = h.conversation(locale);
    await play(chat, locale, [['click', 'common:choice.ACTIVATE', 'activate:ask.license']]);
    const licenceCard = chat.last()!;
    await play(chat, locale, [['click', 'common:choice.YES', 'activate:ask.appsInstalled']]);

    // The apps question also offers "Yes": the old licence card's "Yes" must not answer it.
    await pressOn(chat, licenceCard, locale, 'common:choice.YES', 'common:notice.staleButton', 'activate:ask.appsInstalled', '!common:ask.helped');
    expect(await stepOf(chat)).toBe('activate.apps');

    // The current card still answers the current question.
    await play(chat, locale, [['click', 'common:choice.YES', 'guide:activate.signIn', 'common:ask.helped']]);
    expect(await stepOf(chat)).toBe('activate.signIn');
  });

  test('start over, language and a person work from an old card', async () => {
    const chat = h.conversation(locale);
    await play(chat, locale, [['click', 'common:choice.ACTIVATE', 'activate:ask.license']]);
    const licenceCard = chat.last()!;
    await play(chat, locale, [['click', 'common:choice.YES', 'activate:ask.appsInstalled']]);

    await pressOn(chat, licenceCard, locale, 'common:choice.START_OVER', 'common:ask.start', '!common:notice.staleButton');
    expect(await stepOf(chat)).toBe('start');

    await play(chat, locale, [['click', 'common:choice.ACTIVATE', 'activate:ask.license']]);
    // Language asks which, on the current question; the picker's button then switches.
    const other = languages.tags.find((l) => l !== locale)!;
    await pressOn(chat, licenceCard, locale, 'common:choice.LANGUAGE', 'common:notice.chooseLanguage', 'activate:ask.license', '!common:notice.staleButton');
    await chat.click(languages.name(other, other));
    expect(chat.lastText()).toContain(expected(other, 'activate:ask.license'));
    expect(chat.lastText()).not.toContain(expected(other, 'common:notice.staleButton'));

    await pressOn(chat, licenceCard, locale, 'common:choice.AGENT');
    expect(chat.lastText()).toContain(expected(other, 'common:escalation.user-asked'));
    expect(await stepOf(chat)).toBe('escalated');
  });
});

describe('language buttons of earlier releases, on cards still on screen', () => {
  test('the two-way toggle now asks which language; a button per language still switches to it', async () => {
    const chat = h.conversation('en-US');
    await play(chat, 'en-US', [['click', 'common:choice.ACTIVATE', 'activate:ask.license']]);
    await chat.send({ text: undefined, value: { ag: 'command', command: 'LANGUAGE_TOGGLE' } });
    expect(chat.lastText()).toContain(expected('en-US', 'common:notice.chooseLanguage'));
    expect(chat.lastText()).not.toContain(expected('en-US', 'common:notice.staleButton'));
    await chat.send({ text: undefined, value: { ag: 'command', command: 'LANGUAGE_NL' } });
    expect(chat.lastText()).toContain(expected('nl-NL', 'common:notice.languageChanged'));
    expect(chat.lastText()).toContain(expected('nl-NL', 'activate:ask.license'));
    await chat.send({ text: undefined, value: { ag: 'command', command: 'LANGUAGE_EN' } });
    expect(chat.lastText()).toContain(expected('en-US', 'common:notice.languageChanged'));
  });

  test('a button for a language the table does not have is an earlier question\'s button', async () => {
    const chat = h.conversation('en-US');
    await play(chat, 'en-US', [['click', 'common:choice.ACTIVATE', 'activate:ask.license']]);
    await chat.send({ text: undefined, value: { ag: 'command', command: 'LANGUAGE_DE' } });
    expect(chat.lastText()).toContain(expected('en-US', 'common:notice.staleButton'));
    await chat.send({ text: undefined, value: { ag: 'language', locale: 'de-DE' } });
    expect(chat.lastText()).toContain(expected('en-US', 'common:notice.staleButton'));
    expect(chat.lastText()).toContain(expected('en-US', 'activate:ask.license'));
  });
});
