import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ETagConflictError, StorageUnavailableError } from '../../src/storage/errors';
import { readModifyWrite } from '../../src/storage/read-modify-write';
import { JournalStore, type JournalStoreOptions } from '../../src/storage/journal-store';

let dir: string;
let store: JournalStore;
let warnings: string[];

const journal = () => path.join(dir, 'journal.log');
const open = (options: JournalStoreOptions = {}) => new JournalStore(dir, { onWarn: (message) => warnings.push(message), ...options });

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ag-journal-'));
  warnings = [];
  store = open();
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Read-modify-write with retry on conflict, as the bot's turn loop does, until it wins. */
const increment = (target: JournalStore, key: string) =>
  readModifyWrite<{ count: number }>(target, key, (current) => ({ ...current, count: current!.count + 1 }), Infinity);

async function reopen(options?: JournalStoreOptions): Promise<void> {
  await store.close();
  store = open(options);
}

test('state survives a restart: a new instance on the same directory reads it, eTags included', async () => {
  await store.write({ 'msteams/conversations/a': { step: 'licence' } });
  const before = (await store.read(['msteams/conversations/a']))['msteams/conversations/a'];
  await reopen();

  const after = (await store.read(['msteams/conversations/a']))['msteams/conversations/a'];

  expect(after).toEqual(before);
  await expect(store.write({ 'msteams/conversations/a': { ...before, step: 'done' } })).resolves.toBeUndefined();
  await expect(store.write({ 'msteams/conversations/a': { ...before, step: 'again' } })).rejects.toBeInstanceOf(ETagConflictError);
});

test('a write is on disk when it resolves: the journal holds it before any close', async () => {
  await store.write({ k: { v: 'durable' } });

  expect(readFileSync(journal(), 'utf8')).toMatch(/^[0-9a-f]{8} "k"\t[^\t]+\t\d{13}\t\{"v":"durable","eTag":"[^"]+"\}\n$/);
});

test('creates the directory, including missing parents', async () => {
  const nested = path.join(dir, 'a', 'b', 'state');
  const nestedStore = new JournalStore(nested);
  await nestedStore.write({ k: { v: 1 } });
  expect(readdirSync(nested).sort()).toEqual(['journal.lock', 'journal.log']);
  await nestedStore.close();
  expect(readdirSync(nested)).toEqual(['journal.log']);
});

test('fails fast with a clear error when the directory cannot be created', () => {
  const file = path.join(dir, 'not-a-directory');
  writeFileSync(file, '');
  expect(() => new JournalStore(path.join(file, 'state'))).toThrow(/cannot use .* as data directory/);
  expect(() => new JournalStore('')).toThrow(TypeError);
});

test('keys of any shape are kept apart: long, differing in case, with tabs, newlines and non-ASCII', async () => {
  const keys = ['x'.repeat(2000), 'Conv', 'conv', 'a\tb', 'a\nb', 'gesprek/ë€😀', ''];
  await store.write(Object.fromEntries(keys.map((key, i) => [key, { v: i, text: `line\n\t${key}` }])));
  await reopen();

  const read = await store.read(keys);

  keys.forEach((key, i) => expect(read[key]).toMatchObject({ v: i, text: `line\n\t${key}` }));
});

test('of 20 concurrent writes carrying the same eTag, exactly one wins', async () => {
  await store.write({ k: { winner: 'none' } });
  const { k: base } = await store.read(['k']);

  const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.write({ k: { ...base, winner: i } })));

  const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  expect(lost).toHaveLength(19);
  for (const { reason } of lost) expect(reason).toBeInstanceOf(ETagConflictError);
  expect((await store.read(['k'])).k.winner).toBe(results.findIndex((r) => r.status === 'fulfilled'));
});

test('no update is lost when concurrent writers retry on conflict, and the count survives a restart', async () => {
  await store.write({ counter: { count: 0 } });
  await Promise.all(Array.from({ length: 20 }, () => increment(store, 'counter')));
  await reopen();

  expect((await store.read(['counter'])).counter.count).toBe(20);
});

test('an item that is not an object is refused', async () => {
  await expect(store.write({ k: 'text' })).rejects.toThrow(TypeError);
});

test('a caller changing its object after write() cannot change what was stored', async () => {
  const item = { v: 1 };
  const written = store.write({ k: item });
  item.v = 2;
  await written;

  expect((await store.read(['k'])).k.v).toBe(1);
});

test('records pushed out of the memory cache are read back from the journal', async () => {
  await reopen({ cacheBytes: 2048 });
  const keys = Array.from({ length: 50 }, (_, i) => `conv/${i}`);
  await store.write(Object.fromEntries(keys.map((key, i) => [key, { v: i, pad: 'x'.repeat(200) }])));

  expect(store.stats().cachedBytes).toBeLessThanOrEqual(2048);
  const read = await store.read(keys);
  keys.forEach((key, i) => expect(read[key].v).toBe(i));
});

