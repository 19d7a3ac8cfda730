/**
 * Lists (`append`/`list`), which both of our stores have, so that a transcript grows by a row
 * (SQLite) or an element (Redis) per line instead of being rewritten whole on every turn.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MemoryStorage } from 'botbuilder';

import { CaseLog, type CaseRecord } from '../../src/agent/case-log';
import { hasLists, type ConversationStore, type ListStore } from '../../src/storage/create-store';
import { RedisStore } from '../../src/storage/redis-store';
import { SqliteStore } from '../../src/storage/sqlite-store';
import { startRedisServer, type RedisServer } from '../support/redis-server';

type Subject = ConversationStore & ListStore;

let redis: RedisServer;
let prefixCounter = 0;
const dirs: string[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await redis?.dispose();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const subjects: Array<[string, (ttlSeconds?: number) => Subject]> = [
  [
    'SqliteStore',
    (ttlSeconds) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'ag-lists-'));
      dirs.push(dir);
      return new SqliteStore(dir, { ttlSeconds });
    },
  ],
  ['RedisStore', (ttlSeconds) => new RedisStore({ url: redis.url, keyPrefix: `lists${++prefixCounter}:`, ttlSeconds })],
];

describe.each(subjects)('lists: %s', (_name, create) => {
  let store: Subject;
  beforeEach(() => {
    store = create();
  });
  afterEach(() => store.close());

  test('an unknown list is empty; appends come back in order, as they were', async () => {
    expect(await store.list('t')).toEqual({ entries: [], dropped: 0 });
    await store.append('t', [{ n: 1 }, { n: 2, text: 'twee\n€' }], 10);
    await store.append('t', [{ n: 3 }], 10);

    expect(await store.list('t')).toEqual({ entries: [{ n: 1 }, { n: 2, text: 'twee\n€' }, { n: 3 }], dropped: 0 });
  });

  test('keeps the newest `keep` entries and counts the ones it dropped', async () => {
    for (let n = 1; n <= 7; n++) await store.append('t', [n], 3);
    await store.append('t', [8, 9], 3);

    expect(await store.list('t')).toEqual({ entries: [7, 8, 9], dropped: 6 });
  });

  test('lists are apart from items and from each other, and delete(key) removes a list', async () => {
    await store.write({ t: { item: true } });
    await store.append('t', ['line'], 5);
    await store.append('u', ['other'], 5);

    expect((await store.read(['t'])).t.item).toBe(true);
    await store.delete(['t']);

    expect(await store.read(['t'])).toEqual({});
    expect(await store.list('t')).toEqual({ entries: [], dropped: 0 });
    expect((await store.list('u')).entries).toEqual(['other']);
  });

  test('concurrent appends to one list all land', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, n) => store.append('t', [n], 100)));

    expect(((await store.list('t')).entries as number[]).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  test('a keep that is not a positive whole number is refused', async () => {
    await expect(store.append('t', ['x'], 0)).rejects.toThrow(TypeError);
  });
});

test('with a TTL, a list is forgotten that long after its last append (SQLite, on its clock)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ag-lists-ttl-'));
  dirs.push(dir);
  let clock = Date.parse('2026-11-01T00:00:00Z');
  const store = new SqliteStore(dir, { ttlSeconds: 3600, now: () => clock });
  try {
    await store.append('old', ['a'], 5);
    await store.append('kept', ['a'], 5);
    clock += 3000_000;
    await store.append('kept', ['b'], 5);
    clock += 1000_000;

    expect(await store.list('old')).toEqual({ entries: [], dropped: 0 });
    expect(await store.list('kept')).toEqual({ entries: ['a', 'b'], dropped: 0 });
    // An append to an expired list starts a new one.
    await store.append('old', ['new'], 5);
    expect((await store.list('old')).entries).toEqual(['new']);
    clock += 4000_000;
    store.sweep();
    const db = new Database(path.join(dir, 'conversations.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) FROM list_entries').pluck().get()).toBe(0);
    db.close();
  } finally {
    await store.close();
  }
});

test('with a TTL, Redis lists carry it', async () => {
  const store = new RedisStore({ url: redis.url, keyPrefix: `lists-ttl:`, ttlSeconds: 600 });
  try {
    await store.append('t', ['a', 'b', 'c'], 2);
    const { execFileSync } = await import('node:child_process');
    const ttl = (key: string) => Number(execFileSync('redis-cli', ['-u', redis.url, 'TTL', key], { encoding: 'utf8' }).trim());
    expect(ttl('lists-ttl:list:t')).toBeGreaterThan(500);
    expect(ttl('lists-ttl:list-dropped:t')).toBeGreaterThan(500);
  } finally {
    await store.close();
  }
});

describe('a transcript grows by its new lines', () => {
  const change = (current: CaseRecord | undefined): CaseRecord => ({ ...(current ?? ({ userTurns: 0 } as CaseRecord)), userTurns: (current?.userTurns ?? 0) + 1 });
  const line = (n: number) => ({ at: new Date(0).toISOString(), from: 'customer' as const, text: `line ${n} ${'x'.repeat(1000)}` });

  test('on SQLite: a row per line, never the whole transcript again, and what an agent reads is unchanged', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ag-transcript-'));
    dirs.push(dir);
    const store = new SqliteStore(dir);
    expect(hasLists(store)).toBe(true);
    const log = new CaseLog(store, { maxLines: 5 });
    try {
      for (let n = 1; n <= 7; n++) await log.record('c1', [line(n)], change);

      const db = new Database(path.join(dir, 'conversations.db'), { readonly: true });
      const rows = db.prepare("SELECT count(*) FROM list_entries WHERE key = 'agent/transcripts/c1'").pluck().get();
      const whole = db.prepare("SELECT count(*) FROM items WHERE key = 'agent/transcripts/c1'").pluck().get();
      db.close();
      expect(rows).toBe(5);
      expect(whole).toBe(0);
      const found = await log.get('c1');
      expect(found?.transcript.map((l) => l.text.slice(0, 6))).toEqual(['line 3', 'line 4', 'line 5', 'line 6', 'line 7']);
      expect(found?.dropped).toBe(2);
    } finally {
      await store.close();
    }
  });

  test('a transcript stored whole before (imported) is read first, then the new lines', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ag-transcript-'));
    dirs.push(dir);
    const store = new SqliteStore(dir);
    try {
      await store.write({ 'agent/transcripts/c1': { conversationKey: 'c1', lines: [line(1), line(2)], dropped: 4 } });
      const log = new CaseLog(store, { maxLines: 10 });
      const { transcript } = await log.record('c1', [line(3)], change);

      expect(transcript.map((l) => l.text.slice(0, 6))).toEqual(['line 1', 'line 2', 'line 3']);
      expect((await log.get('c1'))?.dropped).toBe(4);
    } finally {
      await store.close();
    }
  });

  test('a store without lists (botbuilder’s MemoryStorage) still keeps the whole transcript', async () => {
    const log = new CaseLog(new MemoryStorage(), { maxLines: 2 });
    for (let n = 1; n <= 3; n++) await log.record('c1', [line(n)], change);

    const found = await log.get('c1');
    expect(found?.transcript.map((l) => l.text.slice(0, 6))).toEqual(['line 2', 'line 3']);
    expect(found?.dropped).toBe(1);
  });
});
