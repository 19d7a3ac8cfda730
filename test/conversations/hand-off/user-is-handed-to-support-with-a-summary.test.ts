import { startHarness, type Harness } from '../../support/bot-harness';
import { play } from '../../support/transcript';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

describe.each([['en-US'], ['nl-NL']] as const)('in %s', (locale) => {
  test('Reactivate is not offered: escalate with what was tried', async () => {
    const chat = h.conversation(locale);
    await play(chat, locale, [
      ['click', 'common:choice.REACTIVATE', 'reactivate:ask.reason'],
      ['click', 'common:choice.DISABLED', 'reactivate:ask.continue'],
      ['click', 'common:choice.CONTINUE', 'reactivate:ask.offered'],
      ['click', 'common:choice.NO', 'guide:outcome.escalated', 'common:summary.title', 'common:escalation.no-reactivate', 'common:step.reactivate.billing'],
    ]);
    expect(chat.lastText()).toContain('https://support.office.com/article/call-support-32a17ca7-6fa0-4870-8a8d-e25ba4ccfd4b');
  });

  test('not resolved: another branch, or a person', async () => {
    const chat = h.conversation(locale);
    await play(chat, locale, [
      ['click', 'common:choice.PRODUCT_KEY', 'productKey:ask.keyType'],
      ['click', 'common:choice.BUSINESS', 'productKey:ask.worked'],
      ['click', 'common:choice.NO', 'knownError:ask.paste'],
      ['click', 'common:choice.NO_ERROR', 'guide:outcome.notResolved', 'outcome:ask.next'],
      ['click', 'common:choice.AGENT', 'guide:outcome.escalated', 'common:escalation.not-resolved'],
    ]);
  });
});

test('asking in new words for a person works from any step', async () => {
  const chat = h.conversation('en-US');
  await play(chat, 'en-US', [
    ['say', 'I bought a card with a 25-character code', 'productKey:ask.keyType'],
    ['say', 'put me through to a real person please', 'guide:outcome.escalated', 'common:escalation.user-asked'],
  ]);
});
