import { startHarness, type Harness } from '../support/bot-harness';
import { scrape, valueOf } from '../ops/prom';

/**
 * Teams allows about 7 messages per second per conversation and answers more with 429; gateways
 * answer 5xx. Replies go through botbuilder's own connector client, whose retry policy is the only
 * one: it sends again on 429/503 after Retry-After and on other 5xx with backoff, a bounded number
 * of times. These tests hold the bot to that against a connector on loopback.
 */
describe('a throttled or failing channel, through botbuilder’s connector client', () => {
  let h: Harness;
  let quiet: jest.SpyInstance;
  beforeAll(async () => (h = await startHarness()));
  afterAll(() => h.close());
  beforeEach(() => (quiet = jest.spyOn(console, 'error').mockImplementation(() => {})));
  afterEach(() => quiet.mockRestore());

  test.each([
    [429, { 'Retry-After': '0' }],
    [503, { 'Retry-After': '0' }],
  ])('a reply answered %i twice is delivered on the third try', async (status, headers) => {
    const chat = h.conversation();
    const before = h.connector.requests;
    h.connector.failNext(2, status, headers);
    const replies = await chat.say('hello');
    expect(replies).toHaveLength(1);
    expect(h.connector.requests - before).toBe(3);
  });

  test('Retry-After from the channel is honoured', async () => {
    const chat = h.conversation();
    h.connector.failNext(1, 429, { 'Retry-After': '1' });
    const started = Date.now();
    expect(await chat.say('hello')).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  test('a channel that keeps throttling gets a bounded number of attempts; the turn still ends and is counted', async () => {
    const chat = h.conversation();
    const before = h.connector.requests;
    const failuresBefore = valueOf(await scrape(h.url), 'ag_send_failures_total');
    h.connector.failNext(100, 429, { 'Retry-After': '0' });
    const res = await h.post(chat.activity({ text: 'hello' }));
    h.connector.failNext(0, 200);
    expect(res.status).toBe(200);
    // 4 attempts for the reply, then 4 for the apology the error handler tries to send.
    expect(h.connector.requests - before).toBe(8);
    expect(valueOf(await scrape(h.url), 'ag_send_failures_total') - failuresBefore).toBe(2);
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
