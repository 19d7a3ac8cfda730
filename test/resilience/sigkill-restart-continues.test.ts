import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector';
import { storedState } from '../support/stored-state';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';
import type { ConversationRecord } from '../../src/bot/conversation';
import { SharedConversation, copy, eventually, storedStep, type Endpoint } from '../support/shared-conversation';

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

test('killed while nine turns are committed but not yet answered: those are cut off, every turn is on disk, and the store opens cleanly', async () => {
  // Ten conversations answer the license question. The channel holds the bot's replies to nine
  // of them, so those turns have committed their state and are waiting to send their answer when
  // the server is killed: the kill cuts them off for certain (their requests get no response),
  // rather than whenever the timing happens to allow.
  let bot = await start();
  const chats = Array.from({ length: 10 }, () => new SharedConversation());
  for (const chat of chats) expect((await chat.say(bot, 'activate office')).step).toBe('activate.license');

  const [answered, ...cutOff] = chats;
  const repliesBefore = cutOff.map((chat) => connector.repliesTo(chat.id).length);
  const hold = connector.holdReplies(cutOff.map((chat) => chat.id));
  const inFlight = chats.map((chat) => chat.say(bot, 'yes').catch(() => undefined));
  expect((await inFlight[0])?.step).toBe('activate.apps');
  await eventually('the nine replies to reach the channel and be held there', async () => hold.held() === cutOff.length);
  await server!.kill('SIGKILL');
  const results = await Promise.all(inFlight);

  // Cut off: the channel never got a response to these nine turns, nor their replies.
  expect(results.slice(1)).toEqual(cutOff.map(() => undefined));
  expect(cutOff.map((chat) => connector.repliesTo(chat.id).length)).toEqual(repliesBefore);
  hold.release();

  // SQLite rolls back whatever a kill leaves uncommitted in the WAL; every committed turn is there,
  // the nine cut-off turns included (their state is written before their reply is sent).
  const stored = await storedState(dataDir);
  expect(chats.map((chat) => storedStep(stored[chat.key] as ConversationRecord | undefined))).toEqual(chats.map(() => 'activate.apps'));

  bot = await start();
  for (const chat of [answered!, ...cutOff]) {
    const next = await chat.say(bot, 'yes');
    expect({ id: chat.id, status: next.status, step: next.step }).toEqual({ id: chat.id, status: 200, step: 'activate.signIn' });
    expect(next.text).not.toContain(t('common:notice.restarted'));
  }
});
