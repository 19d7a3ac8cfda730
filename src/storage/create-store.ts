import path from 'node:path';
import type { Storage } from 'botbuilder';

import { ETagConflictError } from './errors';
import { SqliteStore, type StoreDamage } from './sqlite-store';
import type { RedisStore } from './redis-store';

export { ETagConflictError, StorageUnavailableError, isStorageUnavailable } from './errors';

export type { StoreDamage } from './sqlite-store';

/**
 * A botbuilder Storage that can also be health-checked and shut down. Where the store can tell:
 * `damage()` says that part of its data was found damaged (the rest is served), and `lostAt(key)`
 * when the item at a key it does not hold was lost (Redis back empty, a damaged SQLite page).
 */
export type ConversationStore = Storage & {
  ping(): Promise<void>;
  close(): Promise<void>;
  damage?(): StoreDamage | undefined;
  lostAt?(key: string): number | undefined;
};

/**
 * Lists kept a row (SQLite) or an element (Redis) per entry, so that a transcript grows by its new
 * lines instead of being rewritten whole. Both of our stores have them; `delete(key)` removes a
 * list too. A list expires `ttlSeconds` after its last append.
 */
export interface ListStore {
  /** Appends entries and keeps the newest `keep`; the older ones are dropped and counted. */
  append(key: string, entries: readonly unknown[], keep: number): Promise<void>;
  /** The entries, oldest first, and how many were dropped. An unknown key is an empty list. */
  list(key: string): Promise<{ entries: unknown[]; dropped: number }>;
}

/** True for a store with lists (ours); botbuilder's own stores and test wrappers have none. */
export function hasLists(store: Storage): store is Storage & ListStore {
  const candidate = store as Partial<ListStore>;
  return typeof candidate.append === 'function' && typeof candidate.list === 'function';
}

export interface StoreConfig {
  /** When set, state lives in Redis (scale-out); otherwise on local disk. */
  redisUrl?: string;
  /** Local state goes to `<dataDir>/state`. Required even with Redis, so that config stays uniform. */
  dataDir: string;
  /** Redis key prefix, default `ag:`. Ignored by the embedded store. */
  keyPrefix?: string;
  /** Forget an item this long after its last write (0 or unset: keep it). */
  ttlSeconds?: number;
  /** Redis only: connection errors (they are otherwise swallowed so that the process stays up). */
  onError?: (err: Error) => void;
  /** Embedded store only: what it did on its own (an import of the earlier store, a failed expiry sweep, damage found). */
  onWarn?: (message: string, err?: unknown) => void;
  /** Embedded store only: what the start-up check found when all is well, and a reopening after a full disk. */
  onInfo?: (message: string) => void;
}

export function createStore(config: StoreConfig): ConversationStore {
  const redisUrl = config.redisUrl?.trim();
  if (redisUrl) {
    // Loaded only when used: ioredis is 1.7 MB of heap that the embedded default never needs.
    const { RedisStore: Store } = require('./redis-store') as { RedisStore: typeof RedisStore };
    return new Store({
      url: redisUrl,
      keyPrefix: config.keyPrefix,
      ttlSeconds: config.ttlSeconds,
      onError: config.onError,
    });
  }
  // A subdirectory, because the embedded store owns everything in its directory (it imports and
  // removes the earlier stores' files there) and DATA_DIR may hold other things.
  return new SqliteStore(path.join(config.dataDir, 'state'), { onWarn: config.onWarn, onInfo: config.onInfo, ttlSeconds: config.ttlSeconds });
}

/**
 * True for an optimistic-concurrency conflict from any store: ours, botbuilder's MemoryStorage
 * (which signals it only by message text), and the Cosmos/Blob stores (HTTP 412). Botbuilder's
 * own SSO middleware recognises conflicts by the same message fragments.
 */
export function isETagConflict(err: unknown): boolean {
  if (err instanceof ETagConflictError) {
    return true;
  }
  if (err === null || typeof err !== 'object') {
    return false;
  }
  const { message, code, statusCode } = err as { message?: unknown; code?: unknown; statusCode?: unknown };
  if (code === 412 || statusCode === 412) {
    return true;
  }
  if (typeof message !== 'string') {
    return false;
  }
  const text = message.toLowerCase();
  return text.includes('etag conflict') || text.includes('precondition is not met');
}
