import type { Locale } from '../../dialogs/types';
import { MACHINE_VERSION } from '../../dialogs/machine';
import { apply, resume, toRecord } from '../../src/bot/conversation';
import { startHarness, type Harness } from '../support/bot-harness';
import { SharedConversation, copy, endpointOf, storedRecord, storedStep, type Endpoint } from '../support/shared-conversation';

/**
 * The bot was updated while a conversation was stored: its snapshot belongs to another machine
 * version, or no longer fits the machine at all. The user gets a polite "let's start again" and
 * the conversation goes on from the start, never a crash or an error reply.
 */

let h: Harness;
let bot: Endpoint;

beforeAll(async () => {
  h = await startHarness();
  bot = endpointOf(h, 'bot');
});
afterAll(() => h?.close());

/** A record exactly as today's bot stores it, at the apps question. */
function currentRecordAtApps(locale: Locale): Record<string, unknown> {
  const step = apply(resume(undefined, locale), [{ type: 'ACTIVATE' }, { type: 'YES' }]);
  return { ...toRecord(step.snapshot, ['some-earlier-activity']) };
}

type Row = [string, (locale: Locale) => unknown];

const stored: Row[] = [
  ['a snapshot from the previous machine version', (l) => ({ ...currentRecordAtApps(l), version: MACHINE_VERSION - 1 })],
  ['an old record written before `seen` existed', (l) => {
    const { seen: _seen, ...rest } = currentRecordAtApps(l);
    return { ...rest, version: MACHINE_VERSION - 1 };
  }],
  ['a snapshot from a newer version (after a rollback)', (l) => ({ ...currentRecordAtApps(l), version: MACHINE_VERSION + 1 })],
  ['the current version, in a step the machine no longer has', (l) => {
    const record = currentRecordAtApps(l) as { snapshot: Record<string, unknown> };
    return { ...record, snapshot: { ...record.snapshot, value: { activate: 'removedStep' } } };
  }],
  ['the current version, with a null snapshot', (l) => ({ ...currentRecordAtApps(l), snapshot: null })],
  ['the current version, with a snapshot that is a string', (l) => ({ ...currentRecordAtApps(l), snapshot: 'garbage' })],
  ['the current version, with a snapshot without context', (l) => {
    const record = currentRecordAtApps(l) as { snapshot: Record<string, unknown> };
    return { ...record, snapshot: { ...record.snapshot, context: undefined } };
  }],
  ['something that is not a conversation record at all', () => ({ hello: 'world', seen: 'not-a-list' })],
];

describe.each(stored)('stored: %s', (_name, make) => {
  test.each([
    ['en-US', 'activate office', 'activate.license', 'activate:ask.license'],
    ['nl-NL', 'mijn abonnement werkt niet meer', 'reactivate.reason', 'reactivate:ask.reason'],
  ] as Array<[Locale, string, string, string]>)('in %s: "let\'s start again", then the message is taken from the start', async (locale, text, step, ask) => {
    const chat = new SharedConversation(locale);
    await h.app.store.write({ [chat.key]: make(locale) as Record<string, unknown> });

    const first = await chat.say(bot, text);
    expect(first.status).toBe(200);
    expect(first.replies).toHaveLength(1);
    expect(first.text).toContain(copy(locale, 'common:notice.restarted'));
    expect(first.text).not.toContain(copy(locale, 'common:notice.somethingWentWrong'));
    expect(first.step).toBe(step);
    expect(first.text).toContain(copy(locale, ask));

    // Saved as a current record, so the notice comes once and the conversation simply goes on.
    const record = await storedRecord(h.app.store, chat.key);
    expect(record?.version).toBe(MACHINE_VERSION);
    expect(storedStep(record)).toBe(step);
    const second = await chat.say(bot, locale === 'en-US' ? 'yes' : 'verlopen');
    expect(second.step).toBe(locale === 'en-US' ? 'activate.apps' : 'reactivate.expired');
    expect(second.text).not.toContain(copy(locale, 'common:notice.restarted'));
  });
});

test('a current record is not reset: the stored step is where the conversation goes on', async () => {
  const chat = new SharedConversation('en-US');
  await h.app.store.write({ [chat.key]: currentRecordAtApps('en-US') });
  const reply = await chat.say(bot, 'yes');
  expect(reply.step).toBe('activate.signIn');
  expect(reply.text).not.toContain(copy('en-US', 'common:notice.restarted'));
});
