import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';
import { storedState } from '../support/stored-state';
import { startSlowConnector, type SlowConnector } from './slow-connector';

/**
 * The real server process (src/server.ts) gets SIGTERM while a turn is in flight: the turn
 * completes and its reply goes out, queued Direct Line turns run, new requests are refused, the
 * state is on disk, and the process exits 0 well within 10 s.
 */
let dataDir: string;
let slow: SlowConnector;
let server: ServerProcess | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ag-shutdown-'));
  slow = await startSlowConnector(1500);
});
afterAll(async () => {
  await server?.kill('SIGKILL');
  await slow.close();
  rmSync(dataDir, { recursive: true, force: true });
});


test('SIGTERM during a turn: the turn completes, the state is on disk, exit 0 within 10 s', async () => {
  const port = await freePort();
  server = await startServerProcess({ PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  const { url } = server;

  // A Direct Line conversation with three messages queued.
  const started = await fetch(`${url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: 'Bearer undefined' } });
  const { conversationId, token } = (await started.json()) as { conversationId: string; token: string };

  // A turn whose reply takes 1.5 s to be accepted by the channel.
  const conversation = `shutdown-${Date.now()}`;
  const arrived = slow.arrival(conversation);
  const activity = {
    type: 'message',
    id: `${conversation}-1`,
    channelId: 'emulator',
    serviceUrl: slow.url,
    conversation: { id: conversation },
    from: { id: 'user-1' },
    recipient: { id: 'bot' },
    locale: 'en-US',
    text: 'my subscription expired',
  };
  const inFlight = fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  await arrived;

  const dlIds: string[] = [];
  for (const text of ['hello', 'I have an error message', '0x80072efd']) {
    const res = await fetch(`${url}/v3/directline/conversations/${conversationId}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', from: { id: 'dl-user' }, text, locale: 'en-US' }),
    });
    expect(res.status).toBe(200);
    dlIds.push(((await res.json()) as { id: string }).id);
  }

  const signalled = Date.now();
  const exited = server.kill('SIGTERM');
  // While it drains, new work is refused (or, once it has stopped listening, cannot connect).
  await new Promise((resolve) => setTimeout(resolve, 200));
  const late = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...activity, id: 'late' }) }).then(
    (res) => res.status,
    () => 'refused',
  );
  expect([503, 'refused']).toContain(late);

  const response = await inFlight;
  expect(response.status).toBe(200);
  expect(await exited).toEqual({ code: 0, signal: null });
  const tookMs = Date.now() - signalled;
  expect(tookMs).toBeLessThan(10_000);

  // The reply went out before the process ended.
  expect(slow.received.filter((a) => (a.conversation as { id: string }).id === conversation)).toHaveLength(1);

  // The state is on disk: the HTTP turn, and every queued Direct Line turn.
  const stored = await storedState(dataDir);
  expect(stored[`emulator/conversations/${conversation}`]?.seen).toContain(`${conversation}-1`);
  expect(stored[`directline/conversations/${conversationId}`]?.seen).toEqual(expect.arrayContaining(dlIds));

  // And the log says what happened.
  const log = server.output();
  expect(log).toMatch(/"msg":"shutting down"/);
  expect(log).toMatch(/"msg":"stopped"/);
}, 60_000);
