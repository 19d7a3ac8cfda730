import type { Activity } from 'botbuilder';
import Redis from 'ioredis';
import { buttonsOf, startHarness, type Chat, type Harness } from '../support/bot-harness';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { copy, eventually, storedRecord, storedStep } from '../support/shared-conversation';

/**
 * Redis holds writes back (`CLIENT PAUSE … WRITE`) for longer than the store's 2 s command
 * timeout. The turn's compare-and-set times out, yet Redis still runs it when the pause ends, so
 * a timeout does not mean "not saved". The bot reads the record back and says what really
 * happened; pressing the same button again never skips a question.
 */

let redis: RedisServer;
let admin: Redis;
let h: Harness;

beforeAll(async () => {
  redis = await startRedisServer();
  admin = new Redis(redis.url, { lazyConnect: true });
  await admin.connect();
  h = await startHarness({ env: { REDIS_URL: redis.url } });
});

afterAll(async () => {
  await h?.close();
  admin?.disconnect();
  await redis?.dispose();
});

const t = (ref: string) => copy('en-US', ref);
const keyOf = (chat: Chat) => `${chat.channelId}/conversations/${chat.id}`;
const stepNow = async (chat: Chat) => storedStep(await storedRecord(h.app.store, keyOf(chat)));

async function press(chat: Chat, card: Activity, label: string): Promise<string> {
  const button = buttonsOf(card).find((b) => b.title === t(label));
  if (!button) throw new Error(`no "${t(label)}" on the card`);
  await chat.send({ text: undefined, value: button.data });
  return chat.lastText();
}

/**
 * Holds every write command for `ms`, as a busy primary would. The agent desk's transcript write
 * of the previous turn (made up to a second later) goes first, so that the pause catches the
 * turn's own write rather than that one, which would hold up the turn's first read instead.
 */
async function pauseWrites(ms: number): Promise<void> {
  expect((await fetch(`${h.url}/agent/api/cases`)).status).toBe(200);
  await admin.call('CLIENT', 'PAUSE', String(ms), 'WRITE');
}

beforeEach(async () => {
  await admin.call('CLIENT', 'UNPAUSE');
});

test('the write times out but is applied a moment later: the user gets the next question, not "nothing lost"', async () => {
  const chat = h.conversation('en-US');
  await chat.open();
  await press(chat, chat.last()!, 'common:choice.ACTIVATE');
  const licenceCard = chat.last()!;
  expect(await stepNow(chat)).toBe('activate.license');

  // 3 s: longer than the 2 s command timeout, shorter than the read-back that waits behind the write.
  await pauseWrites(3000);
  const reply = await press(chat, licenceCard, 'common:choice.YES');

  expect(reply).not.toContain(t('common:notice.unavailable'));
  expect(reply).toContain(t('activate:ask.appsInstalled'));
  expect(await stepNow(chat)).toBe('activate.apps');

  // The same button again, a new click with a new id: it belongs to the licence question.
  const again = await press(chat, licenceCard, 'common:choice.YES');
  expect(again).toContain(t('common:notice.staleButton'));
  expect(again).toContain(t('activate:ask.appsInstalled'));
  expect(await stepNow(chat)).toBe('activate.apps');
});

test('the write times out and even the read-back does: the user is told it is not known, and the retry skips nothing', async () => {
  const chat = h.conversation('en-US');
  await chat.open();
  await press(chat, chat.last()!, 'common:choice.ACTIVATE');
  const licenceCard = chat.last()!;

  // 8 s: the write (2 s) and the read queued behind it (2 s more) both time out before it ends,
  // with room for a slow start of the turn on a busy machine.
  await pauseWrites(8000);
  const reply = await press(chat, licenceCard, 'common:choice.YES');
  expect(reply).toBe(t('common:notice.unconfirmed'));
  expect(reply).not.toContain(t('common:notice.unavailable'));
  const notice = chat.last()!;
  expect(notice).toMatchObject({ textFormat: 'markdown', inputHint: 'expectingInput', locale: 'en-US' });

  // When the pause ends, Redis runs the held compare-and-set: the answer was saved after all.
  await eventually('the held write to be applied', async () => (await stepNow(chat)) === 'activate.apps');

  // The user tries again with the same button: it does not answer the apps question.
  const retry = await press(chat, licenceCard, 'common:choice.YES');
  expect(retry).toContain(t('common:notice.staleButton'));
  expect(retry).toContain(t('activate:ask.appsInstalled'));
  expect(await stepNow(chat)).toBe('activate.apps');
});

test('Redis comes back empty: a button from an old card says the conversation was lost and starts again', async () => {
  const chat = h.conversation('nl-NL');
  await chat.open();
  await chat.click(copy('nl-NL', 'common:choice.ACTIVATE'));
  await chat.click(copy('nl-NL', 'common:choice.YES'));
  const appsCard = chat.last()!;
  expect(await stepNow(chat)).toBe('activate.apps');

  // A restart without persistence: every key is gone.
  await redis.stop();
  await redis.start();
  await eventually('the bot to be ready again', async () => (await fetch(`${h.url}/readyz`)).status === 200);
  expect(await storedRecord(h.app.store, keyOf(chat))).toBeUndefined();

  const button = buttonsOf(appsCard).find((b) => b.title === copy('nl-NL', 'common:choice.YES'))!;
  await chat.send({ text: undefined, value: button.data });
  const reply = chat.lastText();
  expect(reply).toContain(copy('nl-NL', 'common:notice.conversationLost'));
  expect(reply).not.toContain(copy('nl-NL', 'common:notice.staleButton'));
  expect(reply).toContain(copy('nl-NL', 'common:ask.start'));
  expect(await stepNow(chat)).toBe('start');

  // And the conversation simply goes on from the start.
  await chat.click(copy('nl-NL', 'common:choice.ACTIVATE'));
  expect(chat.lastText()).toContain(copy('nl-NL', 'activate:ask.license'));
});

test('Redis comes back empty: a typed answer gets the same "lost track" notice as a click, and a new conversation is welcomed as usual', async () => {
  const chat = h.conversation('nl-NL');
  await chat.open();
  await chat.click(copy('nl-NL', 'common:choice.REACTIVATE'));
  expect(await stepNow(chat)).toBe('reactivate.reason');

  await redis.stop();
  await redis.start();
  await eventually('the bot to be ready again', async () => (await fetch(`${h.url}/readyz`)).status === 200);
  expect(await storedRecord(h.app.store, keyOf(chat))).toBeUndefined();

  // The user types an answer to the question they were asked before the restart.
  await chat.say('die is gewoon verlopen denk ik');
  const reply = chat.lastText();
  expect(reply).toContain(copy('nl-NL', 'common:notice.conversationLostTyped'));
  expect(reply).toContain(copy('nl-NL', 'common:ask.start'));
  expect(await stepNow(chat)).toBe('start');

  // Someone who starts after the restart is greeted without an apology.
  const fresh = h.conversation('nl-NL');
  await fresh.open();
  await fresh.say('ons office abonnement doet het sinds gisteren niet');
  expect(fresh.lastText()).not.toContain(copy('nl-NL', 'common:notice.conversationLostTyped'));
  expect(await stepNow(fresh)).not.toBe('start');
});
