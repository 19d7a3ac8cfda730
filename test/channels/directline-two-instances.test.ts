/**
 * The self-hosted Direct Line on two instances sharing one real redis-server, behind a round-robin
 * proxy on loopback, driven by botframework-directlinejs over its default WebSocket stream (the
 * `ws` library stands in for the browser's WebSocket). Each instance has its own bot, which says
 * which instance ran the turn, so the test can see that the posts alternate and that the replies
 * reach the socket whichever instance ran them.
 */
import type { Activity as BotActivity } from 'botbuilder';
import { type Activity, ConnectionStatus, DirectLine } from 'botframework-directlinejs';
import WebSocket from 'ws';
import { createLocalDirectLine, type LocalDirectLine } from '../../src/channels/directline';
import { createRedisState } from '../../src/channels/directline-redis-state';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { startRoundRobinProxy, type RoundRobinProxy } from '../support/round-robin-proxy';
import { useLoopbackXhrForDirectLine } from './support/loopback-xhr';
import { startServer, type TestServer } from './support/server';

const KEY = new TextEncoder().encode('a-test-signing-key-of-32-characters-or-more');

useLoopbackXhrForDirectLine();

interface Instance {
  name: string;
  dl: LocalDirectLine;
  server: TestServer;
  turns: string[];
}

async function startInstance(name: string, redisUrl: string, port = 0): Promise<Instance> {
  const turns: string[] = [];
  const dl = createLocalDirectLine({
    state: createRedisState({ url: redisUrl }),
    tokenKey: KEY,
    deliver: async (activity: Partial<BotActivity>) => {
      if (activity.type !== 'message') return [];
      turns.push(String(activity.text));
      return [{ type: 'message', text: `${name} heard: ${activity.text}`, replyToId: activity.id }];
    },
  });
  const server = await startServer((s) => dl.register(s), port);
  return { name, dl, server, turns };
}

async function stopInstance(instance: Instance): Promise<void> {
  await instance.dl.close();
  await instance.server.close();
}

function portOf(instance: Instance): number {
  return Number(new URL(instance.server.origin).port);
}

function connect(origin: string, token?: string): DirectLine {
  return new DirectLine({
    domain: `${origin}/v3/directline`,
    token,
    webSocket: true,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    // The reconnect after a lost socket waits 3 s plus a random part: no random part here.
    random: () => 0,
  } as ConstructorParameters<typeof DirectLine>[0]);
}

