import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector';
import { damageLeafPage, unreadableKeys } from '../support/damaged-page';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';
import { SharedConversation, copy, type Endpoint } from '../support/shared-conversation';

/**
 * The real server on the SQLite store. Sixty conversations reach the license question; the server
 * stops; 4 KB of the database file are overwritten, once on a page of conversation rows and once
 * on a page of transcript lines. Started again, the bot tells the users whose conversations were
 * on the damaged page that it lost track, and every other conversation goes on where it was.
 * /readyz says "degraded" with 200, /metrics counts what was lost, and the log says it once.
 */

jest.setTimeout(120_000);

let dataDir: string;
let connector: FakeConnector;
let port: number;
let server: ServerProcess | undefined;

const t = (ref: string) => copy('en-US', ref);
const dbFile = () => join(dataDir, 'state', 'conversations.db');

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ag-damaged-page-'));
  connector = await startFakeConnector();
  port = await freePort();
});

afterAll(async () => {
  await server?.kill('SIGKILL');
  await connector?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<Endpoint> {
  server = await startServerProcess({ PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  return { name: `pid ${server.child.pid}`, url: server.url, connector };
}

/** Every transcript list in the file, by the conversation it belongs to. */
function transcriptKeys(chats: readonly SharedConversation[]): Map<string, SharedConversation> {
  const db = new Database(dbFile(), { readonly: true });
  try {
    const keys = db.prepare<[], string>('SELECT key FROM lists').pluck().all();
    return new Map(keys.flatMap((key) => chats.filter((chat) => key.endsWith(chat.key)).map((chat) => [key, chat] as const)));
  } finally {
    db.close();
  }
}

test('a damaged page costs only the conversations on it; the rest go on, and /readyz, /metrics and the log say so', async () => {
  let bot = await start();
  const chats = Array.from({ length: 60 }, () => new SharedConversation());
  for (const chat of chats) expect((await chat.say(bot, 'my office needs activating')).step).toBe('activate.license');
  // A clean stop: the transcripts waiting to be written are written, and the WAL is folded into the file.
  expect(await server!.kill('SIGTERM')).toEqual({ code: 0, signal: null });

  const chatKeys = new Set(chats.map((chat) => chat.key));
  damageLeafPage(dbFile(), 'items', (key) => chatKeys.has(key));
  const lostChats = new Set(unreadableKeys(dbFile(), 'SELECT value FROM items WHERE key = ?', chats.map((chat) => chat.key)).map((key) => chats.find((chat) => chat.key === key)!));
  const transcripts = transcriptKeys(chats);
  damageLeafPage(dbFile(), 'list_entries');
  const lostTranscripts = unreadableKeys(dbFile(), 'SELECT value FROM list_entries WHERE key = ?', [...transcripts.keys()]).map((key) => transcripts.get(key)!);
  // The damage is real, and small: some conversations, not all.
  expect(lostChats.size).toBeGreaterThan(0);
  expect(lostChats.size).toBeLessThan(chats.length / 2);
  expect(lostTranscripts.length).toBeGreaterThan(0);

  bot = await start();
  const ready = await fetch(`${bot.url}/readyz`);
  expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 200, body: { status: 'degraded', reason: expect.stringContaining('damaged') } });

  for (const chat of chats) {
    if (lostChats.has(chat)) {
      // Typed: nothing in the message says the conversation began earlier; the store knows its row was lost.
      const turn = await chat.say(bot, 'I do have one');
      expect({ id: chat.id, status: turn.status, said: turn.replies.map((r) => r.text).join('\n') }).toEqual({
        id: chat.id,
        status: 200,
        said: expect.stringContaining(t('common:notice.conversationLostTyped')),
      });
    } else {
      const turn = await chat.click(bot, t('common:choice.YES'));
      expect({ id: chat.id, step: turn.step, said: turn.step ? '' : `${turn.status} ${turn.text}\n${server!.output().slice(-3000)}` }).toEqual({ id: chat.id, step: 'activate.apps', said: '' });
    }
  }

  // A hand-off reads the whole transcript; one on a damaged page hands over what is left.
  const handOff = lostTranscripts.find((chat) => !lostChats.has(chat)) ?? lostTranscripts[0]!;
  const escalated = await handOff.click(bot, t('common:choice.AGENT'));
  expect({ status: escalated.status, step: escalated.step }).toEqual({ status: 200, step: 'escalated' });
  expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);

  const metrics = await (await fetch(`${bot.url}/metrics`)).text();
  expect(metrics).toMatch(/^ag_storage_degraded 1$/m);
  const lostItems = Number(/^ag_storage_lost_items (\d+)$/m.exec(metrics)?.[1]);
  // The conversations, and the transcripts (and any case records) on the two pages.
  expect(lostItems).toBeGreaterThanOrEqual(lostChats.size + 1);

  const told = server!.output().split('\n').filter((line) => line.includes('is damaged'));
  expect(told).toHaveLength(1);
  expect(told[0]).toMatch(/The conversations on damaged pages start over.*src\/storage\/README\.md/);
});
