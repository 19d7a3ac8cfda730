import type { Activity } from 'botbuilder';
import { createLocalDirectLine, type LocalDirectLine, type LocalDirectLineOptions } from '../../src/channels/directline';
import { startServer, type TestServer } from './support/server';

interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is (for malformed JSON); overrides body. */
  raw?: string;
  contentType?: string;
}

interface CallResult {
  status: number;
  body: any;
  headers: Headers;
}

async function call(origin: string, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(origin + path, { method, headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

const PRODUCT_KEY = /\b[A-Z0-9]{5}(?:-[A-Z0-9]{5}){4}\b/g;
const maskKeys = (text: string) => text.replace(PRODUCT_KEY, 'XXXXX-XXXXX-XXXXX-XXXXX-XXXXX');

interface Harness {
  dl: LocalDirectLine;
  server: TestServer;
  delivered: Partial<Activity>[];
  clock: { now: number };
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  start(): Promise<{ conversationId: string; token: string }>;
}

/** A Direct Line whose bot answers every message with an echo, returned from its turn as botbuilder's expectReplies does. */
async function harness(overrides: Partial<LocalDirectLineOptions> = {}): Promise<Harness> {
  const delivered: Partial<Activity>[] = [];
  const clock = { now: Date.UTC(2025, 0, 1) };
  const dl = createLocalDirectLine({
    now: () => clock.now,
    deliver: async (activity) => {
      delivered.push(activity);
      if (activity.type !== 'message') return [];
      return [
        {
          type: 'message',
          text: `echo: ${activity.text}`,
          from: activity.recipient,
          recipient: activity.from,
          conversation: activity.conversation,
          replyToId: activity.id,
          serviceUrl: 'https://bots.example.invalid/',
        },
      ];
    },
    ...overrides,
  });
  const server = await startServer((s) => dl.register(s));
  const h: Harness = {
    dl,
    server,
    delivered,
    clock,
    call: (method, path, options) => call(server.origin, method, path, options),
    async start() {
      const created = await h.call('POST', '/v3/directline/conversations', { body: {} });
      expect(created.status).toBe(201);
      return created.body;
    },
  };
  return h;
}

describe('local Direct Line', () => {
  let h: Harness;

  afterEach(async () => {
    await h.dl.close();
    await h.server.close();
  });

  describe('protocol', () => {
    beforeEach(async () => {
      h = await harness();
    });

    it('creates a conversation with 201 {conversationId, token, expires_in}', async () => {
      const created = await h.call('POST', '/v3/directline/conversations');
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ conversationId: expect.any(String), token: expect.any(String), expires_in: 1800, streamUrl: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/v3\/directline\/conversations\/.+\/stream\?watermark=0&t=/) });
      expect(created.headers.get('cache-control')).toBe('no-store');
      expect(await h.dl.conversationCount()).toBe(1);
    });

    it('echoes the user activity with its clientActivityID, then the bot reply, paged by watermark', async () => {
      const { conversationId, token } = await h.start();
      const posted = await h.call('POST', `/v3/directline/conversations/${conversationId}/activities`, {
        token,
        body: {
          type: 'message',
          text: 'hallo',
          locale: 'nl-NL',
          channelId: 'webchat',
          from: { id: 'r_user1', name: '', role: 'bot' },
          channelData: { clientActivityID: 'client-1', clientTimestamp: '2025-01-01T00:00:00.000Z' },
          entities: [{ type: 'ClientCapabilities' }],
        },
      });
      expect(posted.status).toBe(200);
      expect(posted.body).toEqual({ id: `${conversationId}|0000001` });
      await h.dl.drain();

      const all = await h.call('GET', `/v3/directline/conversations/${conversationId}/activities?watermark=`, { token });
      expect(all.status).toBe(200);
      expect(all.body.watermark).toBe('2');
      const [echo, reply] = all.body.activities;
      expect(echo).toMatchObject({
        type: 'message',
        id: `${conversationId}|0000001`,
        text: 'hallo',
        locale: 'nl-NL',
        channelId: 'directline',
        conversation: { id: conversationId },
        // A client cannot make its own message look like the bot's.
        from: { id: 'r_user1', role: 'user' },
        channelData: { clientActivityID: 'client-1' },
      });
      expect(typeof echo.timestamp).toBe('string');
      expect(reply).toMatchObject({
        type: 'message',
        id: `${conversationId}|0000002`,
        text: 'echo: hallo',
        replyToId: echo.id,
        from: { id: 'bot', role: 'bot' },
        conversation: { id: conversationId },
      });
      expect(reply.serviceUrl).toBeUndefined();

      const rest = await h.call('GET', `/v3/directline/conversations/${conversationId}/activities?watermark=1`, { token });
      expect(rest.body.activities.map((a: { id: string }) => a.id)).toEqual([reply.id]);
      const none = await h.call('GET', `/v3/directline/conversations/${conversationId}/activities?watermark=2`, { token });
      expect(none.body).toEqual({ activities: [], watermark: '2' });
    });

    it('hands the bot a channel-shaped activity, after Azure-like conversationUpdates', async () => {
      const { conversationId, token } = await h.start();
      await h.call('POST', `/v3/directline/conversations/${conversationId}/activities`, {
        token,
        body: { type: 'message', text: 'hi', locale: 'en-US', from: { id: 'u1' }, channelData: { clientActivityID: 'c1' } },
      });
      await h.dl.drain();
      expect(h.delivered.map((a) => a.type)).toEqual(['conversationUpdate', 'conversationUpdate', 'message']);
      expect(h.delivered[2].serviceUrl).toBeUndefined();
      expect(h.delivered[0].membersAdded).toEqual([{ id: 'bot', role: 'bot' }]);
      expect(h.delivered[1].membersAdded).toEqual([{ id: 'u1', role: 'user' }]);
      expect(h.delivered[2]).toMatchObject({
        type: 'message',
        id: `${conversationId}|0000001`,
        channelId: 'directline',
        conversation: { id: conversationId },
        recipient: { id: 'bot', role: 'bot' },
        from: { id: 'u1', role: 'user' },
        locale: 'en-US',
        text: 'hi',
        channelData: { clientActivityID: 'c1' },
      });
      // A second message does not announce the user again.
      await h.call('POST', `/v3/directline/conversations/${conversationId}/activities`, { token, body: { type: 'message', text: 'again', from: { id: 'u1' } } });
      await h.dl.drain();
      expect(h.delivered.map((a) => a.type)).toEqual(['conversationUpdate', 'conversationUpdate', 'message', 'message']);
    });

    it('supports the token flow: tokens/generate, then start (201) and resume (200) with that token', async () => {
      const generated = await h.call('POST', '/v3/directline/tokens/generate', { body: {} });
      expect(generated.status).toBe(200);
      const { token, conversationId } = generated.body;
      const started = await h.call('POST', '/v3/directline/conversations', { token });
      expect(started.status).toBe(201);
      expect(started.body.conversationId).toBe(conversationId);
      const resumed = await h.call('POST', '/v3/directline/conversations', { token });
      expect(resumed.status).toBe(200);
      expect(resumed.body.conversationId).toBe(conversationId);
    });

    it('treats "Bearer undefined" (directlinejs without a token) as an anonymous start', async () => {
      const created = await h.call('POST', '/v3/directline/conversations', { token: 'undefined', body: { user: {} } });
      expect(created.status).toBe(201);
    });

    it('tells the bot about a conversation when it is started, with the locale the client chose', async () => {
      const generated = await h.call('POST', '/v3/directline/tokens/generate', { body: { locale: 'nl-NL' } });
      await h.dl.drain();
      expect(h.delivered).toEqual([]);
      await h.call('POST', '/v3/directline/conversations', { token: generated.body.token, body: { user: {} } });
      await h.dl.drain();
      expect(h.delivered).toEqual([expect.objectContaining({ type: 'conversationUpdate', locale: 'nl-NL', membersAdded: [{ id: 'bot', role: 'bot' }] })]);

      const other = await h.call('POST', '/v3/directline/conversations', { body: { locale: 'en-US', user: { id: 'u9' } } });
      await h.dl.drain();
      expect(h.delivered[1]).toMatchObject({ type: 'conversationUpdate', locale: 'en-US', from: { id: 'u9' }, conversation: { id: other.body.conversationId } });
    });

    it('reconnects with GET /conversations/{id}?watermark', async () => {
      const { conversationId, token } = await h.start();
      const reconnected = await h.call('GET', `/v3/directline/conversations/${conversationId}?watermark=0`, { token });
      expect(reconnected.status).toBe(200);
      expect(reconnected.body).toEqual({ conversationId, token, expires_in: 1800, streamUrl: expect.stringContaining(`/v3/directline/conversations/${conversationId}/stream?watermark=0&t=`) });
    });

    it('refreshes a token; the previous one stays valid, the one before is revoked', async () => {
      const { conversationId, token: first } = await h.start();
      const second = await h.call('POST', '/v3/directline/tokens/refresh', { token: first });
      expect(second.status).toBe(200);
      expect(second.body).toEqual({ conversationId, token: expect.any(String), expires_in: 1800, streamUrl: expect.any(String) });
      expect(second.body.token).not.toBe(first);
      const path = `/v3/directline/conversations/${conversationId}/activities`;
      expect((await h.call('GET', path, { token: second.body.token })).status).toBe(200);
      expect((await h.call('GET', path, { token: first })).status).toBe(200);

      const third = await h.call('POST', '/v3/directline/tokens/refresh', { token: second.body.token });
      expect((await h.call('GET', path, { token: third.body.token })).status).toBe(200);
      expect((await h.call('GET', path, { token: first })).status).toBe(401);
    });

    it('refuses file uploads with a clear 400', async () => {
      const { conversationId, token } = await h.start();
      const upload = await h.call('POST', `/v3/directline/conversations/${conversationId}/upload?userId=u1`, { token, raw: 'x', contentType: 'text/plain' });
      expect(upload.status).toBe(400);
      expect(upload.body.error.message).toMatch(/upload/i);
    });
  });

  describe('isolation', () => {
    beforeEach(async () => {
      h = await harness();
    });

    it('requires a bearer token: 401 when missing or unknown, in the Direct Line error shape', async () => {
      const { conversationId } = await h.start();
      const path = `/v3/directline/conversations/${conversationId}/activities`;
      const missing = await h.call('GET', path);
      expect(missing.status).toBe(401);
      expect(missing.body).toEqual({ error: { code: 'Unauthorized', message: expect.any(String) } });
      expect((await h.call('GET', path, { token: 'not-a-token' })).status).toBe(401);
      expect((await h.call('POST', path, { token: 'not-a-token', body: { type: 'message', text: 'x' } })).status).toBe(401);
      expect((await h.call('POST', '/v3/directline/tokens/refresh', { token: 'not-a-token' })).status).toBe(401);
      expect((await h.call('POST', '/v3/directline/tokens/refresh')).status).toBe(401);
    });

    it("forbids (403) using one conversation's token on another, and leaves the other untouched", async () => {
      const a = await h.start();
      const b = await h.start();
      expect(a.conversationId).not.toBe(b.conversationId);
      await h.call('POST', `/v3/directline/conversations/${b.conversationId}/activities`, { token: b.token, body: { type: 'message', text: 'secret of b' } });
      await h.dl.drain();

      const read = await h.call('GET', `/v3/directline/conversations/${b.conversationId}/activities`, { token: a.token });
      expect(read.status).toBe(403);
      expect(read.body.error.code).toBe('Forbidden');
      expect(JSON.stringify(read.body)).not.toContain('secret of b');
      const write = await h.call('POST', `/v3/directline/conversations/${b.conversationId}/activities`, { token: a.token, body: { type: 'message', text: 'intrusion' } });
      expect(write.status).toBe(403);
      expect((await h.call('GET', `/v3/directline/conversations/${b.conversationId}?watermark=0`, { token: a.token })).status).toBe(403);
      // Same answer for a conversation that does not exist: a token does not reveal which ids are live.
      expect((await h.call('GET', '/v3/directline/conversations/nope/activities', { token: a.token })).status).toBe(403);

      const history = (await h.dl.history(b.conversationId))!;
      expect(history.map((x) => x.text)).toEqual(['secret of b', 'echo: secret of b']);
      const own = await h.call('GET', `/v3/directline/conversations/${a.conversationId}/activities`, { token: a.token });
      expect(own.body.activities).toEqual([]);
    });
  });

  describe('the bot’s replies, returned by its turn', () => {
    it('stores them in order as the bot’s, without serviceUrl, and drops those of a conversation that expired meanwhile', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      h = await harness({
        idleMs: 60_000,
        conversationUpdates: false,
        deliver: async (activity) => {
          if (activity.text === 'slow') await gate;
          return [
            { type: 'typing', from: { id: 'someone-else', role: 'user' } },
            { text: `re: ${activity.text}`, serviceUrl: 'https://bots.example.invalid/', id: 'their-id' },
          ] as Partial<Activity>[];
        },
      });
      const { conversationId, token } = await h.start();
      const path = `/v3/directline/conversations/${conversationId}/activities`;
      await h.call('POST', path, { token, body: { type: 'message', text: 'fast' } });
      await h.dl.drain();
      const read = await h.call('GET', path, { token });
      const [echo, typing, reply] = read.body.activities;
      expect(typing).toMatchObject({ type: 'typing', id: `${conversationId}|0000002`, from: { id: 'someone-else', role: 'bot' }, replyToId: echo.id });
      expect(reply).toMatchObject({ type: 'message', id: `${conversationId}|0000003`, text: 're: fast', from: { id: 'bot', role: 'bot' }, replyToId: echo.id });
      expect(reply.serviceUrl).toBeUndefined();

      // Answered once its turn has run: the conversation ends while the bot is still on it.
      const slow = h.call('POST', path, { token, body: { type: 'message', text: 'slow' } });
      while ((await h.dl.history(conversationId))!.length < 4) await new Promise((resolve) => setImmediate(resolve));
      h.clock.now += 60_000;
      expect(h.dl.sweep()).toBe(1);
      release();
      expect((await slow).status).toBe(200);
      await h.dl.drain();
      expect((await h.dl.history(conversationId))).toBeUndefined();
    });
  });

  describe('expiry', () => {
    it('drops a conversation idle for idleMs: its client gets 404 and the sweep frees it', async () => {
      h = await harness({ idleMs: 60_000 });
      const { conversationId, token } = await h.start();
      const path = `/v3/directline/conversations/${conversationId}/activities`;

      h.clock.now += 59_000;
      expect((await h.call('POST', path, { token, body: { type: 'message', text: 'still here' } })).status).toBe(200);
      await h.dl.drain();
      h.clock.now += 59_000; // the message above reset the idle clock
      expect((await h.call('GET', path, { token })).status).toBe(200);

      h.clock.now += 1_000;
      expect(h.dl.sweep()).toBe(1);
      expect(await h.dl.conversationCount()).toBe(0);
      expect((await h.dl.history(conversationId))).toBeUndefined();
      const gone = await h.call('GET', path, { token });
      expect(gone.status).toBe(404);
      // There is no connector route to post to: the bot's replies never come over HTTP.
      expect((await h.call('POST', `/v3/conversations/${conversationId}/activities`, { body: { type: 'message' } })).status).toBe(404);
    });

    it('expires idle conversations on access even before the sweep runs', async () => {
      h = await harness({ idleMs: 60_000 });
      const { conversationId, token } = await h.start();
      h.clock.now += 60_000;
      expect((await h.call('GET', `/v3/directline/conversations/${conversationId}/activities`, { token })).status).toBe(404);
      expect(await h.dl.conversationCount()).toBe(0);
    });

    it("answers an ended conversation's token with 404 (403 elsewhere) until the token itself expires (403 TokenExpired)", async () => {
      h = await harness({ idleMs: 60_000, tokenTtlMs: 120_000 });
      const { conversationId, token } = await h.start();
      const path = `/v3/directline/conversations/${conversationId}/activities`;
      h.clock.now += 60_000;
      expect(h.dl.sweep()).toBe(1);

      const ended = await h.call('GET', path, { token });
      expect(ended.status).toBe(404);
      expect(ended.body.error).toEqual({ code: 'NotFound', message: 'Conversation has expired; start a new conversation' });
      expect((await h.call('POST', '/v3/directline/tokens/refresh', { token })).status).toBe(404);
      const elsewhere = await h.call('GET', '/v3/directline/conversations/other/activities', { token });
      expect(elsewhere.status).toBe(403);
      expect(elsewhere.body.error.code).toBe('Forbidden');

      h.clock.now += 59_000;
      h.dl.sweep();
      expect((await h.call('GET', path, { token })).status).toBe(404);

      h.clock.now += 1_000;
      const expired = await h.call('GET', path, { token });
      expect(expired.status).toBe(403);
      expect(expired.body.error).toEqual({ code: 'TokenExpired', message: 'Token has expired' });
    });

    it('keeps at most two ended conversations per allowed one; a forgotten one is revived empty by its still-valid token', async () => {
      h = await harness({ maxConversations: 1, idleMs: 60_000 });
      const ended: Array<{ conversationId: string; token: string }> = [];
      const status = async ({ conversationId, token }: { conversationId: string; token: string }) =>
        (await h.call('GET', `/v3/directline/conversations/${conversationId}/activities`, { token })).status;
      for (let i = 0; i < 3; i++) {
        ended.push(await h.start());
        h.clock.now += 60_000;
        expect(h.dl.sweep()).toBe(1);
        // The oldest is polled right before the third one ends: that must not save it.
        if (i === 1) expect(await status(ended[0]!)).toBe(404);
      }
      expect(await status(ended[1]!)).toBe(404);
      expect(await status(ended[2]!)).toBe(404);
      expect(await status(ended[0]!)).toBe(200);
      expect(await h.dl.history(ended[0]!.conversationId)).toEqual([]);
    });

    it('refuses an expired token with 403 TokenExpired (directlinejs then reports ExpiredToken)', async () => {
      h = await harness({ tokenTtlMs: 10_000, idleMs: 60_000 });
      const { conversationId, token } = await h.start();
      h.clock.now += 10_000;
      const expired = await h.call('GET', `/v3/directline/conversations/${conversationId}/activities`, { token });
      expect(expired.status).toBe(403);
      expect(expired.body.error.code).toBe('TokenExpired');
    });
  });

  describe('validation and limits', () => {
    it('answers 400 with a clear message on malformed bodies and queries, never 500', async () => {
      h = await harness();
      const { conversationId, token } = await h.start();
      const path = `/v3/directline/conversations/${conversationId}/activities`;
      const cases: Array<[CallOptions, RegExp]> = [
        [{ body: [1, 2] }, /JSON activity object/],
        [{ body: 'hello' }, /JSON activity object/],
        [{ body: {} }, /"type"/],
        [{ body: { type: 'conversationUpdate' } }, /"type"/],
        [{ body: { type: 'message', text: 42 } }, /"text"/],
        [{ body: { type: 'message', from: 'me' } }, /"from"/],
        [{ body: { type: 'message', from: { id: 'bot' } } }, /"from.id"/],
        [{ body: { type: 'message', locale: 'not a locale' } }, /"locale"/],
        [{ body: { type: 'message', channelData: [] } }, /"channelData"/],
        [{ body: { type: 'message', attachments: [{ contentType: 'image/png', contentUrl: 'blob:x' }] } }, /Attachments/],
        [{ raw: 'not text', contentType: 'text/plain' }, /JSON activity object/],
      ];
      for (const [options, message] of cases) {
        const result = await h.call('POST', path, { token, ...options });
        expect({ options, status: result.status }).toEqual({ options, status: 400 });
        expect(result.body.error.message).toMatch(message);
      }
      const brokenJson = await h.call('POST', path, { token, raw: '{"type":' });
      expect(brokenJson.status).toBe(400);
      const badWatermark = await h.call('GET', `${path}?watermark=abc`, { token });
      expect(badWatermark.status).toBe(400);
      expect(badWatermark.body.error.message).toMatch(/watermark/);
      expect((await h.call('POST', '/v3/directline/conversations', { body: { user: 'x' } })).status).toBe(400);
      expect((await h.dl.history(conversationId))).toEqual([]);
    });

    it('refuses oversized activities with 413', async () => {
      h = await harness({ maxActivityBytes: 1024 });
      const { conversationId, token } = await h.start();
      const big = await h.call('POST', `/v3/directline/conversations/${conversationId}/activities`, { token, body: { type: 'message', text: 'x'.repeat(2000) } });
      expect(big.status).toBe(413);
      expect((await h.dl.history(conversationId))).toEqual([]);
    });

    it('caps the number of conversations with 503', async () => {
      h = await harness({ maxConversations: 2 });
      await h.start();
      await h.start();
      const third = await h.call('POST', '/v3/directline/conversations');
      expect(third.status).toBe(503);
      expect(third.body.error.code).toBe('ServiceUnavailable');
      expect(third.headers.get('retry-after')).toBeTruthy();
      expect((await h.call('POST', '/v3/directline/tokens/generate')).status).toBe(503);
    });

    it('keeps only the newest activities of a long conversation; watermarks keep working', async () => {
      h = await harness({ maxActivitiesPerConversation: 3, conversationUpdates: false });
      const { conversationId, token } = await h.start();
      for (const text of ['one', 'two', 'three']) {
        await h.call('POST', `/v3/directline/conversations/${conversationId}/activities`, { token, body: { type: 'message', text } });
        await h.dl.drain();
      }
      const read = await h.call('GET', `/v3/directline/conversations/${conversationId}/activities?watermark=2`, { token });
      expect(read.body.watermark).toBe('6');
      expect(read.body.activities.map((a: { text: string }) => a.text)).toEqual(['echo: two', 'three', 'echo: three']);
      const fromStart = await h.call('GET', `/v3/directline/conversations/${conversationId}/activities`, { token });
      expect(fromStart.body.activities).toHaveLength(3);
    });

    it('answers 429 when the bot falls behind, instead of queueing without bound', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      h = await harness({ maxPendingTurns: 2, conversationUpdates: false, deliver: () => gate });
      const { conversationId, token } = await h.start();
      const path = `/v3/directline/conversations/${conversationId}/activities`;
      // Posts are answered when their turn has run, so these two wait for the bot.
      const first = h.call('POST', path, { token, body: { type: 'message', text: '1' } });
      const second = h.call('POST', path, { token, body: { type: 'message', text: '2' } });
      while ((await h.dl.history(conversationId))!.length < 2) await new Promise((resolve) => setImmediate(resolve));
      const third = await h.call('POST', path, { token, body: { type: 'message', text: '3' } });
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toBe('1');
      release();
      expect((await first).status).toBe(200);
      expect((await second).status).toBe(200);
      await h.dl.drain();
      expect((await h.call('POST', path, { token, body: { type: 'message', text: '4' } })).status).toBe(200);
    });

    it('runs the turns of one conversation one after another, in order', async () => {
      const order: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      h = await harness({
        conversationUpdates: false,
        deliver: async (activity) => {
          order.push(`start ${activity.text}`);
          if (activity.text === 'first') await gate;
          order.push(`end ${activity.text}`);
        },
      });
      const { conversationId, token } = await h.start();
      const path = `/v3/directline/conversations/${conversationId}/activities`;
      const first = h.call('POST', path, { token, body: { type: 'message', text: 'first' } });
      while (order.length < 1) await new Promise((resolve) => setImmediate(resolve));
      const second = h.call('POST', path, { token, body: { type: 'message', text: 'second' } });
      while ((await h.dl.history(conversationId))!.length < 2) await new Promise((resolve) => setImmediate(resolve));
      expect(order).toEqual(['start first']);
      release();
      await Promise.all([first, second]);
      expect(order).toEqual(['start first', 'end first', 'start second', 'end second']);
    });

    it('answers a post whose turn failed with 502, which clients retry, logs it and keeps serving', async () => {
      const errors: object[] = [];
      const logger = { info: () => undefined, warn: () => undefined, error: (obj: object) => errors.push(obj) };
      h = await harness({ conversationUpdates: false, logger, deliver: async () => Promise.reject(new Error('bot crashed')) });
      const { conversationId, token } = await h.start();
      const posted = await h.call('POST', `/v3/directline/conversations/${conversationId}/activities`, { token, body: { type: 'message', text: 'x' } });
      expect(posted.status).toBe(502);
      expect(posted.body.error.code).toBe('BotError');
      expect(posted.headers.get('retry-after')).toBe('1');
      expect(errors).toHaveLength(1);
      expect((await h.call('GET', `/v3/directline/conversations/${conversationId}/activities`, { token })).status).toBe(200);
    });
  });

  describe('masking', () => {
    it('stores and echoes masked text, but hands the bot the original', async () => {
      h = await harness({ mask: maskKeys });
      const { conversationId, token } = await h.start();
      const key = 'ABCDE-12345-FGHIJ-67890-KLMNO';
      await h.call('POST', `/v3/directline/conversations/${conversationId}/activities`, {
        token,
        body: { type: 'message', text: `my key is ${key}`, value: { productKey: key, nested: [key] }, channelData: { clientActivityID: 'k1' } },
      });
      await h.dl.drain();

      const read = await h.call('GET', `/v3/directline/conversations/${conversationId}/activities`, { token });
      const echo = read.body.activities[0];
      expect(echo.text).toBe('my key is XXXXX-XXXXX-XXXXX-XXXXX-XXXXX');
      expect(echo.value).toEqual({ productKey: 'XXXXX-XXXXX-XXXXX-XXXXX-XXXXX', nested: ['XXXXX-XXXXX-XXXXX-XXXXX-XXXXX'] });
      expect(echo.channelData.clientActivityID).toBe('k1');
      expect(JSON.stringify((await h.dl.history(conversationId))!.filter((a) => a.from && (a.from as { role: string }).role === 'user'))).not.toContain(key);

      const message = h.delivered.find((a) => a.type === 'message')!;
      expect(message.text).toBe(`my key is ${key}`);
      expect(message.value).toEqual({ productKey: key, nested: [key] });
    });

    it('masks a key however deep the card value holds it, within the depth every JSON route admits', async () => {
      h = await harness({ mask: maskKeys });
      const { conversationId, token } = await h.start();
      const key = 'ABCDE-12345-FGHIJ-67890-KLMNO';
      // 40 levels inside `value`: deeper than the 32 at which masking used to stop, under the
      // 64 that src/http/json-depth.ts admits for the whole body.
      let value: unknown = { productKey: key };
      for (let i = 0; i < 40; i++) value = { inner: value };
      const posted = await h.call('POST', `/v3/directline/conversations/${conversationId}/activities`, { token, body: { type: 'message', text: 'card', value } });
      expect(posted.status).toBe(200);
      await h.dl.drain();
      const read = await h.call('GET', `/v3/directline/conversations/${conversationId}/activities`, { token });
      expect(JSON.stringify(read.body.activities)).not.toContain(key);
      expect(JSON.stringify(read.body.activities)).toContain('XXXXX-XXXXX-XXXXX-XXXXX-XXXXX');
    });
  });
});
