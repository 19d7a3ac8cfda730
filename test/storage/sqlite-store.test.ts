import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import Database from 'better-sqlite3';

import { ETagConflictError, StorageUnavailableError } from '../../src/storage/errors';
import { readModifyWrite } from '../../src/storage/read-modify-write';
import { SqliteStore, type SqliteStoreOptions } from '../../src/storage/sqlite-store';
import { damageLeafPage, unreadableKeys } from '../support/damaged-page';

let dir: string;
let store: SqliteStore;
let warnings: string[];

const dbFile = () => path.join(dir, 'conversations.db');
const open = (options: SqliteStoreOptions = {}) => new SqliteStore(dir, { onWarn: (message) => warnings.push(message), ...options });
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ag-sqlite-'));
  warnings = [];
  store = open();
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Read-modify-write with retry on conflict, as the bot's turn loop does, until it wins. */
const increment = (target: SqliteStore, key: string) =>
  readModifyWrite<{ count: number }>(target, key, (current) => ({ ...current, count: current!.count + 1 }), Infinity);

async function reopen(options?: SqliteStoreOptions): Promise<void> {
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

test('a write is committed when it resolves: another connection sees it before any close', async () => {
  await store.write({ k: { v: 'durable' } });

  const other = new Database(dbFile(), { readonly: true });
  const row = other.prepare('SELECT value FROM items WHERE key = ?').get('k') as { value: string };
  other.close();
  expect(JSON.parse(row.value)).toEqual({ v: 'durable' });
});

test('creates the directory, including missing parents, and fails fast when it cannot', async () => {
  const nested = path.join(dir, 'a', 'b', 'state');
  const nestedStore = new SqliteStore(nested);
  await nestedStore.write({ k: { v: 1 } });
  await nestedStore.close();
  expect(readdirSync(nested)).toEqual(['conversations.db']);

  const file = path.join(dir, 'not-a-directory');
  writeFileSync(file, '');
  expect(() => new SqliteStore(path.join(file, 'state'))).toThrow(/cannot use .* as data directory/);
  expect(() => new SqliteStore('')).toThrow(TypeError);
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

test('two stores on one directory (two connections, as two processes have) lose no update', async () => {
  const second = open();
  try {
    await store.write({ counter: { count: 0 } });
    await Promise.all(Array.from({ length: 40 }, (_, i) => increment(i % 2 ? store : second, 'counter')));
    expect((await second.read(['counter'])).counter.count).toBe(40);
  } finally {
    await second.close();
  }
  await reopen();
  expect((await store.read(['counter'])).counter.count).toBe(40);
});

test('an eTag is never handed out twice, even after a delete', async () => {
  await store.write({ k: { v: 1 } });
  const { k: first } = await store.read(['k']);
  await store.delete(['k']);
  await store.write({ k: { v: 2 } });

  await expect(store.write({ k: { ...first, v: 'stale' } })).rejects.toBeInstanceOf(ETagConflictError);
  expect((await store.read(['k'])).k.v).toBe(2);
});

test('an item that is not an object is refused, and a batch with a conflict still writes its other keys', async () => {
  await expect(store.write({ k: 'text' })).rejects.toThrow(TypeError);
  await store.write({ a: { v: 1 } });
  const { a } = await store.read(['a']);
  await store.write({ a: { ...a, v: 2 } });

  await expect(store.write({ a: { ...a, v: 3 }, b: { v: 'b' } })).rejects.toBeInstanceOf(ETagConflictError);
  expect(await store.read(['a', 'b'])).toEqual({ a: expect.objectContaining({ v: 2 }), b: expect.objectContaining({ v: 'b' }) });
});

test('deletes are kept across a restart, and deleting a missing key is not an error', async () => {
  await store.write({ a: { v: 1 }, b: { v: 2 } });
  await store.delete(['a', 'missing']);
  await reopen();

  expect(await store.read(['a', 'b'])).toEqual({ b: expect.objectContaining({ v: 2 }) });
});

test('close waits for queued writes, and the store refuses work afterwards', async () => {
  const writes = Array.from({ length: 5 }, (_, i) => store.write({ [`k${i}`]: { v: i } }));

  await store.close();
  await Promise.all(writes);

  await expect(store.read(['k0'])).rejects.toBeInstanceOf(StorageUnavailableError);
  await expect(store.write({ k: { v: 1 } })).rejects.toBeInstanceOf(StorageUnavailableError);
  await expect(store.ping()).rejects.toBeInstanceOf(StorageUnavailableError);
  store = open();
  expect(Object.keys(await store.read(['k0', 'k1', 'k2', 'k3', 'k4']))).toHaveLength(5);
});

test('a database file removed while open makes ping and writes fail as unavailable, never a silent loss', async () => {
  await store.write({ k: { v: 'kept' } });
  await expect(store.ping()).resolves.toBeUndefined();
  renameSync(dbFile(), `${dbFile()}.moved`);

  await expect(store.ping()).rejects.toThrow(/was removed or replaced while open/);
  await expect(store.write({ k: { v: 'lost' } })).rejects.toBeInstanceOf(StorageUnavailableError);

  renameSync(`${dbFile()}.moved`, dbFile());
  await expect(store.ping()).resolves.toBeUndefined();
  await reopen();
  expect((await store.read(['k'])).k.v).toBe('kept');
});

describe('with a TTL', () => {
  const DAY = 86_400_000;
  let clock: number;
  const withTtl = () => reopen({ ttlSeconds: 30 * 86_400, now: () => clock });

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

  test('an expired key can be created again, and the eTag its old item had is stale', async () => {
    await store.write({ k: { v: 'first' } });
    const { k: first } = await store.read(['k']);
    clock += 31 * DAY;

    await expect(store.write({ k: { v: 'again', eTag: 'ag:absent' } })).resolves.toBeUndefined();
    await expect(store.write({ k: { ...first, v: 'stale' } })).rejects.toBeInstanceOf(ETagConflictError);
    expect((await store.read(['k'])).k.v).toBe('again');
  });

  test('the sweep deletes expired rows from the file, in chunks', async () => {
    await store.write(Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`old/${i}`, { i }])));
    clock += 31 * DAY;
    await store.write({ fresh: { v: 1 } });

    store.sweep();
    await new Promise((resolve) => setTimeout(resolve, 50));

    const db = new Database(dbFile(), { readonly: true });
    const rows = db.prepare('SELECT count(*) FROM items').pluck().get();
    db.close();
    expect(rows).toBe(1);
  });
});

