import { startHarness, type Harness } from '../../support/bot-harness';
import { play } from '../../support/transcript';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

describe.each([['en-US'], ['nl-NL']] as const)('in %s', (locale) => {
  test('a miss re-asks with the options; a second offers a person', async () => {
    const chat = h.conversation(locale);
    await play(chat, locale, [
      ['click', 'common:choice.ACTIVATE', 'activate:ask.license'],
      ['say', 'purple elephants', 'common:notice.notUnderstood', 'activate:ask.license'],
      ['say', 'banana', 'common:notice.offerHuman', 'activate:ask.license'],
    ]);
    expect(chat.buttons()).toEqual(expect.arrayContaining([expect.any(String)]));
    await play(chat, locale, [['click', 'common:choice.AGENT', 'guide:outcome.escalated']]);
  });
});

test('a button from an earlier question does not move the user somewhere else', async () => {
  const chat = h.conversation('en-US');
  await chat.open();
  await chat.click('My subscription stopped');
  const oldCard = chat.last()!;
  await chat.click('It was deleted');
  const expiredButton = JSON.stringify(oldCard).includes('"EXPIRED"');
  expect(expiredButton).toBe(true);
  // Press "It expired" on the old card: the machine is at the deleted step, which has no such answer.
  await chat.send({ text: undefined, value: { ag: 'choice', choice: 'EXPIRED', step: 'reactivate.reason' } });
  await play(chat, 'en-US', []);
  expect(chat.lastText()).toContain('That button belongs to an earlier question');
  expect(chat.lastText()).toContain('Would you like to talk to a person, or start over?');
});

test('a pasted product key is never echoed, and gets the format hints', async () => {
  const chat = h.conversation('en-US');
  const key = 'BCDFG-HJKMP-QRTVW-XY346-789BC';
  await play(chat, 'en-US', [['say', `my key ${key} does not work`, 'productKey:notice.keyPasted', 'guide:productKey.intro', 'guide:productKey.typos']]);
  const all = JSON.stringify(h.connector.repliesTo(chat.id));
  expect(all).not.toContain(key);
  expect(all).not.toContain(key.replace(/-/g, ''));
});

test('a very long message is cut, not refused', async () => {
  const chat = h.conversation('en-US');
  await play(chat, 'en-US', [['say', `my subscription expired ${'a'.repeat(10_000)}`, 'common:notice.tooLong', 'guide:reactivate.expired']]);
});