test('a line damaged on disk is reported when it is read, not served', async () => {
  await reopen({ cacheBytes: 0 });
  await store.write({ a: { v: 'aaaa' }, b: { v: 'bbbb' } });
  const text = readFileSync(journal(), 'utf8');
  writeFileSync(journal(), text.replace('aaaa', 'aaab'));

  await expect(store.read(['a'])).rejects.toThrow(/damaged at byte 0 \(key "a"\)/);
  expect((await store.read(['b'])).b.v).toBe('bbbb');
});

test('a torn last write (a crash mid-append) is cut off at start, and everything before it is kept', async () => {
  await store.write({ a: { v: 1 } });
  await store.write({ b: { v: 2 } });
  await store.close();
  const size = statSync(journal()).size;
  const torn = '0123abcd "c"\tetag\t{"v":3,"eT';
  appendFileSync(journal(), torn);

  store = open();

  expect(await store.read(['a', 'b', 'c'])).toEqual({ a: expect.objectContaining({ v: 1 }), b: expect.objectContaining({ v: 2 }) });
  expect(statSync(journal()).size).toBe(size);
  expect(warnings).toEqual([expect.stringContaining(`cut off ${torn.length} bytes of an unfinished write`)]);
  await store.write({ c: { v: 3 } });
  await reopen();
  expect((await store.read(['c'])).c.v).toBe(3);
});

test('damage before the last line stops the start with the offset, instead of dropping data', async () => {
  await store.write({ a: { v: 'aaaa' } });
  await store.write({ b: { v: 'bbbb' } });
  await store.close();
  writeFileSync(journal(), readFileSync(journal(), 'utf8').replace('aaaa', 'aaab'));

  expect(() => open()).toThrow(/journal\.log is damaged at byte 0, with valid lines after it/);
  // The failed start released the directory: a repaired journal can be opened by the next start.
  writeFileSync(journal(), readFileSync(journal(), 'utf8').replace('aaab', 'aaaa'));
  store = open();
  expect((await store.read(['a'])).a.v).toBe('aaaa');
});

test('deletes are kept across a restart, and deleting a missing key is not an error', async () => {
  await store.write({ a: { v: 1 }, b: { v: 2 } });
  await store.delete(['a', 'missing']);
  await reopen();

  expect(await store.read(['a', 'b'])).toEqual({ b: expect.objectContaining({ v: 2 }) });
});

test('compaction keeps only the live lines, and every key reads the same before and after a restart', async () => {
  await reopen({ compactAfterBytes: 16 * 1024, cacheBytes: 1024 });
  const keys = Array.from({ length: 20 }, (_, i) => `conv/${i}`);
  for (let round = 0; round < 30; round++) {
    await Promise.all(keys.map((key) => store.write({ [key]: { round, key, pad: 'p'.repeat(100) } })));
    if (round === 10) await store.delete(['conv/0']);
  }
  await store.write({ 'conv/0': { round: 'back' } });

  const { bytes, liveBytes } = store.stats();
  // Without compaction 30 rounds of 20 lines of ~170 bytes would be ~100 KB.
  expect(bytes).toBeLessThan(40 * 1024);
  expect(liveBytes).toBeLessThanOrEqual(bytes);
  const expected = Object.fromEntries(keys.map((key) => [key, key === 'conv/0' ? { round: 'back' } : { round: 29, key }]));
  expect(await store.read(keys)).toMatchObject(expected);
  await reopen();
  expect(await store.read(keys)).toMatchObject(expected);
  expect(readdirSync(dir).sort()).toEqual(['journal.lock', 'journal.log']);
});

test('a compaction that cannot write its new file leaves the journal as it was, and writes go on', async () => {
  await reopen({ compactAfterBytes: 4 * 1024 });
  // Something the store cannot replace sits where the compacted file would go.
  mkdirSync(path.join(dir, 'journal.log.compact', 'in-the-way'), { recursive: true });
  for (let round = 0; round < 40; round++) await store.write({ k: { round, pad: 'p'.repeat(200) } });

  expect(warnings.filter((w) => w.includes('compaction failed')).length).toBeGreaterThan(0);
  expect((await store.read(['k'])).k.round).toBe(39);
  await reopen();
  expect((await store.read(['k'])).k.round).toBe(39);
});

