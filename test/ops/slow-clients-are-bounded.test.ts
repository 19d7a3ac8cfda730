import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { userActivity } from '../support/bot-harness';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';
import { expected } from '../support/transcript';

/**
 * Clients that send their request body a byte at a time, 50 at once, against the real server
 * process (src/server.ts). Their requests are bounded by REQUEST_TIMEOUT_MS: answered 408 and
 * closed. On SIGTERM, connections still sending are dropped at the drain deadline, the waiting
 * transcript is written and the store closed, and the process exits 0 within its deadline (it
 * exits 1 past it). No wall-clock margins: the server's own answers and exit code say it.
 */
const SLOW_CLIENTS = 50;
// Server processes start slowly on a busy machine; the bounds asserted are the test's own, not jest's.
jest.setTimeout(120_000);

let dataDir: string;
let connector: FakeConnector;
let server: ServerProcess | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ag-slow-'));
  connector = await startFakeConnector();
});
afterAll(async () => {
  await server?.kill('SIGKILL');
  await connector.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface SlowClient {
  /** Resolves when the server closed the connection, with what it answered (if anything). */
  closed: Promise<{ answer: string }>;
  stop(): void;
}

/** Sends the headers of a 4 KB JSON POST, then one byte every 250 ms, until the server hangs up. */
function slowClient(port: number): Promise<SlowClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    let ticker: NodeJS.Timeout | undefined;
    const closed = new Promise<{ answer: string }>((done) => {
      socket.on('close', () => {
        clearInterval(ticker);
        done({ answer });
      });
    });
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', () => {});
    socket.once('connect', () => {
      socket.write(
        'POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{',
        () => resolve({ closed, stop: () => socket.destroy() }),
      );
      ticker = setInterval(() => socket.write(' '), 250);
    });
    socket.once('error', reject);
  });
}

async function post(url: string, body: unknown): Promise<number> {
  const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

/** A message, or with `value` a card button press (no text matching involved). */
const activity = (conversation: string, n: number, text: string, value?: Record<string, string>) =>
  userActivity({ id: conversation, channelId: 'emulator', locale: 'en-US', serviceUrl: connector.url, n }, value ? { value } : { text });

test('50 trickling bodies: each is answered 408 and closed within REQUEST_TIMEOUT_MS, and the server keeps serving', async () => {
  const port = await freePort();
  server = await startServerProcess({ PORT: String(port), DATA_DIR: join(dataDir, 'bounded'), REQUEST_TIMEOUT_MS: '2000', HEADERS_TIMEOUT_MS: '1000' });
  const clients = await Promise.all(Array.from({ length: SLOW_CLIENTS }, () => slowClient(port)));

  // Each is closed by the server with our 408: that answer comes only from REQUEST_TIMEOUT_MS
  // (Node's own check would come after 300 s, past this test's timeout, without our body).
  const outcomes = await Promise.all(clients.map((c) => c.closed));
  for (const o of outcomes) expect(o.answer).toMatch(/^HTTP\/1\.1 408 [\s\S]*the request was not received in time/);

  // Meanwhile and afterwards, an ordinary conversation is served.
  expect(await post(server.url, activity(`bounded-${Date.now()}`, 1, 'my subscription expired'))).toBe(200);
  expect(server.output()).toContain('request not received in time, connection closed');
  await server.kill('SIGTERM');
  server = undefined;
});

test('SIGTERM with 50 trickling bodies open: exit 0 within the deadline, the last turn is in the transcript, and the conversation continues after a restart', async () => {
  const stateDir = join(dataDir, 'shutdown');
  const port = await freePort();
  // The default request bound (20 s) is longer than the shutdown: the drain deadline is what drops them.
  server = await startServerProcess({ PORT: String(port), DATA_DIR: stateDir });
  const conversation = `slow-shutdown-${Date.now()}`;
  expect(await post(server.url, activity(conversation, 1, 'my subscription stopped'))).toBe(200);
  const clients = await Promise.all(Array.from({ length: SLOW_CLIENTS }, () => slowClient(port)));
  // The last turn right before the signal: its transcript is written by the shutdown's flush at the latest.
  expect(await post(server.url, activity(conversation, 2, '', { ag: 'choice', choice: 'EXPIRED', step: 'reactivate.reason' }))).toBe(200);

  const exit = await server.kill('SIGTERM');
  const output = server.output();
  for (const c of clients) c.stop();
  server = undefined;

  // 0, not 1: the server exits 1 when the shutdown overruns its deadline.
  expect(exit).toEqual({ code: 0, signal: null });
  expect(output).toContain('shutdown: dropped connections still sending a request');
  expect(output).not.toContain('shutdown took longer');

  // Restart on the same data: the store was released, the transcript has the last turn, and the
  // conversation goes on from the step it had reached.
  server = await startServerProcess({ PORT: String(await freePort()), DATA_DIR: stateDir });
  const caseId = Buffer.from(`emulator/conversations/${conversation}`, 'utf8').toString('base64url');
  const found = (await (await fetch(`${server.url}/agent/api/cases/${caseId}`)).json()) as { step: string; transcript: Array<{ from: string; html: string }> };
  expect(found.transcript.filter((l) => l.from === 'customer').map((l) => l.html)).toEqual(['my subscription stopped', `[${expected('en-US', 'common:choice.EXPIRED')}]`]);
  expect(found.step).toBe('reactivate.expired');

  expect(await post(server.url, activity(conversation, 3, '', { ag: 'choice', choice: 'CONTINUE', step: 'reactivate.expired' }))).toBe(200);
  const last = connector.repliesTo(conversation).at(-1);
  expect(last?.text).toContain(expected('en-US', 'guide:reactivate.billing'));
});
