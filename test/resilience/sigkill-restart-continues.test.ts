import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector';
import { storedState } from '../support/stored-state';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';
import { SharedConversation, copy, type Endpoint } from '../support/shared-conversation';

/**
 * The real server, with the embedded SQLite store, is killed with SIGKILL in the middle of a
 * conversation: no shutdown hook runs. Started again on the same data directory, it picks the
 * conversation up at the step it was at, as if nothing had happened.
 */

let dataDir: string;
let connector: FakeConnector;
let port: number;
let server: ServerProcess | undefined;
const servers: ServerProcess[] = [];

/** Starts the server on the same port and data directory, killing the previous one if it still runs. */
async function start(): Promise<Endpoint> {
  await server?.kill('SIGKILL');
  server = await startServerProcess({ PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  servers.push(server);
  return { name: `pid ${server.child.pid}`, url: server.url, connector };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ag-sigkill-'));
  connector = await startFakeConnector();
  port = await freePort();
});

afterAll(async () => {
  for (const s of servers) await s.kill('SIGKILL');
  await connector?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const t = (ref: string) => copy('en-US', ref);

test('killed with SIGKILL after "Yes" to the license question, restarted: the next "Yes" answers the apps question', async () => {
  const chat = new SharedConversation();
  let bot = await start();

  const turns = [
    await chat.say(bot, 'activate office'),
    await chat.click(bot, t('common:choice.YES')),
  ];
  expect(turns.map((r) => [r.status, r.step])).toEqual([
    [200, 'activate.license'],
    [200, 'activate.apps'],
  ]);
  const lastAcknowledged = turns[1].activity;

  const killed = await server!.kill('SIGKILL');
  expect(killed.signal).toBe('SIGKILL');
  await expect(fetch(`${bot.url}/healthz`)).rejects.toThrow();

  bot = await start();
  expect(server!.child.pid).not.toBe(servers[0].child.pid);

  // The channel never got the 200 for all it knows, and redelivers the last activity: no effect.
  const redelivered = await chat.post(bot, lastAcknowledged);
  expect(redelivered.status).toBe(200);
  expect(redelivered.replies.length === 0 || redelivered.step === 'activate.apps').toBe(true);

  // The user answers the question they were asked before the crash.
  const next = await chat.click(bot, t('common:choice.YES'));
  expect(next.status).toBe(200);
  expect(next.step).toBe('activate.signIn');
  expect(next.text).toContain(t('guide:activate.signIn'));
  expect(next.text).not.toContain(t('common:notice.restarted'));

  // And the conversation runs on to its end on the new process.
  const resolved = await chat.click(bot, t('common:choice.YES'));
  expect(resolved.step).toBe('resolved');
  expect(resolved.text).toContain(t('outcome:ask.rating'));
});

test('killed while turns are in flight: every answered turn survives, and the store opens cleanly', async () => {
  // Ten conversations, each answering the license question while the server is killed. Whatever
  // a turn's fate, a turn whose reply reached the channel is on disk.
  let bot = await start();
  const chats = Array.from({ length: 10 }, () => new SharedConversation());
  for (const chat of chats) expect((await chat.say(bot, 'activate office')).step).toBe('activate.license');

  const inFlight = chats.map((chat) => chat.say(bot, 'yes').catch(() => undefined));
  // Kill as soon as the first of them has been answered, so the rest are anywhere in their turn.
  await Promise.race(inFlight);
  await server!.kill('SIGKILL');
  const results = await Promise.all(inFlight);

  // A kill leaves at most an uncommitted transaction in the WAL, which SQLite rolls back on the
  // next open; every committed turn is there.
  const stored = await storedState(dataDir);
  expect(chats.map((chat) => stored[`emulator/conversations/${chat.id}`])).not.toContain(undefined);

  bot = await start();

  for (const [i, chat] of chats.entries()) {
    const acknowledged = (results[i]?.replies.length ?? 0) > 0;
    // Answering the apps question moves a conversation on only if the license answer was saved.
    const next = await chat.say(bot, 'yes');
    expect(next.status).toBe(200);
    if (acknowledged) {
      expect({ chat: i, step: next.step }).toEqual({ chat: i, step: 'activate.signIn' });
    } else {
      expect({ chat: i, step: next.step }).toEqual({ chat: i, step: expect.stringMatching(/^activate\.(apps|signIn)$/) });
    }
    expect(next.text).not.toContain(t('common:notice.restarted'));
  }
  // At least the one that was answered before the kill.
  expect(results.filter((r) => (r?.replies.length ?? 0) > 0).length).toBeGreaterThanOrEqual(1);
});