describe('with a TTL', () => {
  const DAY = 86_400_000;
  let clock: number;
  const withTtl = () => reopen({ ttlSeconds: 30 * 86_400, now: () => clock, compactAfterBytes: 1024 });

  beforeEach(async () => {
    clock = Date.parse('2026-11-01T00:00:00Z');
    await withTtl();
  });

  test('an item not written for longer than the TTL is gone, also after a restart; a newer write keeps it', async () => {
    await store.write({ old: { v: 'old' }, kept: { v: 1 } });
    clock += 20 * DAY;
    const kept = (await store.read(['kept'])).kept;
    await store.write({ kept: { ...kept, v: 2 } });
    clock += 11 * DAY;

    expect(await store.read(['old', 'kept'])).toEqual({ kept: expect.objectContaining({ v: 2 }) });
    expect(store.keys()).toEqual(['kept']);
    await withTtl();
    expect(await store.read(['old', 'kept'])).toEqual({ kept: expect.objectContaining({ v: 2 }) });
  });

  test('an expired key can be created again, even with the eTag its old item had', async () => {
    await store.write({ k: { v: 'first' } });
    const { k: first } = await store.read(['k']);
    clock += 31 * DAY;

    await expect(store.write({ k: { v: 'again', eTag: 'ag:absent' } })).resolves.toBeUndefined();
    await expect(store.write({ k: { ...first, v: 'stale' } })).rejects.toBeInstanceOf(ETagConflictError);
    expect((await store.read(['k'])).k.v).toBe('again');
  });

  test('compaction leaves expired items behind', async () => {
    await store.write(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`old/${i}`, { pad: 'p'.repeat(100) }])));
    clock += 31 * DAY;
    for (let i = 0; i < 10; i++) await store.write({ fresh: { i } });

    expect(store.stats().bytes).toBeLessThan(1024);
    expect(readFileSync(journal(), 'utf8')).not.toContain('old/');
    await withTtl();
    expect(store.keys()).toEqual(['fresh']);
  });
});

test('a removed journal makes ping and writes fail as unavailable, and the store recovers once it is back', async () => {
  await store.write({ k: { v: 'kept' } });
  await expect(store.ping()).resolves.toBeUndefined();
  const backup = path.join(os.tmpdir(), `ag-journal-backup-${process.pid}`);
  copyFileSync(journal(), backup);
  rmSync(journal());

  await expect(store.ping()).rejects.toBeInstanceOf(StorageUnavailableError);
  await expect(store.write({ k: { v: 'lost' } })).rejects.toBeInstanceOf(StorageUnavailableError);
  await expect(store.read(['k'])).rejects.toBeInstanceOf(StorageUnavailableError);

  copyFileSync(backup, journal());
  rmSync(backup);
  // The store retries its recovery at most once a second.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  expect((await store.read(['k'])).k.v).toBe('kept');
  await expect(store.ping()).resolves.toBeUndefined();
});

test('close waits for queued writes, and the store refuses work afterwards', async () => {
  const writes = Array.from({ length: 5 }, (_, i) => store.write({ k: { v: i, eTag: '*' } }));

  await store.close();
  await Promise.all(writes);

  expect(readFileSync(journal(), 'utf8').trim().split('\n')).toHaveLength(5);
  await expect(store.read(['k'])).rejects.toBeInstanceOf(StorageUnavailableError);
  await expect(store.ping()).rejects.toBeInstanceOf(StorageUnavailableError);
});

describe('one process per directory', () => {
  test('a second store on an open directory is refused', () => {
    expect(() => open()).toThrow(/already open in this process/);
  });

  test('a lock held by another live process is refused, naming it', async () => {
    await store.close();
    writeFileSync(path.join(dir, 'journal.lock'), String(process.ppid));

    expect(() => open()).toThrow(new RegExp(`in use by process ${process.ppid}.*REDIS_URL`));
    // Once that process's lock is gone, the directory opens.
    rmSync(path.join(dir, 'journal.lock'));
    store = open();
  });

  test('a lock left by a process that is gone is taken over', async () => {
    await store.close();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(path.join(dir, 'journal.lock'), gone.stdout);

    store = open();

    expect(readFileSync(path.join(dir, 'journal.lock'), 'utf8')).toBe(String(process.pid));
  });
});

test('a directory of the former file-per-key store is imported, eTags included, and its files removed', async () => {
  await store.close();
  rmSync(journal());
  const legacy = (key: string) => path.join(dir, `${createHash('sha256').update(key, 'utf8').digest('hex')}.json`);
  writeFileSync(legacy('msteams/conversations/a'), JSON.stringify({ v: 1, key: 'msteams/conversations/a', item: { step: 'licence', eTag: 'old-1' } }));
  writeFileSync(legacy('agent/cases/a'), JSON.stringify({ v: 1, key: 'agent/cases/a', item: { outcome: 'open', eTag: 'old-2' } }));
  writeFileSync(`${legacy('b')}.1234.5678.tmp`, '{"v":1,"key":"b","item":{"v":"to');

  store = open();

  expect(await store.read(['msteams/conversations/a', 'agent/cases/a', 'b'])).toEqual({
    'msteams/conversations/a': { step: 'licence', eTag: 'old-1' },
    'agent/cases/a': { outcome: 'open', eTag: 'old-2' },
  });
  expect(readdirSync(dir).sort()).toEqual(['journal.lock', 'journal.log']);
  expect(warnings).toEqual(['JournalStore: imported 2 stored items from the previous file-per-key layout']);
  await expect(store.write({ 'msteams/conversations/a': { step: 'next', eTag: 'old-1' } })).resolves.toBeUndefined();
  expect(existsSync(legacy('msteams/conversations/a'))).toBe(false);
});
