import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStorage } from 'botbuilder';

import { createStore, isETagConflict } from '../../src/storage/create-store';
import { ETagConflictError, StorageUnavailableError } from '../../src/storage/errors';
import { SqliteStore } from '../../src/storage/sqlite-store';
import { RedisStore } from '../../src/storage/redis-store';

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'ag-create-store-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

test('without a Redis URL, state goes to the SQLite database under DATA_DIR', async () => {
  for (const redisUrl of [undefined, '', '  ']) {
    const store = createStore({ dataDir, redisUrl });
    expect(store).toBeInstanceOf(SqliteStore);
    expect(existsSync(path.join(dataDir, 'state', 'conversations.db'))).toBe(true);
    await store.close();
  }
});

test('with a Redis URL, state goes to Redis', async () => {
  // Port 1 on loopback: nothing listens there, and the test never needs a connection.
  const store = createStore({ dataDir, redisUrl: 'redis://127.0.0.1:1', keyPrefix: 'x:' });
  expect(store).toBeInstanceOf(RedisStore);
  expect((store as RedisStore).keyPrefix).toBe('x:');
  await store.close();
});

test('isETagConflict recognises conflicts from every store, and nothing else', async () => {
  const memory = new MemoryStorage();
  await memory.write({ k: { v: 1 } });
  const { k } = await memory.read(['k']);
  await memory.write({ k });
  const memoryConflict = await memory.write({ k }).catch((err: unknown) => err);

  expect(isETagConflict(memoryConflict)).toBe(true);
  expect(isETagConflict(new ETagConflictError('k'))).toBe(true);
  expect(isETagConflict(Object.assign(new Error('Precondition failed'), { code: 412 }))).toBe(true);
  expect(isETagConflict(new StorageUnavailableError('down'))).toBe(false);
  expect(isETagConflict(new Error('boom'))).toBe(false);
  expect(isETagConflict(undefined)).toBe(false);
  expect(isETagConflict('eTag conflict')).toBe(false);
});
