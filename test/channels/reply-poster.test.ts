import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Activity } from 'botbuilder';
import { ConnectorClient, TokenCredentials } from 'botframework-connector';
import { postRepliesDirectly } from '../../src/channels/reply-poster';
import { retryAfterMs, statusOf } from '../../src/ops/send-retry';

/**
 * The poster replaces botbuilder's send path for replies, so it is held to what botbuilder's own
 * ConnectorClient does: both post the same call to one loopback channel, and must send the same
 * request and fail in the same way where the retry layer looks.
 */
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

type Answer = (res: ServerResponse) => void;

async function startChannel() {
  const seen: Seen[] = [];
  let answer: Answer = (res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id: `reply-${seen.length}` }));
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/emea/`;
  return {
    url,
    seen,
    answerWith: (next: Answer) => void (answer = next),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Channel = Awaited<ReturnType<typeof startChannel>>;

const activity: Partial<Activity> = {
  type: 'message',
  text: 'Ga naar **Facturering** > **Abonnementen**.',
  textFormat: 'markdown',
  locale: 'nl-NL',
  inputHint: 'expectingInput',
  channelId: 'msteams',
  serviceUrl: 'https://smba.example.invalid/emea/',
  from: { id: '28:bot', name: 'activation-guide' },
  recipient: { id: '29:user', name: 'Ann' },
  conversation: { id: 'a:1xyz;messageid=17', isGroup: false, conversationType: 'personal', name: '' },
  replyToId: '1700000000000',
  attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: 'Kies' }] } }],
};

function clients(url: string, token = 'token-for-the-channel') {
  const options = { baseUri: url };
  const botbuilder = new ConnectorClient(new TokenCredentials(token), options);
  // As in the bot: src/ops/send-retry.ts removes the client's own retry and is the one retry layer.
  (botbuilder as unknown as { client: { pipeline: { removePolicy(o: { name: string }): void } } }).client.pipeline.removePolicy({ name: 'defaultRetryPolicy' });
  return {
    botbuilder,
    poster: postRepliesDirectly(new ConnectorClient(new TokenCredentials(token), options), { env: {} }),
  };
}

let channel: Channel;
beforeEach(async () => {
  channel = await startChannel();
});
afterEach(() => channel.close());

test('a reply goes to the same address, with the same body and token, as through botbuilder, and returns the channel id', async () => {
  const { botbuilder, poster } = clients(channel.url);

  await botbuilder.conversations.replyToActivity('a:1xyz;messageid=17', '1700000000000', activity as Activity);
  const response = await poster.conversations.replyToActivity('a:1xyz;messageid=17', '1700000000000', activity as Activity);

  const [theirs, ours] = channel.seen;
  expect(ours.method).toBe('POST');
  expect(ours.url).toBe(theirs.url);
  expect(ours.url).toBe('/emea/v3/conversations/a%3A1xyz%3Bmessageid%3D17/activities/1700000000000');
  expect(ours.body).toEqual(theirs.body);
  expect(ours.headers.authorization).toBe('Bearer token-for-the-channel');
  expect(ours.headers.authorization).toBe(theirs.headers.authorization);
  expect(ours.headers['content-type']).toMatch(/^application\/json/);
  expect(ours.headers['user-agent']).toContain('botframework-connector');
  expect(response).toEqual({ id: 'reply-2' });
});

test('a message without replyToId goes to the conversation, as through botbuilder', async () => {
  const { botbuilder, poster } = clients(channel.url.replace(/\/$/, ''));
  const proactive = { ...activity, replyToId: undefined };

  await botbuilder.conversations.sendToConversation('19:team@thread.skype', proactive as Activity);
  await poster.conversations.sendToConversation('19:team@thread.skype', proactive as Activity);

  const [theirs, ours] = channel.seen;
  expect(ours.url).toBe(theirs.url);
  expect(ours.url).toBe('/emea/v3/conversations/19%3Ateam%40thread.skype/activities');
  expect(ours.body).toEqual(theirs.body);
});

test('a throttled send fails as botbuilder fails: status 429 and the Retry-After the retry layer honours', async () => {
  const { botbuilder, poster } = clients(channel.url);
  channel.answerWith((res) => {
    res.statusCode = 429;
    res.setHeader('retry-after', '2');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ error: { code: 'Throttled', message: 'slow down' } }));
  });

  const theirs = await botbuilder.conversations.replyToActivity('c1', 'a1', activity as Activity).catch((err: unknown) => err);
  const ours = (await poster.conversations.replyToActivity('c1', 'a1', activity as Activity).catch((err: unknown) => err)) as Error & { code?: string };

  expect(ours).toBeInstanceOf(Error);
  expect(statusOf(ours)).toBe(429);
  expect(statusOf(ours)).toBe(statusOf(theirs));
  expect(retryAfterMs(ours)).toBe(2000);
  expect(retryAfterMs(ours)).toBe(retryAfterMs(theirs));
  expect(ours.code).toBe('Throttled');
  expect(ours.message).toContain('429');
  expect(ours.message).toContain('slow down');
  expect(ours.message).not.toContain('token-for-the-channel');
});

test('a channel that never answers fails the send with ETIMEDOUT, which the retry layer retries', async () => {
  const c = new ConnectorClient(new TokenCredentials('t'), { baseUri: channel.url });
  postRepliesDirectly(c, { env: {}, timeoutMs: 150 });
  const hung: ServerResponse[] = [];
  channel.answerWith((res) => void hung.push(res));

  await expect(c.conversations.replyToActivity('c1', 'a1', activity as Activity)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  for (const res of hung) res.destroy();
});

test('an answer longer than the bound is not read into memory: the send fails', async () => {
  const c = new ConnectorClient(new TokenCredentials('t'), { baseUri: channel.url });
  postRepliesDirectly(c, { env: {}, maxAnswerBytes: 1024 });
  channel.answerWith((res) => res.end(JSON.stringify({ id: 'x'.repeat(64 * 1024) })));

  await expect(c.conversations.replyToActivity('c1', 'a1', activity as Activity)).rejects.toMatchObject({ code: 'ANSWER_TOO_LARGE' });
});

test('a channel that is not listening fails with the connection error code', async () => {
  await channel.close();
  const c = new ConnectorClient(new TokenCredentials('t'), { baseUri: channel.url });
  postRepliesDirectly(c, { env: {} });

  await expect(c.conversations.replyToActivity('c1', 'a1', activity as Activity)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  channel = await startChannel();
});

test('an answer without an id leaves the id to botbuilder (undefined), as a 202 with no body does', async () => {
  const { poster } = clients(channel.url);
  channel.answerWith((res) => {
    res.statusCode = 202;
    res.end();
  });

  await expect(poster.conversations.replyToActivity('c1', 'a1', activity as Activity)).resolves.toBeUndefined();
});

test('with a proxy in the environment the client keeps botbuilder’s pipeline, which honours it', () => {
  const c = new ConnectorClient(new TokenCredentials('t'), { baseUri: channel.url });
  const before = c.conversations.replyToActivity;

  postRepliesDirectly(c, { env: { HTTPS_PROXY: 'http://proxy.example.invalid:3128' } });

  expect(c.conversations.replyToActivity).toBe(before);
});