/** Everything the client has received, and a way to wait until a reply to some text has arrived. */
function collect(client: DirectLine): { seen: Activity[]; replyTo(text: string): Promise<Activity> } {
  const seen: Activity[] = [];
  const waiters: Array<() => void> = [];
  client.activity$.subscribe({
    next: (activity) => {
      seen.push(activity);
      for (const wake of waiters.splice(0)) wake();
    },
    // end() in afterEach ends the stream with "conversation ended".
    error: () => undefined,
  });
  return {
    seen,
    async replyTo(text) {
      for (;;) {
        const found = seen.find((a) => a.type === 'message' && a.from.role === 'bot' && (a as { text?: string }).text?.endsWith(`heard: ${text}`));
        if (found) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

function post(client: DirectLine, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.postActivity({ type: 'message', from: { id: 'visitor' }, text } as Activity).subscribe({ next: resolve, error: reject });
  });
}

describe('the self-hosted Direct Line on two instances and one Redis', () => {
  let redis: RedisServer;
  let a: Instance;
  let b: Instance;
  let proxy: RoundRobinProxy;
  let client: DirectLine | undefined;

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.dispose();
  });
  beforeEach(async () => {
    a = await startInstance('A', redis.url);
    b = await startInstance('B', redis.url);
    proxy = await startRoundRobinProxy([portOf(a), portOf(b)]);
  });
  afterEach(async () => {
    client?.end();
    client = undefined;
    await proxy.close();
    await stopInstance(a).catch(() => undefined);
    await stopInstance(b).catch(() => undefined);
  });

  it('holds a conversation over the WebSocket while the posts alternate between the instances', async () => {
    client = connect(proxy.url);
    const inbox = collect(client);
    for (const text of ['one', 'two', 'three', 'four']) {
      await post(client, text);
      await inbox.replyTo(text);
    }
    // Both instances ran turns, and every reply reached the one socket, whichever ran it.
    expect(a.turns.length).toBeGreaterThan(0);
    expect(b.turns.length).toBeGreaterThan(0);
    expect([...a.turns, ...b.turns].sort()).toEqual(['four', 'one', 'three', 'two']);
    expect(proxy.served.filter(([what]) => what.startsWith('UPGRADE'))).toHaveLength(1);
    const texts = inbox.seen.filter((x) => x.type === 'message').map((x) => (x as { text: string }).text.replace(/^[AB] heard/, 'heard'));
    expect(texts).toEqual(['one', 'heard: one', 'two', 'heard: two', 'three', 'heard: three', 'four', 'heard: four']);
    expect(client.connectionStatus$.getValue()).toBe(ConnectionStatus.Online);
  });

  it('survives the instance that started the conversation, and the one holding its socket: nothing lost, nothing shown twice', async () => {
    client = connect(proxy.url);
    const inbox = collect(client);
    await post(client, 'before');
    await inbox.replyTo('before');
    const starter = proxy.served.find(([what]) => what === 'POST /v3/directline/conversations')![1];
    const instances = [a, b];
    const [first, other] = starter === 0 ? [0, 1] : [1, 0];

    // The instance that started the conversation goes away: the other one carries on.
    await stopInstance(instances[first]!);
    await post(client, 'after the starter left');
    await inbox.replyTo('after the starter left');

    // It comes back, and the one that has held the socket since goes away: the client reconnects
    // through the balancer with its watermark and reads what it has not seen, once.
    instances[first] = await startInstance(first === 0 ? 'A' : 'B', redis.url, portOf(instances[first]!));
    [a, b] = instances as [Instance, Instance];
    await stopInstance(instances[other]!);
    await post(client, 'after the socket moved');
    await inbox.replyTo('after the socket moved');

    expect(proxy.served.filter(([what]) => what.startsWith('UPGRADE')).length).toBeGreaterThanOrEqual(2);
    const ids = inbox.seen.map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    const texts = inbox.seen.filter((x) => x.type === 'message').map((x) => (x as { text: string }).text.replace(/^[AB] heard/, 'heard'));
    expect(texts).toEqual([
      'before',
      'heard: before',
      'after the starter left',
      'heard: after the starter left',
      'after the socket moved',
      'heard: after the socket moved',
    ]);
  });

  it('shares token refresh and revocation: a token retired on one instance is refused on the other', async () => {
    const origin = (i: Instance) => i.server.origin;
    const call = async (base: string, method: string, path: string, token?: string) => {
      const res = await fetch(base + path, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
      return { status: res.status, body: (await res.json()) as Record<string, string> };
    };
    const started = await call(origin(a), 'POST', '/v3/directline/conversations');
    const other = await call(origin(a), 'POST', '/v3/directline/conversations');
    const second = await call(origin(b), 'POST', '/v3/directline/tokens/refresh', started.body.token);
    const third = await call(origin(a), 'POST', '/v3/directline/tokens/refresh', second.body.token);
    const path = `/v3/directline/conversations/${started.body.conversationId}/activities`;
    expect((await call(origin(b), 'GET', path, third.body.token)).status).toBe(200);
    expect((await call(origin(b), 'GET', path, second.body.token)).status).toBe(200);
    expect((await call(origin(b), 'GET', path, started.body.token)).status).toBe(401);
    // A token opens only its own conversation, on either instance, stream included.
    expect((await call(origin(b), 'GET', `/v3/directline/conversations/${other.body.conversationId}/activities`, third.body.token)).status).toBe(403);
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${origin(b).replace('http', 'ws')}/v3/directline/conversations/${other.body.conversationId}/stream?t=${third.body.token}`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(refused).toBe(403);
  });
});

describe('the embedded default (in process)', () => {
  it('keeps a conversation going across a restart: the signed token still opens it, and new activities come after the watermark', async () => {
    const deliver = async (activity: Partial<BotActivity>) => (activity.type === 'message' ? [{ type: 'message', text: `heard: ${activity.text}` }] : []);
    const first = createLocalDirectLine({ tokenKey: KEY, deliver });
    const server1 = await startServer((s) => first.register(s));
    const call = async (base: string, method: string, path: string, token?: string, body?: unknown) => {
      const res = await fetch(base + path, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const { body: conversation } = await call(server1.origin, 'POST', '/v3/directline/conversations');
    const path = `/v3/directline/conversations/${conversation.conversationId}/activities`;
    expect((await call(server1.origin, 'POST', path, conversation.token, { type: 'message', text: 'hello' })).status).toBe(200);
    const before = await call(server1.origin, 'GET', path, conversation.token);
    expect(before.body.watermark).toBe('2');
    await first.close();
    await server1.close();

    const second = createLocalDirectLine({ tokenKey: KEY, deliver });
    const server2 = await startServer((s) => second.register(s));
    try {
      const resumed = await call(server2.origin, 'GET', `${path}?watermark=2`, conversation.token);
      expect(resumed.status).toBe(200);
      // Revived empty, numbered on from the clock: above any watermark the client has.
      expect(resumed.body.activities).toEqual([]);
      expect(Number(resumed.body.watermark)).toBeGreaterThan(2);
      const posted = await call(server2.origin, 'POST', path, conversation.token, { type: 'message', text: 'again' });
      expect(posted.status).toBe(200);
      const [postedId, seq] = String(posted.body.id).split('|');
      expect(postedId).toBe(conversation.conversationId);
      expect(Number(seq)).toBeGreaterThan(2);
      const after = await call(server2.origin, 'GET', `${path}?watermark=2`, conversation.token);
      expect(after.body.activities.map((x: { text: string }) => x.text)).toEqual(['again', 'heard: again']);
      // The key is what makes a token: one signed with another key opens nothing.
      const stranger = createLocalDirectLine({ deliver });
      const server3 = await startServer((s) => stranger.register(s));
      expect((await call(server3.origin, 'GET', path, conversation.token)).status).toBe(401);
      await stranger.close();
      await server3.close();
    } finally {
      await second.close();
      await server2.close();
    }
  });
});