describe('a damaged or unusable file', () => {
  test('a file that is not a database stops the start with a message naming it, and is left as it is', async () => {
    await store.close();
    writeFileSync(dbFile(), 'these are not the conversations you are looking for'.repeat(100));
    const before = sha(dbFile());

    expect(() => open()).toThrow(new RegExp(`${dbFile().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is damaged .*left as it is.*backup.*\\.recover`));
    expect(sha(dbFile())).toBe(before);
    rmSync(dbFile());
    store = open();
  });

  test('a damaged page costs only the conversations on it: told once, counted, moved to new rows, and everything else goes on', async () => {
    const keys = Array.from({ length: 400 }, (_, i) => `conv/${i}`);
    await store.write(Object.fromEntries(keys.map((key, i) => [key, { pad: 'p'.repeat(300), i }])));
    await store.close();
    damageLeafPage(dbFile(), 'items');
    const lost = unreadableKeys(dbFile(), 'SELECT value FROM items WHERE key = ?', keys);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.length).toBeLessThan(40);

    store = open();
    // The start-up check found it, and said so once, with the way to recover.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/conversations\.db is damaged \(start-up quick_check: .*\)\. The conversations on damaged pages start over .*src\/storage\/README\.md.*backup.*\.recover/);
    expect(store.damage()).toEqual({ finding: expect.stringContaining('quick_check'), lostItems: 0 });

    const read = await store.read(keys);
    expect(Object.keys(read).sort()).toEqual(keys.filter((key) => !lost.includes(key)).sort());
    expect(store.damage()!.lostItems).toBe(lost.length);
    for (const key of lost) expect(store.lostAt(key)).toEqual(expect.any(Number));
    expect(store.lostAt(keys.find((key) => !lost.includes(key))!)).toBeUndefined();

    // A lost conversation starts over in a new row; the others are written as before, in one batch with it.
    const survivor = keys.find((key) => !lost.includes(key))!;
    await Promise.all([
      store.write({ [lost[0]!]: { step: 'first question again' } }),
      store.write({ [survivor]: { ...read[survivor], step: 'goes on' } }),
    ]);
    await store.ping();
    expect((await store.read([lost[0]!, survivor]))).toEqual({
      [lost[0]!]: { step: 'first question again', eTag: expect.any(String) },
      [survivor]: { pad: 'p'.repeat(300), i: read[survivor]!.i, step: 'goes on', eTag: expect.any(String) },
    });
    expect(warnings).toHaveLength(1);

    // Another process (or a restart) finds the moved rows where this one put them.
    await reopen();
    expect((await store.read([lost[0]!]))[lost[0]!]).toMatchObject({ step: 'first question again' });
    expect(store.lostAt(lost[1] ?? lost[0]!)).toEqual(expect.any(Number));
    expect(store.keys()).toContain(lost[0]);
  });

  test('a write to a conversation on a damaged page that nobody read first fails neither it nor the writes batched with it', async () => {
    const keys = Array.from({ length: 400 }, (_, i) => `conv/${i}`);
    await store.write(Object.fromEntries(keys.map((key, i) => [key, { pad: 'p'.repeat(300), i }])));
    await store.close();
    damageLeafPage(dbFile(), 'items');
    const lost = unreadableKeys(dbFile(), 'SELECT value FROM items WHERE key = ?', keys);
    store = open();

    const others = keys.filter((key) => !lost.includes(key)).slice(0, 5);
    await Promise.all([store.write({ [lost[0]!]: { v: 'new' } }), ...others.map((key) => store.write({ [key]: { v: 'also' } })), store.delete([lost[1] ?? lost[0]!])]);

    expect((await store.read([lost[0]!, ...others]))).toEqual(
      Object.fromEntries([lost[0]!, ...others].map((key) => [key, { v: key === lost[0] ? 'new' : 'also', eTag: expect.any(String) }])),
    );
  });

  test('a damaged transcript page: that transcript starts over, saying how many lines it had, and the others are whole', async () => {
    const lists = Array.from({ length: 40 }, (_, i) => `transcript/${i}`);
    for (const key of lists) await store.append(key, Array.from({ length: 20 }, (_, n) => ({ n, text: 't'.repeat(100) })), 50);
    await store.close();
    damageLeafPage(dbFile(), 'list_entries');
    const lost = unreadableKeys(dbFile(), 'SELECT value FROM list_entries WHERE key = ?', lists);
    expect(lost.length).toBeGreaterThan(0);

    store = open();
    expect(await store.list(lost[0]!)).toEqual({ entries: [], dropped: 20 });
    await store.append(lost[0]!, [{ n: 20 }], 50);
    expect(await store.list(lost[0]!)).toEqual({ entries: [{ n: 20 }], dropped: 20 });
    for (const key of lists.filter((k) => !lost.includes(k))) expect((await store.list(key)).entries).toHaveLength(20);
    await store.ping();
  });

  test('a file that cannot be opened gives a message naming it', async () => {
    await store.close();
    rmSync(dbFile());
    mkdirSync(dbFile());

    expect(() => open()).toThrow(/cannot (open|use) .*conversations\.db.*may read and write/);
    rmSync(dbFile(), { recursive: true });
    store = open();
  });

  test('a directory the bot may not write is refused at start', async () => {
    await store.close();
    chmodSync(dir, 0o500);
    try {
      expect(openWithoutPrivileges()).toMatch(/cannot use .* as data directory/);
    } finally {
      chmodSync(dir, 0o700);
    }
    store = open();
  });
});

