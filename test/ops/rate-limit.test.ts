import Redis from 'ioredis';
import { createRateLimiter, windowOf } from '../../src/ops/rate-limit';
import { startHarness, type Harness } from '../support/bot-harness';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { scrape, valueOf } from './prom';

/**
 * Per conversation and per client, so that one user cannot starve the others: over the limit is
 * 429 with Retry-After; probes are never limited; Bot Framework channels (which share addresses
 * among all their users) are limited per conversation only.
 */
describe('createRateLimiter', () => {
  test('allows a burst, then refuses with how long to wait; keys are independent', async () => {
    const limiter = createRateLimiter(`unit-${Date.now()}`, { perSecond: 0.1, burst: 3 });
    expect(await Promise.all([1, 2, 3].map(() => limiter.take('a')))).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    const refused = await limiter.take('a');
    expect(refused.ok).toBe(false);
    // 3 requests per 30 s window: the wait is what is left of it, in whole seconds.
    expect(refused.ok ? 0 : refused.retryAfterSeconds).toBeGreaterThanOrEqual(29);
    expect(refused.ok ? 0 : refused.retryAfterSeconds).toBeLessThanOrEqual(30);
    expect(await limiter.take('b')).toEqual({ ok: true });
  });

  test('a rule becomes burst requests per burst/perSecond seconds, at least one second', () => {
    expect(windowOf({ perSecond: 5, burst: 30 })).toEqual({ points: 30, duration: 6 });
    expect(windowOf({ perSecond: 50, burst: 20 })).toEqual({ points: 20, duration: 1 });
  });

  test('refuses nonsense rules', () => {
    expect(() => createRateLimiter('x', { perSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => createRateLimiter('x', { perSecond: 1, burst: 0 })).toThrow(RangeError);
  });
});

describe('on Redis, two instances share one count', () => {
  let redis: RedisServer;
  const harnesses: Harness[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
    for (let i = 0; i < 2; i++) {
      harnesses.push(await startHarness({ env: { REDIS_URL: redis.url, RATE_LIMIT_CONVERSATION_BURST: '3', RATE_LIMIT_CONVERSATION_RPS: '0.1' } }));
    }
    // Until its connection is up, an instance counts in memory (see below): wait for the store's and the limits' connections of both.
    const probe = new Redis(redis.url);
    try {
      for (let i = 0; i < 100 && String(await probe.client('LIST')).trim().split('\n').length < 5; i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      probe.disconnect();
    }
  });
  afterAll(async () => {
    for (const h of harnesses) await h.close();
    await redis.dispose();
  });

  test('a conversation’s messages count against one limit, whichever instance gets them', async () => {
    const [a, b] = harnesses as [Harness, Harness];
    const chat = a.conversation();
    const statuses: number[] = [];
    for (const h of [a, b, a, b]) statuses.push((await h.post(chat.activity({ text: 'hi' }))).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  test('while Redis is away each instance still limits, in its own memory, and nothing is refused for the outage', async () => {
    const [a] = harnesses as [Harness, Harness];
    await redis.stop();
    try {
      const chat = a.conversation();
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await a.post(chat.activity({ text: 'hi' }))).status);
      // The store is Redis too, so a turn may fail with 503 while it is away; the limit still counts.
      expect(statuses[3]).toBe(429);
      expect(statuses.slice(0, 3)).not.toContain(429);
    } finally {
      await redis.start();
    }
  });
});

describe('per conversation', () => {
  let h: Harness;
  beforeAll(async () => (h = await startHarness({ env: { RATE_LIMIT_CONVERSATION_BURST: '3', RATE_LIMIT_CONVERSATION_RPS: '0.2' } })));
  afterAll(() => h.close());

  test('a conversation over its limit gets 429 with Retry-After, and the others carry on', async () => {
    const noisy = h.conversation();
    for (let i = 0; i < 3; i++) expect((await h.post(noisy.activity({ text: `hello ${i}` }))).status).toBe(200);
    const key = `emulator/conversations/${noisy.id}`;
    const stored = (await h.app.store.read([key]))[key];

    const refused = await fetch(`${h.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(noisy.activity({ text: 'again' })) });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toEqual({ error: { code: 'TooManyRequests', message: expect.stringContaining('conversation') } });
    // The refused message changed nothing.
    expect((await h.app.store.read([key]))[key]).toEqual(stored);

    // Someone else is not affected.
    const other = h.conversation();
    expect(await other.say('hello')).not.toHaveLength(0);
    expect(valueOf(await scrape(h.url), 'ag_requests_rejected_total', { reason: 'rate-conversation' })).toBe(1);
  });

  test('the same conversation id on another channel is another conversation', async () => {
    const teams = h.conversation('en-US', { channelId: 'msteams', id: 'shared-id' });
    const emulator = h.conversation('en-US', { channelId: 'emulator', id: 'shared-id' });
    for (let i = 0; i < 3; i++) expect((await h.post(teams.activity({ text: 'hi' }))).status).toBe(200);
    expect((await h.post(emulator.activity({ text: 'hi' }))).status).toBe(200);
  });

  test('applies to Direct Line posts too', async () => {
    const start = await fetch(`${h.url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: 'Bearer undefined' } });
    const { conversationId, token } = (await start.json()) as { conversationId: string; token: string };
    const post = () =>
      fetch(`${h.url}/v3/directline/conversations/${conversationId}/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', from: { id: 'u' }, text: 'hi' }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post()).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // Polling the conversation is not a message and is not counted against it.
    const poll = await fetch(`${h.url}/v3/directline/conversations/${conversationId}/activities`, { headers: { authorization: `Bearer ${token}` } });
    expect(poll.status).toBe(200);
  });
});

describe('per client', () => {
  let h: Harness;
  beforeAll(async () => (h = await startHarness({ env: { RATE_LIMIT_CLIENT_BURST: '5', RATE_LIMIT_CLIENT_RPS: '0.2', TRUST_PROXY: 'true' } })));
  afterAll(() => h.close());

  const generate = (forwardedFor: string) => fetch(`${h.url}/v3/directline/tokens/generate`, { method: 'POST', headers: { 'x-forwarded-for': forwardedFor } });

  test('one client over its limit on the web routes gets 429 with Retry-After; another client does not', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await generate('203.0.113.7')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await generate('203.0.113.7');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${h.url}/`, { headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(429);
    // Behind the proxy, the last X-Forwarded-For entry is the client; a spoofed first entry does not help.
    expect((await generate('198.51.100.1, 203.0.113.7')).status).toBe(429);
    expect((await generate('203.0.113.8')).status).toBe(200);
  });

  test('a forwarded-for header cannot make a request count as local', async () => {
    // Loopback /api/messages (Emulator, tests) is not limited per client; the same request
    // "forwarded for 127.0.0.1" is someone else's and is.
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await h.post(h.conversation().activity({ text: 'hi' }), { 'x-forwarded-for': '127.0.0.1' })).status);
    expect(statuses).toContain(429);
  });

  test('probes and metrics are never limited', async () => {
    for (let i = 0; i < 10; i++) {
      for (const path of ['/healthz', '/readyz', '/metrics']) {
        expect((await fetch(`${h.url}${path}`, { headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(200);
      }
    }
  });

  test('anonymous /api/messages from a public address is limited per client; loopback (Emulator, tests) is not', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const chat = h.conversation();
      statuses.push((await h.post(chat.activity({ text: 'hi' }), { 'x-forwarded-for': '203.0.113.9' })).status);
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    for (let i = 0; i < 7; i++) expect((await h.post(h.conversation().activity({ text: 'hi' }))).status).toBe(200);
  });
});

describe('with credentials', () => {
  test('/api/messages is not limited per client address (channels share theirs)', async () => {
    const h = await startHarness({ env: { MicrosoftAppId: '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f', MicrosoftAppPassword: 'x-not-real', RATE_LIMIT_CLIENT_BURST: '2', RATE_LIMIT_CLIENT_RPS: '0.1', TRUST_PROXY: 'true' } });
    try {
      // Unauthenticated, so each is a 401, but none is a 429.
      for (let i = 0; i < 5; i++) expect((await h.post(h.conversation().activity({ text: 'hi' }), { 'x-forwarded-for': '52.112.0.1' })).status).toBe(401);
    } finally {
      await h.close();
    }
  });
});

test('RATE_LIMIT=false turns the limits off', async () => {
  const h = await startHarness({ env: { RATE_LIMIT: 'false', RATE_LIMIT_CONVERSATION_BURST: '1', RATE_LIMIT_CLIENT_BURST: '1' } });
  try {
    const chat = h.conversation();
    for (let i = 0; i < 4; i++) expect((await h.post(chat.activity({ text: `hi ${i}` }))).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await fetch(`${h.url}/v3/directline/tokens/generate`, { method: 'POST' })).status).toBe(200);
  } finally {
    await h.close();
  }
});
