import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector';
import { eventually } from '../support/shared-conversation';
import { storedState } from '../support/stored-state';

/**
 * The real server process (src/server.ts) gets SIGTERM while a turn is in flight: the turn
 * completes and its reply goes out, queued Direct Line turns run, new requests are refused, the
 * state is on disk, and the process exits 0 (it exits 1 past its own shutdown deadline). No
 * wall-clock waits: the turn is held at the channel until the test has seen the refusal.
 */
let dataDir: string;
let channel: FakeConnector;
let server: ServerProcess | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ag-shutdown-'));
  channel = await startFakeConnector();
});
afterAll(async () => {
  await server?.kill('SIGKILL');
  await channel.close();
  rmSync(dataDir, { recursive: true, force: true });
});


test('SIGTERM during a turn: new requests are refused, the turn completes, the state is on disk, exit 0 within the deadline', async () => {
  const port = await freePort();
  server = await startServerProcess({ PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  const { url } = server;

  // A Direct Line conversation with three messages queued.
  const started = await fetch(`${url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: 'Bearer undefined' } });
  const { conversationId, token } = (await started.json()) as { conversationId: string; token: string };

  // A turn whose reply the channel holds until the test lets it through.
  const conversation = `shutdown-${Date.now()}`;
  const hold = channel.holdReplies([conversation]);
  const activity = {
    type: 'message',
    id: `${conversation}-1`,
    channelId: 'emulator',
    serviceUrl: channel.url,
    conversation: { id: conversation },
    from: { id: 'user-1' },
    recipient: { id: 'bot' },
    locale: 'en-US',
    text: 'my subscription expired',
  };
  const inFlight = fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  await eventually('the turn to reach the channel and be held there', async () => hold.held() === 1);

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

  const exited = server.kill('SIGTERM');
  // Once it has begun to shut down, new work is refused (or, once it stopped listening, cannot connect).
  await eventually('the server to say it is shutting down', async () => /"msg":"shutting down"/.test(server!.output()));
  const late = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...activity, id: 'late' }) }).then(
    (res) => res.status,
    () => 'refused',
  );
  expect([503, 'refused']).toContain(late);

  hold.release();
  const response = await inFlight;
  expect(response.status).toBe(200);
  // 0, not 1: the server exits 1 when the shutdown overruns its deadline.
  expect(await exited).toEqual({ code: 0, signal: null });
  expect(server.output()).not.toContain('shutdown took longer');

  // The reply went out before the process ended.
  expect(channel.repliesTo(conversation)).toHaveLength(1);

  // The state is on disk: the HTTP turn, and every queued Direct Line turn.
  const stored = await storedState(dataDir);
  expect(stored[`emulator/conversations/${conversation}`]?.seen).toContain(`${conversation}-1`);
  expect(stored[`directline/conversations/${conversationId}`]?.seen).toEqual(expect.arrayContaining(dlIds));

  // And the log says what happened.
  const log = server.output();
  expect(log).toMatch(/"msg":"shutting down"/);
  expect(log).toMatch(/"msg":"stopped"/);
}, 60_000);
