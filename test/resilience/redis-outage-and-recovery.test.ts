import { startHarness, type Harness } from '../support/bot-harness';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { SharedConversation, copy, endpointOf, eventually, storedRecord, storedStep, type Endpoint, type TurnResult } from '../support/shared-conversation';

/**
 * Redis goes away in the middle of a conversation. While it is gone the user is told, briefly,
 * to try again (the channel gets a 2xx with the notice: nothing else), and the process stays up. When Redis is back
 * the store reconnects by itself and the conversation goes on from the step it was at: nothing
 * that was stored is lost, and the answers given during the outage were not half-applied.
 */

let redis: RedisServer;
let h: Harness;
let bot: Endpoint;

beforeAll(async () => {
  redis = await startRedisServer({ persistent: true });
  h = await startHarness({ env: { REDIS_URL: redis.url } });
  bot = endpointOf(h, 'bot');
});

afterAll(async () => {
  await h?.close();
  await redis?.dispose();
});

const t = (ref: string) => copy('en-US', ref);
const status = async (path: string) => (await fetch(`${h.url}${path}`)).status;

/**
 * The short "try again" answer: a 2xx with the notice, every time. A 503 would send the channel
 * into its own retries and tell the user nothing (the bot answers 503 only while shutting down),
 * so it fails here, with what came back.
 */
function expectUnavailable(turn: TurnResult): void {
  expect({ status: turn.status, replies: turn.replies.length, text: turn.text, body: turn.status >= 300 ? turn.body : '' }).toEqual({
    status: expect.any(Number),
    replies: 1,
    text: t('common:notice.unavailable'),
    body: '',
  });
  expect(turn.status).toBeGreaterThanOrEqual(200);
  expect(turn.status).toBeLessThan(300);
}

/** Readiness is the store's PING; once it answers, turns work again. */
const untilReady = () => eventually('the bot to report ready again', async () => (await status('/readyz')) === 200);

test('Redis stops after "It expired": "unavailable" until it is back, then "Continue" goes on to Billing', async () => {
  const chat = new SharedConversation();
  expect((await chat.say(bot, 'my subscription stopped')).step).toBe('reactivate.reason');
  expect((await chat.click(bot, t('common:choice.EXPIRED'))).step).toBe('reactivate.expired');
  const beforeOutage = await storedRecord(h.app.store, chat.key);
  expect(storedStep(beforeOutage)).toBe('reactivate.expired');

  await redis.stop();

  const during = [await chat.click(bot, t('common:choice.CONTINUE')), await chat.say(bot, 'go on')];
  for (const turn of during) expectUnavailable(turn);
  // The process is up and says so; it is just not ready.
  expect(await status('/healthz')).toBe(200);
  expect(await status('/readyz')).toBe(503);

  await redis.start();
  await untilReady();

  // Everything stored before the outage is still there, untouched by the failed turns.
  expect(await storedRecord(h.app.store, chat.key)).toEqual(beforeOutage);

  // The user tries again: the answer applies to the step the conversation was at.
  const retry = await chat.say(bot, 'go on');
  expect(retry.status).toBe(200);
  expect(retry.step).toBe('reactivate.billing');
  expect(retry.text).toContain(t('guide:reactivate.billing'));
  expect(retry.text).toContain(t('reactivate:ask.offered'));
  expect(retry.text).not.toContain(t('common:notice.restarted'));

  // And on to the end of the branch.
  expect((await chat.click(bot, t('common:choice.YES'))).step).toBe('reactivate.payment');
  expect((await chat.click(bot, t('common:choice.YES'))).step).toBe('resolved');
  const record = await storedRecord(h.app.store, chat.key);
  expect((record?.snapshot as { context: { trail: string[] } }).context.trail).toEqual([
    'start',
    'reactivate.reason',
    'reactivate.expired',
    'reactivate.billing',
    'reactivate.payment',
    'resolved',
  ]);
});

test('the channel redelivers the activity that got "unavailable": once Redis is back it applies, once', async () => {
  const chat = new SharedConversation();
  expect((await chat.say(bot, 'activate office')).step).toBe('activate.license');

  await redis.stop();
  const yes = chat.activity(bot, { text: 'yes' });
  expectUnavailable(await chat.post(bot, yes));

  await redis.start();
  await untilReady();

  // Not marked as seen during the outage, so the redelivery is a real turn now...
  const redelivered = await chat.post(bot, yes);
  expect(redelivered.step).toBe('activate.apps');
  // ...and a second copy is a duplicate.
  const again = await chat.post(bot, yes);
  expect(again.replies.length === 0 || again.text === redelivered.text).toBe(true);
  expect(storedStep(await storedRecord(h.app.store, chat.key))).toBe('activate.apps');
});

test('Redis hangs without closing connections (frozen): the turn times out to "unavailable", and resumes after', async () => {
  const chat = new SharedConversation();
  expect((await chat.say(bot, 'activate office')).step).toBe('activate.license');

  redis.freeze();
  let frozenTurn: TurnResult;
  try {
    frozenTurn = await chat.click(bot, t('common:choice.YES'));
  } finally {
    redis.thaw();
  }
  expectUnavailable(frozenTurn);
  expect(await status('/healthz')).toBe(200);
  await untilReady();

  const retry = await chat.say(bot, 'yes');
  expect(retry.step).toBe('activate.apps');
  expect(retry.text).toContain(t('activate:ask.appsInstalled'));
});

test('a brand-new conversation during the outage is not started half-way: after it, the user starts normally', async () => {
  await redis.stop();
  const chat = new SharedConversation();
  expectUnavailable(await chat.say(bot, 'activate office'));
  await redis.start();
  await untilReady();

  expect(await storedRecord(h.app.store, chat.key)).toBeUndefined();
  const retry = await chat.say(bot, 'activate office');
  expect(retry.step).toBe('activate.license');
  expect(retry.text).not.toContain(t('common:notice.restarted'));
});
