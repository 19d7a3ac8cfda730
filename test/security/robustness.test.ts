import { Agent } from 'node:http';
import { buttonsOf, startHarness, type Harness } from '../support/bot-harness';
import { anonymousRequest, authenticatedRequest, send, seeded, type FuzzContext, type RawRequest } from './fuzz';
import { generateKeyPairSync } from 'node:crypto';
import { startLoginServer, type LoginServer } from '../support/login-server';

/**
 * Thousands of generated malformed and hostile requests against /api/messages (anonymous and
 * with credentials), the local Direct Line and every other route, on loopback. Each must get a
 * 2xx/4xx answer (never a 5xx, a reset or a hang), and afterwards the server must be healthy and a
 * normal conversation must still work, over /api/messages and over Direct Line.
 */
const SEED = 0x5eed_0007;
const TOTAL = 3000;
const CONCURRENCY = 20;
const AUTHENTICATED_SHARE = 0.25;
const MAX_BODY_BYTES = 256 * 1024;
const APP_ID = '0b7a6c5d-4e3f-4a2b-9c1d-8e7f6a5b4c3d';

// Generous limits here: the point is to reach the handlers; rate limiting has its own tests.
const HIGH_LIMITS = {
  RATE_LIMIT_CLIENT_RPS: '100000',
  RATE_LIMIT_CLIENT_BURST: '1000000',
  RATE_LIMIT_CONVERSATION_RPS: '100000',
  RATE_LIMIT_CONVERSATION_BURST: '1000000',
};

interface Outcome {
  request: RawRequest;
  status?: number;
  error?: string;
  body?: string;
}

let anon: Harness;
let authed: Harness;
let login: LoginServer;
const silenced: jest.SpyInstance[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  // botbuilder logs rejected tokens and bad activities with console.*; the test counts answers instead.
  for (const method of ['error', 'warn', 'log'] as const) silenced.push(jest.spyOn(console, method).mockImplementation(() => {}));
  process.on('unhandledRejection', onUnhandled);
  anon = await startHarness({ env: { ...HIGH_LIMITS, MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
  // The signing keys come from a loopback OpenID metadata server, named by the documented settings.
  login = await startLoginServer('not-a-real-secret-just-for-tests', { https: false });
  authed = await startHarness({
    env: {
      ...HIGH_LIMITS,
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'not-a-real-secret-just-for-tests',
      ToBotFromChannelOpenIdMetadataUrl: login.channelMetadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: login.emulatorMetadataUrl,
    },
  });
});

afterAll(async () => {
  await login?.close();
  process.off('unhandledRejection', onUnhandled);
  await anon?.close();
  await authed?.close();
  silenced.forEach((s) => s.mockRestore());
});

async function startDirectLine(h: Harness): Promise<{ conversationId: string; token: string }> {
  const res = await fetch(`${h.url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: 'Bearer undefined' } });
  expect(res.status).toBe(201);
  return (await res.json()) as { conversationId: string; token: string };
}

test(`${TOTAL} malformed and hostile requests: no 5xx, still healthy, a conversation still completes`, async () => {
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ctx: FuzzContext = {
    rng: seeded(SEED),
    serviceUrl: anon.connector.url,
    directLine: await Promise.all([1, 2, 3, 4, 5].map(() => startDirectLine(anon))),
    appId: APP_ID,
    trustedToken: (claims) => login.channelToken(claims),
    forgedToken: (claims) => login.channelToken(claims, otherKey),
  };
  // Generated up front, in order, so the run is the same whatever the timing.
  const plan = Array.from({ length: TOTAL }, () =>
    ctx.rng() < AUTHENTICATED_SHARE ? { origin: authed.url, request: authenticatedRequest(ctx) } : { origin: anon.url, request: anonymousRequest(ctx, MAX_BODY_BYTES) },
  );

  // No keep-alive: a request with a lying Content-Length must not poison the next one's socket.
  const agent = new Agent({ keepAlive: false, maxSockets: CONCURRENCY });
  const outcomes: Outcome[] = [];
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < plan.length) {
        const { origin, request } = plan[next++]!;
        try {
          const res = await send(origin, request, agent);
          outcomes.push({ request, status: res.status, body: res.body.slice(0, 300) });
        } catch (err) {
          outcomes.push({ request, error: (err as Error).message });
        }
      }
    }),
  );
  const elapsedMs = Date.now() - started;
  agent.destroy();

  const histogram: Record<string, number> = {};
  const byKind: Record<string, Record<string, number>> = {};
  for (const o of outcomes) {
    const key = o.status !== undefined ? String(o.status) : 'error';
    histogram[key] = (histogram[key] ?? 0) + 1;
    (byKind[o.request.kind] ??= {})[key] = (byKind[o.request.kind]![key] ?? 0) + 1;
  }
  const report = { seed: SEED, requests: outcomes.length, concurrency: CONCURRENCY, elapsedMs, statuses: histogram, byKind };
  process.stdout.write(`robustness: ${JSON.stringify(report)}\n`);

  const failures = outcomes.filter((o) => o.status === undefined || o.status >= 500 || o.status < 200);
  expect(failures.map((f) => ({ kind: f.request.kind, method: f.request.method, path: f.request.path.slice(0, 80), status: f.status, error: f.error, body: f.body }))).toEqual([]);
  expect(outcomes).toHaveLength(TOTAL);
  expect(unhandled).toEqual([]);
  // `__proto__` and `constructor.prototype` keys polluted nothing.
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(({} as Record<string, unknown>).isGroup).toBeUndefined();
  // Every family of requests was exercised, and a good share got as far as a turn.
  expect(Object.keys(byKind).length).toBeGreaterThanOrEqual(20);
  expect(histogram['200'] ?? 0).toBeGreaterThan(TOTAL * 0.1);
  expect(histogram['401'] ?? 0).toBeGreaterThan(TOTAL * AUTHENTICATED_SHARE * 0.8);

  // Still healthy, on both apps.
  for (const h of [anon, authed]) {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
  }
  // The server saw no 5xx either (its own count, not just ours).
  const metrics = await (await fetch(`${anon.url}/metrics`)).text();
  expect(metrics).not.toMatch(/^ag_http_responses_total\{[^}]*status="5\d\d"[^}]*\} [1-9]/m);

  // A normal conversation over /api/messages still completes: greeting, a button, an answer.
  const chat = anon.conversation('en-US');
  const first = await chat.say('hello');
  expect(first.length).toBeGreaterThan(0);
  const [button] = buttonsOf(chat.last());
  expect(button).toBeDefined();
  const second = await chat.click(button!.title);
  expect(second.length).toBeGreaterThan(0);
  expect(chat.lastText()).not.toBe('');

  // And over the local Direct Line.
  const dl = await startDirectLine(anon);
  const posted = await fetch(`${anon.url}/v3/directline/conversations/${dl.conversationId}/activities`, {
    method: 'POST',
    headers: { authorization: `Bearer ${dl.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', from: { id: 'user-after-fuzz' }, text: 'I have an error message', locale: 'en-US' }),
  });
  expect(posted.status).toBe(200);
  let botReplies: unknown[] = [];
  for (let i = 0; i < 50 && botReplies.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const polled = await fetch(`${anon.url}/v3/directline/conversations/${dl.conversationId}/activities`, { headers: { authorization: `Bearer ${dl.token}` } });
    const { activities } = (await polled.json()) as { activities: { type: string; from: { role?: string } }[] };
    botReplies = activities.filter((a) => a.type === 'message' && a.from.role === 'bot');
  }
  expect(botReplies.length).toBeGreaterThan(0);
}, 180_000);
