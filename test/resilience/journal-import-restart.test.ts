import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';
import { SharedConversation, copy, type Endpoint } from '../support/shared-conversation';
import { storedState } from '../support/stored-state';

/**
 * An upgrade from the journal store: DATA_DIR/state holds a journal.log with conversations in
 * the middle of their flow. The new version imports it on its first start, renames it, and the
 * conversations go on where they were; a restart after the import opens cleanly and imports nothing.
 */

jest.setTimeout(120_000);

let before: string;
let after: string;
let connector: FakeConnector;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  before = mkdtempSync(join(tmpdir(), 'ag-import-before-'));
  after = mkdtempSync(join(tmpdir(), 'ag-import-after-'));
  connector = await startFakeConnector();
});

afterAll(async () => {
  for (const s of servers) await s.kill('SIGKILL');
  await connector?.close();
  rmSync(before, { recursive: true, force: true });
  rmSync(after, { recursive: true, force: true });
});

async function start(dataDir: string): Promise<Endpoint & { server: ServerProcess }> {
  const server = await startServerProcess({ PORT: String(await freePort()), DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  servers.push(server);
  return { name: `pid ${server.child.pid}`, url: server.url, connector, server };
}

/** A line exactly as the journal store wrote it: `<crc32> <JSON key>\t<eTag>\t<written at>\t<item JSON>`. */
function journalLine(key: string, eTag: string, item: object): string {
  const payload = `${JSON.stringify(key)}\t${eTag}\t${Date.now()}\t${JSON.stringify({ ...item, eTag })}`;
  return `${crc32(Buffer.from(payload, 'utf8')).toString(16).padStart(8, '0')} ${payload}\n`;
}

const t = (ref: string) => copy('en-US', ref);

test('journal.log is imported on the first start, conversations go on at their step, and a restart after the import opens cleanly', async () => {
  // Conversations stored by a running bot, written out as the journal store kept them.
  let bot = await start(before);
  const chats = Array.from({ length: 3 }, () => new SharedConversation());
  for (const chat of chats) {
    expect((await chat.say(bot, 'activate office')).step).toBe('activate.license');
    expect((await chat.click(bot, t('common:choice.YES'))).step).toBe('activate.apps');
  }
  await bot.server.kill('SIGTERM');
  const stored = await storedState(before);
  mkdirSync(join(after, 'state'));
  writeFileSync(
    join(after, 'state', 'journal.log'),
    Object.entries(stored)
      .map(([key, item], i) => journalLine(key, `journal-${i}`, item as object))
      .join(''),
  );
  writeFileSync(join(after, 'state', 'journal.lock'), '1');

  bot = await start(after);
  expect(bot.server.output()).toMatch(/imported \d+ journal lines/);
  expect(readdirSync(join(after, 'state')).filter((name) => name.startsWith('journal'))).toEqual(['journal.log.imported']);
  for (const chat of chats) {
    const next = await chat.click(bot, t('common:choice.YES'));
    expect({ id: chat.id, step: next.step }).toEqual({ id: chat.id, step: 'activate.signIn' });
    expect(next.text).not.toContain(t('common:notice.restarted'));
  }

  // Restarted: no second import, and the conversations go on from where they got to.
  await bot.server.kill('SIGTERM');
  bot = await start(after);
  expect(bot.server.output()).not.toMatch(/imported/);
  expect(existsSync(join(after, 'state', 'journal.log'))).toBe(false);
  for (const chat of chats) {
    const last = await chat.say(bot, 'yes');
    expect({ id: chat.id, step: last.step }).toEqual({ id: chat.id, step: 'resolved' });
  }
});
