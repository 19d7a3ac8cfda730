import { startHarness, type Harness } from '../../support/bot-harness';
import { play } from '../../support/transcript';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

describe.each([['en-US', 'back', 'start over'], ['nl-NL', 'terug', 'opnieuw beginnen']] as const)('in %s', (locale, back, startOver) => {
  test('back returns to the previous question; start over to the first', async () => {
    const chat = h.conversation(locale);
    await play(chat, locale, [
      ['click', 'common:choice.REACTIVATE', 'reactivate:ask.reason'],
      ['click', 'common:choice.CANCELLED', 'guide:reactivate.cancelled', 'reactivate:ask.continue'],
      ['say', back, 'reactivate:ask.reason'],
      ['click', 'common:choice.EXPIRED', 'guide:reactivate.expired'],
      ['click', 'common:choice.BACK', 'reactivate:ask.reason'],
      ['say', startOver, 'common:ask.start'],
      ['say', back, 'common:notice.nothingToGoBackTo', 'common:ask.start'],
    ]);
  });
});

test('help explains the controls and keeps the question', async () => {
  const chat = h.conversation('en-US');
  await play(chat, 'en-US', [
    ['say', 'I bought a card with a 25-character code', 'productKey:ask.keyType'],
    ['say', 'what can you do for me', 'common:notice.help', 'productKey:ask.keyType'],
  ]);
});
