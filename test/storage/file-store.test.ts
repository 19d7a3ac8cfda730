import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ETagConflictError, StorageUnavailableError } from '../../src/storage/errors';
import { FileStore } from '../../src/storage/file-store';

let dir: string;
let store: FileStore;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ag-filestore-'));
  store = new FileStore(dir);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Read-modify-write with retry on conflict, as the bot's turn loop does. */
async function increment(target: FileStore, key: string): Promise<void> {
  for (;;) {
    const current = (await target.read([key]))[key];
    try {
      await target.write({ [key]: { ...current, count: current.count + 1 } });
      return;
    } catch (err) {
      if (!(err instanceof ETagConflictError)) {
        throw err;
      }
    }
  }
}

test('state survives a restart: a new instance on the same directory reads it, eTags included', async () => {
  await store.write({ 'msteams/conversations/a': { step: 'licence' } });
  const before = (await store.read(['msteams/conversations/a']))['msteams/conversations/a'];
  await store.close();

  store = new FileStore(dir);
  const after = (await store.read(['msteams/conversations/a']))['msteams/conversations/a'];

  expect(after).toEqual(before);
  await expect(store.write({ 'msteams/conversations/a': { ...before, step: 'done' } })).resolves.toBeUndefined();
  await expect(store.write({ 'msteams/conversations/a': { ...before, step: 'again' } })).rejects.toBeInstanceOf(
    ETagConflictError,
  );
});

test('creates the directory, including missing parents', async () => {
  const nested = path.join(dir, 'a', 'b', 'state');
  const nestedStore = new FileStore(nested);
  await nestedStore.write({ k: { v: 1 } });
  expect(readdirSync(nested)).toHaveLength(1);
  await nestedStore.close();
});

test('fails fast with a clear error when the directory cannot be created', () => {
  const file = path.join(dir, 'not-a-directory');
  writeFileSync(file, '');
  expect(() => new FileStore(path.join(file, 'state'))).toThrow(/cannot use .* as data directory/);
  expect(() => new FileStore('')).toThrow(TypeError);
});

test('leaves only one finished file per key, and no temp files', async () => {
  const keys = Array.from({ length: 10 }, (_, i) => `conv/${i}`);
  await Promise.all(keys.map((key) => store.write({ [key]: { v: 0 } })));
  await Promise.all(keys.map((key) => store.write({ [key]: { v: 1, eTag: '*' } })));
  await store.delete(keys.slice(0, 3));

  const names = readdirSync(dir);
  expect(names).toHaveLength(7);
  for (const name of names) {
    expect(name).toMatch(/^[0-9a-f]{64}\.json$/);
    expect(() => JSON.parse(readFileSync(path.join(dir, name), 'utf8'))).not.toThrow();
  }
});

test('removes temp files left by a crash, and never reads them', async () => {
  await store.write({ k: { v: 'committed' } });
  const [committed] = readdirSync(dir);
  await store.close();
  // What a crash between writing the temp file and renaming it leaves behind.
  writeFileSync(path.join(dir, `${committed}.1234.torn.tmp`), '{"v":1,"key":"k","item":{"v":"to');

  store = new FileStore(dir);

  expect(readdirSync(dir)).toEqual([committed]);
  expect((await store.read(['k'])).k.v).toBe('committed');
});

test('long keys and keys that differ only in case are kept apart', async () => {
  const long = 'x'.repeat(2000);
  await store.write({ [long]: { v: 'long' }, Conv: { v: 'upper' }, conv: { v: 'lower' } });

  const read = await store.read([long, 'Conv', 'conv']);

  expect(read[long].v).toBe('long');
  expect(read.Conv.v).toBe('upper');
  expect(read.conv.v).toBe('lower');
});

test('of 20 concurrent writes carrying the same eTag, exactly one wins', async () => {
  await store.write({ k: { winner: 'none' } });
  const { k: base } = await store.read(['k']);

  const results = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) => store.write({ k: { ...base, winner: i } })),
  );

  const won = results.filter((r) => r.status === 'fulfilled');
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect(won).toHaveLength(1);
  expect(lost).toHaveLength(19);
  for (const { reason } of lost) {
    expect(reason).toBeInstanceOf(ETagConflictError);
  }
  const winner = results.findIndex((r) => r.status === 'fulfilled');
  expect((await store.read(['k'])).k.winner).toBe(winner);
});

test('no update is lost when concurrent writers retry on conflict', async () => {
  // Seeded first: a write without an eTag (like the first one) is unconditional by contract.
  await store.write({ counter: { count: 0 } });
  await Promise.all(Array.from({ length: 20 }, () => increment(store, 'counter')));

  expect((await store.read(['counter'])).counter.count).toBe(20);
});

test('an item that is not an object is refused', async () => {
  await expect(store.write({ k: 'text' })).rejects.toThrow(TypeError);
});

test('a file edited into invalid JSON is reported, not silently dropped', async () => {
  await store.write({ k: { v: 1 } });
  const [name] = readdirSync(dir);
  writeFileSync(path.join(dir, name), 'not json');

  await expect(store.read(['k'])).rejects.toThrow(/is not valid JSON/);
});

test('ping succeeds while the directory is usable, and reports an outage when it is gone', async () => {
  await expect(store.ping()).resolves.toBeUndefined();

  rmSync(dir, { recursive: true, force: true });

  await expect(store.ping()).rejects.toBeInstanceOf(StorageUnavailableError);
  await expect(store.write({ k: { v: 1 } })).rejects.toBeInstanceOf(StorageUnavailableError);
});

test('close waits for queued writes, and the store refuses work afterwards', async () => {
  const writes = Array.from({ length: 5 }, (_, i) => store.write({ k: { v: i, eTag: '*' } }));

  await store.close();
  await Promise.all(writes);

  expect(readdirSync(dir)).toHaveLength(1);
  await expect(store.read(['k'])).rejects.toBeInstanceOf(StorageUnavailableError);
  await expect(store.ping()).rejects.toBeInstanceOf(StorageUnavailableError);
});
