import { MemoryStorage } from 'botbuilder';
import { countStoreErrors, ErrorCountingStore } from '../../src/ops/counted-store';
import { createMetrics } from '../../src/ops/metrics';
import { hasLists, StorageUnavailableError, type ConversationStore, type ListStore } from '../../src/storage/create-store';

/** The store the app uses is a class that hands every call to the real store and counts failures; nothing is patched. */
class FlakyStore extends MemoryStorage implements ConversationStore {
  down = false;
  override async read(keys: string[]) {
    if (this.down) throw new StorageUnavailableError('down');
    return super.read(keys);
  }
  async ping() {
    if (this.down) throw new StorageUnavailableError('down');
  }
  async close() {}
  lostAt(key: string) {
    return key === 'lost' ? 42 : undefined;
  }
}

class FlakyListStore extends FlakyStore implements ListStore {
  async append() {
    throw new StorageUnavailableError('down');
  }
  async list() {
    return { entries: ['a'], dropped: 0 };
  }
}

async function errorCount(metrics: ReturnType<typeof createMetrics>, operation: string): Promise<number> {
  const values = (await metrics.storageErrors.get()).values;
  return values.find((v) => v.labels.operation === operation)?.value ?? 0;
}

test('failures are counted per operation; eTag conflicts are not; the real store is left as it was', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const inner = new FlakyStore();
  const readBefore = inner.read;
  const store = countStoreErrors(inner, metrics.storageErrors);

  await store.write({ a: { v: 1, eTag: '*' } });
  const { a } = await store.read(['a']);
  await expect(store.write({ a: { v: 2, eTag: 'stale' } })).rejects.toThrow(/eTag conflict/);
  inner.down = true;
  await expect(store.read(['a'])).rejects.toBeInstanceOf(StorageUnavailableError);
  await expect(store.ping()).rejects.toBeInstanceOf(StorageUnavailableError);

  expect(a).toMatchObject({ v: 1 });
  expect(await errorCount(metrics, 'read')).toBe(1);
  expect(await errorCount(metrics, 'ping')).toBe(1);
  expect(await errorCount(metrics, 'write')).toBe(0);
  expect(inner.read).toBe(readBefore);
  expect(Object.keys(inner)).not.toContain('read');
  expect(store.lostAt?.('lost')).toBe(42);
  expect(store.damage?.()).toBeUndefined();
});

test('a store with lists stays one, and a store without does not become one', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const plain = countStoreErrors(new FlakyStore(), metrics.storageErrors);
  const lists = countStoreErrors(new FlakyListStore(), metrics.storageErrors);

  expect(plain).toBeInstanceOf(ErrorCountingStore);
  expect(hasLists(plain)).toBe(false);
  expect(hasLists(lists)).toBe(true);
  if (!hasLists(lists)) throw new Error('unreachable');
  await expect(lists.list('k')).resolves.toEqual({ entries: ['a'], dropped: 0 });
  await expect(lists.append('k', ['b'], 10)).rejects.toBeInstanceOf(StorageUnavailableError);
  expect(await errorCount(metrics, 'append')).toBe(1);
});