/**
 * Opens the store on `dir` as a process that file permissions apply to, and returns the error it
 * threw. Root may write anywhere (CAP_DAC_OVERRIDE), and `npm test` runs as root, so then the store
 * is opened in a child process without that capability (setpriv); otherwise in this one.
 */
function openWithoutPrivileges(): string {
  const script = `try { new (require('./src/storage/sqlite-store').SqliteStore)(${JSON.stringify(dir)}); process.stdout.write('opened') } catch (err) { process.stdout.write(err.message) }`;
  if (process.getuid?.() !== 0) {
    try {
      open();
      return 'opened';
    } catch (err) {
      return (err as Error).message;
    }
  }
  const result = spawnSync(
    'setpriv',
    ['--bounding-set', '-dac_override,-dac_read_search', '--', process.execPath, '-r', 'ts-node/register/transpile-only', '-e', script],
    { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8' },
  );
  if (result.error || result.status !== 0) throw new Error(`could not run the store without root's privileges (setpriv): ${String(result.error ?? result.stderr)}`);
  return result.stdout;
}

describe('importing the journal store', () => {
  /** A journal line exactly as the journal store wrote it. */
  const line = (key: string, eTag: string, at: number, item?: object) => {
    const payload = `${JSON.stringify(key)}\t${eTag}\t${item ? at : ''}\t${item ? JSON.stringify({ ...item, eTag }) : ''}`;
    const bytes = Buffer.from(payload, 'utf8');
    return `${crc32(bytes).toString(16).padStart(8, '0')} ${payload}\n`;
  };

  beforeEach(async () => {
    await store.close();
    rmSync(dbFile());
    warnings = [];
  });

  test('journal.log is imported once (last line of a key wins, deletes apply, a torn tail is skipped), renamed, and a restart opens cleanly', async () => {
    const at = Date.now();
    writeFileSync(
      path.join(dir, 'journal.log'),
      line('msteams/conversations/a', 'j-1', at, { step: 'licence' }) +
        line('agent/cases/a', 'j-2', at, { outcome: 'open' }) +
        line('msteams/conversations/a', 'j-3', at, { step: 'account' }) +
        line('gone', 'j-4', at, { v: 1 }) +
        line('gone', '', at) +
        '0123abcd "torn"\tj-5\t17',
    );
    writeFileSync(path.join(dir, 'journal.lock'), '1');

    store = open();

    expect(await store.read(['msteams/conversations/a', 'agent/cases/a', 'gone', 'torn'])).toEqual({
      'msteams/conversations/a': { step: 'account', eTag: expect.any(String) },
      'agent/cases/a': { outcome: 'open', eTag: expect.any(String) },
    });
    expect(readdirSync(dir).filter((n) => n.startsWith('journal')).sort()).toEqual(['journal.log.imported']);
    expect(warnings).toEqual([expect.stringContaining('imported 5 journal lines')]);

    // A restart after the import neither imports again nor complains, and the data is all there.
    const { 'msteams/conversations/a': a } = await store.read(['msteams/conversations/a']);
    await store.write({ 'msteams/conversations/a': { ...a, step: 'done' } });
    await reopen();
    expect(warnings).toHaveLength(1);
    expect((await store.read(['msteams/conversations/a']))['msteams/conversations/a']).toMatchObject({ step: 'done' });
  });

  test('a journal.log found again after its import committed is not replayed over newer writes', async () => {
    writeFileSync(path.join(dir, 'journal.log'), line('k', 'j-1', Date.now(), { v: 'journal' }));
    store = open();
    await store.write({ k: { v: 'newer' } });
    await store.close();
    // As if the rename had not happened (a crash right after the commit, or a copy put back).
    renameSync(path.join(dir, 'journal.log.imported'), path.join(dir, 'journal.log'));

    store = open();

    expect((await store.read(['k'])).k.v).toBe('newer');
    expect(existsSync(path.join(dir, 'journal.log'))).toBe(false);
  });

  test('with a TTL, journal lines older than the TTL are not imported', async () => {
    const now = Date.parse('2026-11-20T00:00:00Z');
    writeFileSync(path.join(dir, 'journal.log'), line('old', 'j-1', now - 40 * 86_400_000, { v: 1 }) + line('new', 'j-2', now - 86_400_000, { v: 2 }));

    store = open({ ttlSeconds: 30 * 86_400, now: () => now });

    expect(Object.keys(await store.read(['old', 'new']))).toEqual(['new']);
  });

  test('a journal damaged before its end stops the start, naming the byte, and nothing is imported or renamed', async () => {
    const first = line('a', 'j-1', Date.now(), { v: 'aaaa' });
    writeFileSync(path.join(dir, 'journal.log'), first.replace('aaaa', 'aaab') + line('b', 'j-2', Date.now(), { v: 'b' }));

    expect(() => open()).toThrow(/journal\.log is damaged at byte 0, so it was not imported and nothing was changed/);
    expect(existsSync(path.join(dir, 'journal.log'))).toBe(true);
    const db = new Database(dbFile(), { readonly: true });
    expect(db.prepare('SELECT count(*) FROM items').pluck().get()).toBe(0);
    db.close();

    // Repaired, it imports.
    writeFileSync(path.join(dir, 'journal.log'), first + line('b', 'j-2', Date.now(), { v: 'b' }));
    store = open();
    expect(Object.keys(await store.read(['a', 'b'])).sort()).toEqual(['a', 'b']);
  });

  test('the older file-per-key layout is imported and its files removed; one that cannot be read stays', async () => {
    const legacy = (key: string) => path.join(dir, `${createHash('sha256').update(key, 'utf8').digest('hex')}.json`);
    writeFileSync(legacy('msteams/conversations/a'), JSON.stringify({ v: 1, key: 'msteams/conversations/a', item: { step: 'licence', eTag: 'old-1' } }));
    writeFileSync(legacy('agent/cases/a'), JSON.stringify({ v: 1, key: 'agent/cases/a', item: { outcome: 'open', eTag: 'old-2' } }));
    writeFileSync(`${legacy('b')}.1234.5678.tmp`, '{"v":1,"key":"b","item":{"v":"to');
    writeFileSync(legacy('c'), '{"v":1,"key":"c","it');

    store = open();

    expect(await store.read(['msteams/conversations/a', 'agent/cases/a', 'b', 'c'])).toEqual({
      'msteams/conversations/a': { step: 'licence', eTag: expect.any(String) },
      'agent/cases/a': { outcome: 'open', eTag: expect.any(String) },
    });
    expect(readdirSync(dir).filter((name) => !/-(wal|shm)$/.test(name)).sort()).toEqual(['conversations.db', path.basename(legacy('c'))].sort());
    expect(warnings.some((w) => w.includes('could not import') && w.includes(path.basename(legacy('c'))))).toBe(true);
    await reopen();
    expect(Object.keys(await store.read(['msteams/conversations/a', 'agent/cases/a'])).sort()).toEqual(['agent/cases/a', 'msteams/conversations/a']);
  });
});
