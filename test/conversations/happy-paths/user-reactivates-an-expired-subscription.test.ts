import { startHarness, type Harness } from '../../support/bot-harness';
import { expected, play, type Turn } from '../../support/transcript';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

const clicking: Turn[] = [
  ['click', 'common:choice.REACTIVATE', 'guide:reactivate.intro', 'reactivate:ask.reason'],
  ['click', 'common:choice.EXPIRED', 'guide:reactivate.expired', 'reactivate:ask.continue'],
  ['click', 'common:choice.CONTINUE', 'guide:reactivate.billing', 'reactivate:ask.offered'],
  ['click', 'common:choice.YES', 'guide:reactivate.payment', 'common:ask.helped'],
  ['click', 'common:choice.YES', 'guide:outcome.resolved', 'outcome:ask.rating'],
  ['click', 'common:choice.RATE_5', 'guide:outcome.rated', 'outcome:ask.anythingElse'],
];

describe.each([['en-US'], ['nl-NL']] as const)('in %s', (locale) => {
  test('by clicking the buttons', async () => {
    const chat = h.conversation(locale);
    await chat.open();
    expect(chat.lastText()).toContain(expected(locale, 'common:ask.start'));
    await play(chat, locale, clicking);
  });
});

test('by typing, in English', async () => {
  const chat = h.conversation('en-US');
  await play(chat, 'en-US', [
    ['say', 'the subscription on my account quit on me', 'reactivate:ask.reason'],
    ['say', 'it ran out', 'reactivate:ask.continue'],
    ['say', 'ok, next', 'reactivate:ask.offered'],
    ['say', 'yes', 'common:ask.helped'],
    ['say', 'yes it worked', 'outcome:ask.rating'],
    ['say', '4 out of 5', 'outcome:ask.anythingElse'],
  ]);
});

test('by typing, in Dutch with typos', async () => {
  const chat = h.conversation('nl-NL');
  await play(chat, 'nl-NL', [
    ['say', 'mijn abonement werkt niet meer', 'reactivate:ask.reason'],
    ['say', 'het is uitgezet', 'guide:reactivate.disabled', 'reactivate:ask.continue'],
    ['say', 'ok, volgende', 'reactivate:ask.offered'],
    ['say', 'ja', 'common:ask.helped'],
    ['say', 'ja', 'outcome:ask.rating'],
    ['say', 'een vijf', 'outcome:ask.anythingElse'],
  ]);
});
