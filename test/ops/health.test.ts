import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { startHarness, type Harness } from '../support/bot-harness';
import { storedState } from '../support/stored-state';
import { startSlowConnector, type SlowConnector } from './slow-connector';

/** GET /healthz (alive) and GET /readyz (the store answers), and what they say while shutting down. */
describe('probes', () => {
  let h: Harness;
  beforeAll(async () => (h = await startHarness()));
  afterAll(() => h.close());

  test('GET /healthz says the process is alive', async () => {
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('GET /readyz says the store answers', async () => {
    const res = await fetch(`${h.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
  });

  test('GET /readyz is 503 when the store is gone (here: its directory removed)', async () => {
    const other = await startHarness();
    try {
      rmSync(join(other.dataDir, 'state'), { recursive: true, force: true });
      const res = await fetch(`${other.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', reason: 'storage does not answer' });
      expect((await fetch(`${other.url}/healthz`)).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('closing the app (what SIGTERM does)', () => {
  let h: Harness;
  let slow: SlowConnector;
  beforeAll(async () => {
    h = await startHarness();
    slow = await startSlowConnector(800);
  });
  afterAll(async () => {
    await slow.close();
    await h.connector.close();
    rmSync(h.dataDir, { recursive: true, force: true });
  });

  test('refuses new work with 503, finishes the turn in flight, then closes the store', async () => {
    const chat = h.conversation('en-US');
    const arrived = slow.arrival(chat.id);
    const inFlight = h.post(chat.activity({ text: 'my subscription expired', serviceUrl: slow.url }));
    await arrived; // the turn is saving/sending now

    const closing = h.app.close();
    const [ready, alive, refused] = await Promise.all([
      fetch(`${h.url}/readyz`),
      fetch(`${h.url}/healthz`),
      fetch(`${h.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(h.conversation().activity({ text: 'hi' })) }),
    ]);
    expect(ready.status).toBe(503);
    expect(alive.status).toBe(200);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('connection')).toBe('close');

    expect((await inFlight).status).toBe(200);
    await closing;
    expect(slow.received.filter((a) => (a.conversation as { id: string }).id === chat.id)).toHaveLength(1);

    expect(Object.keys(await storedState(h.dataDir))).toContain(`emulator/conversations/${chat.id}`);
    await expect(fetch(`${h.url}/healthz`)).rejects.toThrow(); // no longer listening
  });
});

test('closing with Direct Line turns queued runs them first, while their replies can still come back', async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (chunk.toString().split('\n').filter(Boolean).forEach((l) => lines.push(JSON.parse(l))), cb()) });
  const h = await startHarness({ logger: createLogger('info', sink) });
  try {
    const start = await fetch(`${h.url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: 'Bearer undefined' } });
    const { conversationId, token } = (await start.json()) as { conversationId: string; token: string };
    const ids: string[] = [];
    for (const text of ['hello', 'I have an error message', '0x80072efd', 'yes', 'start over']) {
      const res = await fetch(`${h.url}/v3/directline/conversations/${conversationId}/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', from: { id: 'u' }, text, locale: 'en-US' }),
      });
      ids.push(((await res.json()) as { id: string }).id);
    }
    await h.app.close(); // at once: the turns are still queued

    expect((await storedState(h.dataDir))[`directline/conversations/${conversationId}`]?.seen).toEqual(expect.arrayContaining(ids));
    const turns = lines.filter((l) => l.msg === 'turn' && l.conversation === `directline/conversations/${conversationId}`);
    expect(turns.filter((t) => t.activityType === 'message').map((t) => t.kind)).toEqual(['turn', 'turn', 'turn', 'turn', 'turn']);
    expect(lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
  } finally {
    await h.connector.close();
    rmSync(h.dataDir, { recursive: true, force: true });
  }
});
