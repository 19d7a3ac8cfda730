import { TurnContext, type Activity, type ResourceResponse } from 'botbuilder';
import { createSendRetry, retryAfterMs, statusOf } from '../../src/ops/send-retry';
import { startHarness, type Harness } from '../support/bot-harness';
import { scrape, valueOf } from './prom';

/**
 * Teams allows about 7 messages per second per conversation and answers more with 429; gateways
 * answer 502/504. A turn's replies are sent again with backoff, honouring Retry-After, a bounded
 * number of times; other failures are not retried.
 */

/** An error shaped like @azure/core-rest-pipeline's RestError. */
function restError(status: number, headers: Record<string, string> = {}): Error {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.assign(new Error(`status ${status}`), { name: 'RestError', statusCode: status, response: { status, headers: { get: (name: string) => lower[name.toLowerCase()] } } });
}

/** A context whose adapter fails sends according to `script` (one entry per send call). */
function contextWith(script: (activities: Partial<Activity>[], call: number) => ResourceResponse[] | Error) {
  const sent: string[][] = [];
  let call = 0;
  const adapter = {
    sendActivities: async (_ctx: TurnContext, activities: Partial<Activity>[]) => {
      const result = script(activities, call++);
      if (result instanceof Error) throw result;
      sent.push(activities.map((a) => a.text ?? ''));
      return result;
    },
  };
  const context = new TurnContext(adapter as never, { type: 'message', conversation: { id: 'c' } as never, channelId: 'test', from: { id: 'u' } as never, recipient: { id: 'b' } as never });
  return { context, sent, calls: () => call };
}

