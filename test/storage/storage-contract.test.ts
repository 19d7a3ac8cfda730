/**
 * botbuilder's Storage contract, ported from botbuilder-js
 * libraries/botbuilder-core/tests/storageBaseTests.js, run against both of our stores and, as the
 * reference they must behave like, botbuilder's own MemoryStorage.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConversationState, MemoryStorage, TestAdapter, type Storage } from 'botbuilder';

import { isETagConflict } from '../../src/storage/create-store';
import { SqliteStore } from '../../src/storage/sqlite-store';
import { RedisStore } from '../../src/storage/redis-store';
import { startRedisServer, type RedisServer } from '../support/redis-server';

interface Subject {
  storage: Storage;
  dispose(): Promise<void>;
}

let redis: RedisServer;
let prefixCounter = 0;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await redis?.dispose();
});

const subjects: Array<[string, () => Subject]> = [
  ['MemoryStorage', () => ({ storage: new MemoryStorage(), dispose: async () => {} })],
  [
    'SqliteStore',
    () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'ag-sqlite-'));
      const store = new SqliteStore(dir);
      return {
        storage: store,
        dispose: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    'RedisStore',
    () => {
      // A fresh prefix per test instead of FLUSHDB, so that tests cannot see each other's keys.
      const store = new RedisStore({ url: redis.url, keyPrefix: `contract${++prefixCounter}:` });
      return { storage: store, dispose: () => store.close() };
    },
  ],
];

describe.each(subjects)('Storage contract: %s', (_name, createSubject) => {
  let subject: Subject;
  let storage: Storage;

  beforeEach(() => {
    subject = createSubject();
    storage = subject.storage;
  });

  afterEach(async () => {
    await subject.dispose();
  });

  test('reading an unknown key returns an empty object', async () => {
    const result = await storage.read(['unknown']);
    expect(result).toEqual({});
  });

  test('reading without keys rejects with a ReferenceError', async () => {
    await expect(storage.read(null as unknown as string[])).rejects.toThrow(
      new ReferenceError('Keys are required when reading.'),
    );
    await expect(storage.read(null as unknown as string[])).rejects.toBeInstanceOf(ReferenceError);
  });

  test('writing without changes rejects with a ReferenceError', async () => {
    await expect(storage.write(null as unknown as Record<string, unknown>)).rejects.toThrow(
      new ReferenceError('Changes are required when writing.'),
    );
    await expect(storage.write(null as unknown as Record<string, unknown>)).rejects.toBeInstanceOf(ReferenceError);
  });

  test('writing no items does not reject', async () => {
    await expect(storage.write([] as unknown as Record<string, unknown>)).resolves.toBeUndefined();
    await expect(storage.write({})).resolves.toBeUndefined();
  });

  test('creates objects and gives them an eTag', async () => {
    const storeItems = { createPoco: { id: 1 }, createPocoStoreItem: { id: 2 } };
    await storage.write(storeItems);

    const read = await storage.read(Object.keys(storeItems));

    expect(read.createPoco.id).toBe(1);
    expect(read.createPocoStoreItem.id).toBe(2);
    expect(typeof read.createPoco.eTag).toBe('string');
    expect(typeof read.createPocoStoreItem.eTag).toBe('string');
  });

  test('handles keys with any characters', async () => {
    const key = '!@#$%^&*()~/\\><,.?\';"`~';
    await storage.write({ [key]: { id: 1 } });

    const read = await storage.read([key]);

    expect(read[key].id).toBe(1);
  });

  test('updates objects: matching eTag, stale eTag, no eTag and *', async () => {
    await storage.write({ pocoItem: { id: 1, count: 1 }, pocoStoreItem: { id: 1, count: 1 } });
    const loaded = await storage.read(['pocoItem', 'pocoStoreItem']);
    const updatePocoItem = loaded.pocoItem;
    delete updatePocoItem.eTag; // a plain object without eTag writes unconditionally
    const updatePocoStoreItem = loaded.pocoStoreItem;
    expect(typeof updatePocoStoreItem.eTag).toBe('string');

    // A matching eTag writes.
    updatePocoItem.count++;
    updatePocoStoreItem.count++;
    await storage.write(loaded);

    const reloaded = await storage.read(['pocoItem', 'pocoStoreItem']);
    expect(typeof reloaded.pocoItem.eTag).toBe('string');
    expect(reloaded.pocoStoreItem.eTag).not.toBe(updatePocoStoreItem.eTag);
    expect(reloaded.pocoItem.count).toBe(2);
    expect(reloaded.pocoStoreItem.count).toBe(2);

    // No eTag: still writes.
    updatePocoItem.count = 123;
    await expect(storage.write({ pocoItem: updatePocoItem })).resolves.toBeUndefined();

    // Stale eTag: rejected, and the stored item is untouched.
    updatePocoStoreItem.count = 123;
    await expect(storage.write({ pocoStoreItem: updatePocoStoreItem })).rejects.toThrow();

    const afterConflict = await storage.read(['pocoItem', 'pocoStoreItem']);
    delete afterConflict.pocoItem.eTag;
    expect(afterConflict.pocoItem.count).toBe(123);
    expect(afterConflict.pocoStoreItem.count).toBe(2);

    // Wildcard eTag: writes unconditionally.
    afterConflict.pocoItem.count = 100;
    afterConflict.pocoStoreItem.count = 100;
    afterConflict.pocoStoreItem.eTag = '*';
    await storage.write({ pocoItem: afterConflict.pocoItem, pocoStoreItem: afterConflict.pocoStoreItem });

    const final = await storage.read(['pocoItem', 'pocoStoreItem']);
    expect(final.pocoItem.count).toBe(100);
    expect(final.pocoStoreItem.count).toBe(100);
  });

  test('a stale eTag fails with botbuilder’s eTag-conflict error', async () => {
    await storage.write({ item: { value: 'first' } });
    const { item: stale } = await storage.read(['item']);
    await storage.write({ item: { ...stale, value: 'second' } });

    const conflict = await storage.write({ item: { ...stale, value: 'third' } }).then(
      () => undefined,
      (err: unknown) => err,
    );

    expect(conflict).toBeInstanceOf(Error);
    expect((conflict as Error).message).toBe('Storage: error writing "item" due to eTag conflict.');
    expect(isETagConflict(conflict)).toBe(true);
    expect((await storage.read(['item'])).item.value).toBe('second');
  });

  test('every write produces a new eTag', async () => {
    const eTags = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const current = (await storage.read(['item'])).item ?? {};
      await storage.write({ item: { ...current, i } });
      eTags.add((await storage.read(['item'])).item.eTag);
    }
    expect(eTags.size).toBe(3);
  });

  test('an eTag on a key that does not exist yet writes, as botbuilder’s SSO de-duplication relies on', async () => {
    await storage.write({ dedup: { eTag: 'exchange-1' } });
    expect((await storage.read(['dedup'])).dedup).toBeDefined();

    await expect(storage.write({ dedup: { eTag: 'exchange-1' } })).rejects.toThrow(/eTag conflict/);
  });

  test('* overwrites whatever is stored', async () => {
    await storage.write({ item: { owner: 'a' } });
    await storage.write({ item: { owner: 'b', eTag: '*' } });
    await storage.write({ item: { owner: 'c', eTag: '*' } });

    expect((await storage.read(['item'])).item.owner).toBe('c');
  });

  test('writing does not change the caller’s objects', async () => {
    const item = { count: 1 };
    await storage.write({ item });
    expect(item).toEqual({ count: 1 });

    const read = await storage.read(['item']);
    read.item.count = 99;
    expect((await storage.read(['item'])).item.count).toBe(1);
  });

  test('deletes objects', async () => {
    await storage.write({ delete1: { id: 1, count: 1 } });
    const read = await storage.read(['delete1']);
    expect(typeof read.delete1.eTag).toBe('string');
    expect(read.delete1.count).toBe(1);

    await storage.delete(['delete1']);

    expect((await storage.read(['delete1'])).delete1).toBeUndefined();
  });

  test('deleting an unknown key does not reject', async () => {
    await expect(storage.delete(['unknown_key'])).resolves.toBeUndefined();
  });

  test('performs batch operations', async () => {
    await storage.write({ batch1: { count: 10 }, batch2: { count: 20 }, batch3: { count: 30 } });

    let result = await storage.read(['batch1', 'batch2', 'batch3']);
    expect(result.batch1.count).toBe(10);
    expect(result.batch2.count).toBe(20);
    expect(result.batch3.count).toBe(30);
    expect(typeof result.batch1.eTag).toBe('string');
    expect(typeof result.batch2.eTag).toBe('string');
    expect(typeof result.batch3.eTag).toBe('string');

    await storage.delete(['batch1', 'batch2', 'batch3']);

    result = await storage.read(['batch1', 'batch2', 'batch3']);
    expect(result).toEqual({});
  });

  test('keeps conversation state across turns through ConversationState', async () => {
    // Stands in for storageBaseTests' waterfall case, which needs botbuilder-dialogs.
    const conversationState = new ConversationState(storage);
    const turns = conversationState.createProperty<number>('turns');
    const adapter = new TestAdapter(async (context) => {
      const count = (await turns.get(context, 0)) + 1;
      await turns.set(context, count);
      await context.sendActivity(`turn ${count}`);
      await conversationState.saveChanges(context);
    });

    await adapter.send('hi').assertReply('turn 1').send('hi').assertReply('turn 2').send('hi').assertReply('turn 3');
  });
});
