import { startHarness, type Harness } from '../support/bot-harness';
import { startRedisServer, type RedisServer } from '../support/redis-server';

/**
 * Two instances behind a load balancer share one Redis, and an agent's console may reach either on
 * every request. The call script's sessions live in the store, so a call started on one instance
 * goes on on the other, move after move, and survives the instance that started it.
 */

const TOKEN = 'test-agent-token';
let redis: RedisServer;
let a: Harness;
let b: Harness;

beforeAll(async () => {
  redis = await startRedisServer();
  a = await startHarness({ env: { REDIS_URL: redis.url, AGENT_TOKEN: TOKEN } });
  b = await startHarness({ env: { REDIS_URL: redis.url, AGENT_TOKEN: TOKEN } });
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.dispose();
});

async function agent(h: Harness, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${TOKEN}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${h.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Clicks the answer whose English label is `english`, on instance `h`. */
async function click(h: Harness, view: any, english: string): Promise<any> {
  const button = view.choices.find((c: any) => c.english === english);
  if (!button) throw new Error(`no answer "${english}" at ${view.step}; answers: ${view.choices.map((c: any) => c.english).join(' | ')}`);
  const res = await agent(h, 'POST', `/agent/api/sessions/${view.id}/events`, button.send);
  expect(res.status).toBe(200);
  return res.body;
}

test('a call started on one instance goes on on the other, every move on the instance the previous one did not use', async () => {
  const started = await agent(a, 'POST', '/agent/api/sessions', { locale: 'nl-NL' });
  expect(started.status).toBe(201);
  let view = started.body;
  expect(view.step).toBe('start');

  view = await click(b, view, 'My subscription stopped');
  expect(view.step).toBe('reactivate.reason');
  view = await click(a, view, 'It expired');
  expect(view.step).toBe('reactivate.expired');
  view = await click(b, view, 'Continue');
  expect(view.step).toBe('reactivate.billing');

  // Either instance shows the same call, in the customer's language.
  const onA = await agent(a, 'GET', `/agent/api/sessions/${view.id}`);
  const onB = await agent(b, 'GET', `/agent/api/sessions/${view.id}`);
  expect(onA.status).toBe(200);
  expect(onB.body).toEqual(onA.body);
  expect(onA.body.locale).toBe('nl-NL');
  expect(onA.body.path.map((p: any) => p.step)).toEqual(['start', 'reactivate.reason', 'reactivate.expired', 'reactivate.billing']);
});

test('the session outlives the instance that started it', async () => {
  const started = (await agent(a, 'POST', '/agent/api/sessions', { locale: 'en-US' })).body;
  const moved = await click(a, started, 'My subscription stopped');
  await a.close();
  try {
    const view = await agent(b, 'GET', `/agent/api/sessions/${moved.id}`);
    expect(view.status).toBe(200);
    expect(view.body.step).toBe('reactivate.reason');
    expect((await click(b, view.body, 'It expired')).step).toBe('reactivate.expired');
  } finally {
    a = await startHarness({ env: { REDIS_URL: redis.url, AGENT_TOKEN: TOKEN } });
  }
});

test('an unknown session is 404 on every instance', async () => {
  for (const h of [a, b]) expect((await agent(h, 'GET', '/agent/api/sessions/00000000-0000-4000-8000-000000000000')).status).toBe(404);
});