describe('createSendRetry', () => {
  const sleeps: number[] = [];
  const retry = (options: Parameters<typeof createSendRetry>[0] = {}) => createSendRetry({ sleep: async (ms) => void sleeps.push(ms), random: () => 1, ...options });
  beforeEach(() => (sleeps.length = 0));

  test('sends again after 429/502/503/504, waiting as long as Retry-After says', async () => {
    const statuses = [429, 502, 503, 504];
    const { context, sent, calls } = contextWith((_a, call) => (call < statuses.length ? restError(statuses[call]!, call === 0 ? { 'Retry-After': '2' } : {}) : [{ id: 'ok' }]));
    await retry({ maxAttempts: 5 }).onTurn(context, async () => {
      await context.sendActivity('hello');
    });
    expect(calls()).toBe(5);
    expect(sent).toEqual([['hello']]);
    expect(sleeps).toEqual([2000, 500, 1000, 2000]); // Retry-After, then 250 ms doubling (jitter pinned to its maximum)
  });

  test('gives up after maxAttempts and rethrows the last error', async () => {
    const { context, calls } = contextWith(() => restError(429, { 'Retry-After': '0' }));
    const onGiveUp = jest.fn();
    await expect(
      retry({ onGiveUp }).onTurn(context, async () => {
        await context.sendActivity('hello');
      }),
    ).rejects.toMatchObject({ statusCode: 429 });
    expect(calls()).toBe(4);
    expect(onGiveUp).toHaveBeenCalledWith(expect.objectContaining({ status: 429, attempts: 4 }));
  });

  test('never waits past its time budget, however long Retry-After asks for', async () => {
    const { context, calls } = contextWith(() => restError(429, { 'Retry-After': '3600' }));
    await expect(
      retry({ maxDelayMs: 4000, budgetMs: 5000 }).onTurn(context, async () => {
        await context.sendActivity('hello');
      }),
    ).rejects.toMatchObject({ statusCode: 429 });
    expect(sleeps).toEqual([4000]); // capped at maxDelayMs; a second wait would end after 5 s
    expect(calls()).toBe(2);
  });

  test.each([400, 401, 403, 404, 413, 500, 501])('does not retry %i', async (status) => {
    const { context, calls } = contextWith(() => restError(status));
    await expect(
      retry().onTurn(context, async () => {
        await context.sendActivity('hello');
      }),
    ).rejects.toMatchObject({ statusCode: status });
    expect(calls()).toBe(1);
  });

  test('does not retry errors without a status (network, bugs)', async () => {
    const { context, calls } = contextWith(() => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await expect(
      retry().onTurn(context, async () => {
        await context.sendActivity('hello');
      }),
    ).rejects.toThrow('ECONNREFUSED');
    expect(calls()).toBe(1);
  });

  test('sends again after a broken connection (ECONNRESET)', async () => {
    const { context, sent, calls } = contextWith((_a, call) => (call === 0 ? Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) : [{ id: 'ok' }]));
    const onRetry = jest.fn();
    await retry({ onRetry }).onTurn(context, async () => {
      await context.sendActivity('hello');
    });
    expect(calls()).toBe(2);
    expect(sent).toEqual([['hello']]);
    expect(onRetry).toHaveBeenCalledWith(expect.objectContaining({ status: 'ECONNRESET', attempt: 1 }));
  });

  test('sends a batch one by one, so a retry never repeats an activity that went out', async () => {
    let failedOnce = false;
    const { context, sent } = contextWith((activities) => {
      if (activities[0]?.text === 'second' && !failedOnce) {
        failedOnce = true;
        return restError(429, { 'Retry-After': '0' });
      }
      return activities.map((a) => ({ id: `id-${a.text}` }));
    });
    let responses: ResourceResponse[] = [];
    await retry().onTurn(context, async () => {
      responses = await context.sendActivities([{ text: 'first' }, { text: 'second' }, { text: 'third' }]);
    });
    expect(sent).toEqual([['first'], ['second'], ['third']]);
    expect(responses.map((r) => r.id)).toEqual(['id-first', 'id-second', 'id-third']);
  });

  test('removes the connector client’s own retry policy for the turn', async () => {
    const removed: string[] = [];
    const key = Symbol('ConnectorClient');
    const { context } = contextWith(() => [{ id: 'x' }]);
    Object.assign(context.adapter, { ConnectorClientKey: key });
    context.turnState.set(key, { client: { pipeline: { removePolicy: ({ name }: { name: string }) => removed.push(name) } } });
    await retry().onTurn(context, async () => {});
    expect(removed).toEqual(['defaultRetryPolicy']);
  });

  test('reads Retry-After as seconds, as an HTTP date, or as retry-after-ms', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs(restError(429, { 'Retry-After': '3' }), now)).toBe(3000);
    expect(retryAfterMs(restError(429, { 'Retry-After': '0.5' }), now)).toBe(500);
    expect(retryAfterMs(restError(429, { 'Retry-After': 'Wed, 01 Jan 2025 00:00:07 GMT' }), now)).toBe(7000);
    expect(retryAfterMs(restError(429, { 'Retry-After': 'Tue, 31 Dec 2024 00:00:00 GMT' }), now)).toBe(0);
    expect(retryAfterMs(restError(429, { 'retry-after-ms': '120' }), now)).toBe(120);
    expect(retryAfterMs(restError(429, { 'Retry-After': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(restError(429), now)).toBeUndefined();
    expect(retryAfterMs(new Error('x'))).toBeUndefined();
    expect(statusOf({ response: { status: 504 } })).toBe(504);
    expect(statusOf('nope')).toBeUndefined();
  });
});

describe('against the fake connector', () => {
  let h: Harness;
  let quiet: jest.SpyInstance;
  beforeAll(async () => (h = await startHarness()));
  afterAll(() => h.close());
  beforeEach(() => (quiet = jest.spyOn(console, 'error').mockImplementation(() => {})));
  afterEach(() => quiet.mockRestore());

  test.each([
    [429, { 'Retry-After': '0' }],
    [502, {}],
    [504, {}],
  ])('a reply answered %i twice is delivered on the third try', async (status, headers) => {
    const chat = h.conversation();
    const before = h.connector.requests;
    const retriesBefore = valueOf(await scrape(h.url), 'ag_send_retries_total', { status: String(status) });
    h.connector.failNext(2, status, headers);
    const replies = await chat.say('hello');
    expect(replies).toHaveLength(1);
    expect(h.connector.requests - before).toBe(3);
    expect(valueOf(await scrape(h.url), 'ag_send_retries_total', { status: String(status) }) - retriesBefore).toBe(2);
  });

  test('Retry-After from the channel is honoured', async () => {
    const chat = h.conversation();
    h.connector.failNext(1, 429, { 'Retry-After': '1' });
    const started = Date.now();
    expect(await chat.say('hello')).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  test('a channel that keeps throttling gets a bounded number of attempts; the turn still ends', async () => {
    const chat = h.conversation();
    const before = h.connector.requests;
    h.connector.failNext(100, 429, { 'Retry-After': '0' });
    const started = Date.now();
    const res = await h.post(chat.activity({ text: 'hello' }));
    h.connector.failNext(0, 200);
    expect(res.status).toBe(200);
    // 4 attempts for the reply, then 4 for the apology the error handler tries to send.
    expect(h.connector.requests - before).toBe(8);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The state was saved before the send: the next message carries on from there.
    const key = `emulator/conversations/${chat.id}`;
    expect((await h.app.store.read([key]))[key]).toBeDefined();
  });

  test('a 400 is not retried', async () => {
    const chat = h.conversation();
    const before = h.connector.requests;
    h.connector.failNext(1, 400);
    await h.post(chat.activity({ text: 'hello' }));
    expect(h.connector.requests - before).toBe(2); // the reply, then the apology (delivered)
  });
});
