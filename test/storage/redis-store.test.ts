import Redis from 'ioredis';

import { isETagConflict } from '../../src/storage/create-store';
import { ETagConflictError, StorageUnavailableError } from '../../src/storage/errors';
import { readModifyWrite } from '../../src/storage/read-modify-write';
import { RedisStore } from '../../src/storage/redis-store';
import { startRedisServer, type RedisServer } from '../support/redis-server';

/** Generous bound that only catches a hang; it is not a performance assertion. */
const NO_HANG_MS = 10_000;

let server: RedisServer;
const stores: RedisStore[] = [];
let prefixCounter = 0;

beforeAll(async () => {
  // Persistent, so that the outage test can check that nothing stored is lost over a restart.
  server = await startRedisServer({ persistent: true });
});

afterEach(async () => {
  // In case a test failed during an outage.
  server.thaw();
  await server.start();
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

afterAll(async () => {
  await server?.dispose();
});

function newStore(options: Partial<ConstructorParameters<typeof RedisStore>[0]> = {}): RedisStore {
  const store = new RedisStore({ url: server.url, keyPrefix: `redis${++prefixCounter}:`, ...options });
  stores.push(store);
  return store;
}

/** Settles with the error (or undefined), failing the test if the promise hangs. */
async function outcome(promise: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${NO_HANG_MS} ms`)), NO_HANG_MS);
  });
  try {
    return await Promise.race([promise.then(() => undefined, (err: unknown) => err), hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until the store answers again after an outage. */
async function waitUntilAvailable(store: RedisStore): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await store.ping();
      return;
    } catch (err) {
      if (!(err instanceof StorageUnavailableError) || Date.now() > deadline) {
        throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Read-modify-write with retry on conflict, as the bot's turn loop does, until it wins. */
const increment = (target: RedisStore, key: string) =>
  readModifyWrite<{ count: number }>(target, key, (current) => ({ ...current, count: current!.count + 1 }), Infinity);

test('stores JSON with its eTag under the key prefix, with the configured TTL', async () => {
  const store = newStore({ keyPrefix: 'ag-test:', ttlSeconds: 3600 });
  await store.write({ 'msteams/conversations/a': { step: 'licence' } });

  const raw = new Redis(server.url);
  try {
    const value = JSON.parse((await raw.get('ag-test:msteams/conversations/a')) ?? 'null');
    expect(value).toEqual({ step: 'licence', eTag: expect.any(String) });
    const ttl = await raw.ttl('ag-test:msteams/conversations/a');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3600);
  } finally {
    raw.disconnect();
  }
});

test('uses the ag: prefix by default and no TTL', async () => {
  const store = new RedisStore({ url: server.url });
  stores.push(store);
  await store.write({ 'default-prefix-test': { v: 1 } });

  const raw = new Redis(server.url);
  try {
    expect(await raw.exists('ag:default-prefix-test')).toBe(1);
    expect(await raw.ttl('ag:default-prefix-test')).toBe(-1);
    await raw.del('ag:default-prefix-test');
  } finally {
    raw.disconnect();
  }
});

test('of 20 writers on separate connections carrying the same eTag, exactly one wins', async () => {
  const prefix = `race${++prefixCounter}:`;
  const instances = Array.from({ length: 20 }, () => newStore({ keyPrefix: prefix }));
  await instances[0].write({ k: { winner: 'none' } });
  const { k: base } = await instances[0].read(['k']);
  await Promise.all(instances.map((instance) => instance.ping()));

  const results = await Promise.allSettled(
    instances.map((instance, i) => instance.write({ k: { ...base, winner: i } })),
  );

  const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  expect(lost).toHaveLength(19);
  for (const { reason } of lost) {
    expect(reason).toBeInstanceOf(ETagConflictError);
  }
  const winner = results.findIndex((r) => r.status === 'fulfilled');
  expect((await instances[0].read(['k'])).k.winner).toBe(winner);
});

test('no update is lost when instances retry on conflict', async () => {
  const prefix = `counter${++prefixCounter}:`;
  const instances = Array.from({ length: 4 }, () => newStore({ keyPrefix: prefix }));
  await instances[0].write({ counter: { count: 0 } });

  await Promise.all(Array.from({ length: 20 }, (_, i) => increment(instances[i % 4], 'counter')));

  expect((await instances[0].read(['counter'])).counter.count).toBe(20);
});

test('an outage fails fast with StorageUnavailableError, and the store recovers with its data', async () => {
  const errors: Error[] = [];
  const store = newStore({ onError: (err) => errors.push(err) });
  await store.write({ conv: { step: 'before-outage' } });
  const { conv: before } = await store.read(['conv']);

  await server.stop();

  for (const operation of [
    () => store.read(['conv']),
    () => store.write({ conv: { ...before, step: 'during-outage' } }),
    () => store.delete(['conv']),
    () => store.ping(),
  ]) {
    const err = await outcome(operation());
    expect(err).toBeInstanceOf(StorageUnavailableError);
    expect(isETagConflict(err)).toBe(false);
  }
  // Reported to the listener, not thrown at the process. The reconnect attempt that reports it
  // may land a moment after the operations above have already failed fast, so wait for it.
  for (let waited = 0; errors.length === 0 && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  expect(errors.length).toBeGreaterThan(0);

  await server.start();
  await waitUntilAvailable(store);

  const { conv: after } = await store.read(['conv']);
  expect(after).toEqual(before);
  await expect(store.write({ conv: { ...after, step: 'after-outage' } })).resolves.toBeUndefined();
  expect((await store.read(['conv'])).conv.step).toBe('after-outage');
});

test('writes racing a shutdown each succeed or fail as unavailable; none hangs', async () => {
  const store = newStore();
  await store.ping();

  const writes = Array.from({ length: 50 }, (_, i) => store.write({ [`k${i}`]: { v: i } }));
  const stopped = server.stop();
  const results = await Promise.all(writes.map(outcome));
  await stopped;

  for (const err of results) {
    if (err !== undefined) {
      expect(err).toBeInstanceOf(StorageUnavailableError);
    }
  }
});

test('a server that stops answering (connection open, no replies) fails as unavailable', async () => {
  const store = newStore({ commandTimeoutMs: 500 });
  await store.write({ k: { v: 1 } });

  server.freeze();
  const err = await outcome(store.read(['k']));
  server.thaw();

  expect(err).toBeInstanceOf(StorageUnavailableError);
  await waitUntilAvailable(store);
  expect((await store.read(['k'])).k.v).toBe(1);
});

test('a store created while Redis is down reports unavailable, then connects when it comes up', async () => {
  await server.stop();
  const store = newStore();

  expect(await outcome(store.ping())).toBeInstanceOf(StorageUnavailableError);

  await server.start();
  await waitUntilAvailable(store);
  await expect(store.write({ k: { v: 1 } })).resolves.toBeUndefined();
});

test('rejects a URL that is not redis:// or rediss://', () => {
  expect(() => new RedisStore({ url: 'http://localhost:6379' })).toThrow(TypeError);
  expect(() => new RedisStore({ url: '' })).toThrow(TypeError);
  expect(() => new RedisStore({ url: server.url, ttlSeconds: -1 })).toThrow(TypeError);
});

test('after close, operations fail as unavailable', async () => {
  const store = newStore();
  await store.ping();

  await store.close();

  await expect(store.read(['k'])).rejects.toBeInstanceOf(StorageUnavailableError);
  await expect(store.close()).resolves.toBeUndefined();
});
