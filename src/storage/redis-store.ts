import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { Storage, StoreItems } from 'botbuilder';

import { ETagConflictError, StorageUnavailableError } from './errors';

export interface RedisStoreOptions {
  /** `redis://` or `rediss://` URL, with credentials and database number if needed. */
  url: string;
  /** Prepended to every key, so that several apps can share a database. Default `ag:`. */
  keyPrefix?: string;
  /** Expire items this many seconds after their last write. Default: never. */
  ttlSeconds?: number;
  /** A command without a reply after this long fails as unavailable. Default 2000. */
  commandTimeoutMs?: number;
  /** While (re)connecting, how long an operation waits for the connection before failing. Default 1000. */
  readyTimeoutMs?: number;
  /** Upper bound of the exponential reconnect backoff. Default 2000. */
  maxReconnectDelayMs?: number;
  /** Connection errors, e.g. for logging. They never escape otherwise. */
  onError?: (err: Error) => void;
}

/**
 * Compare-and-set in one script, so that no other client can write between the check and the set.
 * KEYS[1] item key; ARGV[1] expected eTag ('' = unconditional); ARGV[2] JSON to store;
 * ARGV[3] TTL in seconds ('0' = none). Returns 1 when written, 0 on an eTag conflict.
 * A value that cannot be decoded counts as a conflict: never overwrite what cannot be checked.
 */
const COMPARE_AND_SET_LUA = `
if ARGV[1] ~= '' then
  local current = redis.call('GET', KEYS[1])
  if current then
    local ok, decoded = pcall(cjson.decode, current)
    if not ok or type(decoded) ~= 'table' or decoded['eTag'] ~= ARGV[1] then
      return 0
    end
  end
end
local ttl = tonumber(ARGV[3])
if ttl and ttl > 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl)
else
  redis.call('SET', KEYS[1], ARGV[2])
end
return 1
`;

/**
 * Appends to a list and keeps its newest entries, counting the dropped ones.
 * KEYS[1] the list, KEYS[2] its dropped count; ARGV[1] how many to keep; ARGV[2] TTL in seconds
 * ('0' = none); ARGV[3..] the entries' JSON.
 */
const APPEND_LUA = `
local length = redis.call('RPUSH', KEYS[1], unpack(ARGV, 3))
local keep = tonumber(ARGV[1])
if length > keep then
  redis.call('LTRIM', KEYS[1], -keep, -1)
  redis.call('INCRBY', KEYS[2], length - keep)
end
local ttl = tonumber(ARGV[2])
if ttl and ttl > 0 then
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('EXPIRE', KEYS[2], ttl)
end
return length
`;

interface CompareAndSetCommand {
  agCompareAndSet(key: string, expectedETag: string, json: string, ttlSeconds: string): Promise<number>;
  agAppend(list: string, dropped: string, keep: string, ttlSeconds: string, ...entries: string[]): Promise<number>;
}

/** Server replies that mean "not available right now" rather than "your request is wrong". */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|OOM)\b/;

type Waiter = (err?: Error) => void;

/**
 * Botbuilder `Storage` in Redis, for running any number of bot instances.
 *
 * - Items are JSON strings that carry their `eTag`; writes go through a Lua compare-and-set, so
 *   a stale eTag fails with `ETagConflictError` even when instances race. No eTag or `*` writes
 *   unconditionally, and an eTag on a missing key writes, as in botbuilder's `MemoryStorage`.
 * - Outages fail fast with `StorageUnavailableError`: commands are never queued while
 *   disconnected, in-flight commands fail when the connection drops (they are not resent, since a
 *   resent write may already have been applied), and a command without a reply times out.
 *   The client keeps reconnecting with backoff, so the store recovers by itself.
 * - A batch write is not a transaction: each key succeeds or fails on its own, as in botbuilder's
 *   own stores. Reads use MGET, so Redis Cluster is not supported.
 */
export class RedisStore implements Storage {
  readonly keyPrefix: string;
  private readonly client: Redis;
  private readonly ttlSeconds: number;
  private readonly readyTimeoutMs: number;
  private readonly readyWaiters = new Set<Waiter>();
  private lastError: Error | undefined;
  private closed = false;
  /** Whether this process has seen the store's marker key; when it is gone after a reconnect, Redis lost its data. */
  private markerSeen = false;
  private dataLostAt: number | undefined;

  constructor(options: RedisStoreOptions) {
    const { url, keyPrefix = 'ag:', ttlSeconds = 0, commandTimeoutMs = 2000 } = options;
    const { readyTimeoutMs = 1000, maxReconnectDelayMs = 2000, onError } = options;
    if (!isRedisUrl(url)) {
      throw new TypeError('RedisStore: url must be a redis:// or rediss:// URL.');
    }
    if (typeof keyPrefix !== 'string') {
      throw new TypeError('RedisStore: keyPrefix must be a string.');
    }
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0) {
      throw new TypeError('RedisStore: ttlSeconds must be a whole number of seconds.');
    }
    for (const [name, value] of Object.entries({ commandTimeoutMs, readyTimeoutMs, maxReconnectDelayMs })) {
      if (!Number.isFinite(value) || value <= 0) {
        throw new TypeError(`RedisStore: ${name} must be a positive number.`);
      }
    }

    this.keyPrefix = keyPrefix;
    this.ttlSeconds = ttlSeconds;
    this.readyTimeoutMs = readyTimeoutMs;
    this.client = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: commandTimeoutMs,
      connectTimeout: 5000,
      retryStrategy: (attempt) => backoff(attempt, maxReconnectDelayMs),
      // After a failover the old primary answers READONLY; reconnecting finds the new one.
      reconnectOnError: (err) => err.message.startsWith('READONLY'),
    });
    this.client.defineCommand('agCompareAndSet', { numberOfKeys: 1, lua: COMPARE_AND_SET_LUA });
    this.client.defineCommand('agAppend', { numberOfKeys: 2, lua: APPEND_LUA });
    // Without an 'error' listener, ioredis would crash the process on the first refused connection.
    this.client.on('error', (err: Error) => {
      this.lastError = err;
      onError?.(err);
    });
    this.client.on('ready', () => {
      this.lastError = undefined;
      // Sent before the waiting turns' commands, so its answer is known before theirs.
      this.checkMarker().catch((err: Error) => onError?.(err));
      this.settleWaiters();
    });
  }

  /**
   * A key that lives as long as the data: when a reconnect finds it gone, Redis restarted without
   * its data (no persistence, a failover to an empty replica, FLUSHALL). The time is kept in the
   * key itself, so every instance learns it; `lostAt` tells the turn loop, which then tells the
   * user of a conversation the store no longer knows that it lost track, typed message or click.
   */
  private async checkMarker(): Promise<void> {
    const key = `${this.keyPrefix}meta:store-marker`;
    const value = await this.client.get(key);
    if (value === null) {
      if (this.markerSeen) this.dataLostAt = Date.now();
      await this.client.set(key, String(this.dataLostAt ?? 0), 'NX');
    } else if (Number(value) > 0) {
      this.dataLostAt = Math.max(this.dataLostAt ?? 0, Number(value));
    }
    this.markerSeen = true;
  }

  /**
   * When this store last came back without its data, within the state's lifetime (after that,
   * nothing it lost could still be asked about). Redis loses everything at once, so every key was
   * lost then: a key it does not hold may be one of them.
   */
  lostAt(_key: string, now = Date.now()): number | undefined {
    if (this.dataLostAt === undefined) return undefined;
    return this.ttlSeconds > 0 && now - this.dataLostAt > this.ttlSeconds * 1000 ? undefined : this.dataLostAt;
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) {
      throw new ReferenceError('Keys are required when reading.');
    }
    if (keys.length === 0) {
      return {};
    }
    const values = await this.call('read', () => this.client.mget(keys.map((key) => this.keyPrefix + key)));
    const items: StoreItems = {};
    keys.forEach((key, index) => {
      const value = values[index];
      if (value !== null && value !== undefined) {
        items[key] = parseItem(key, value);
      }
    });
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) {
      throw new ReferenceError('Changes are required when writing.');
    }
    // Serialize before the first await, so that callers mutating their objects meanwhile cannot
    // change what gets stored.
    const prepared = Object.entries(changes).map(([key, item]) => ({
      key,
      expected: expectedETag(key, item),
      json: JSON.stringify({ ...item, eTag: randomUUID() }),
    }));
    const commands = this.client as unknown as CompareAndSetCommand;
    const results = await Promise.allSettled(
      prepared.map(async ({ key, expected, json }) => {
        const written = await this.call('write', () =>
          commands.agCompareAndSet(this.keyPrefix + key, expected, json, String(this.ttlSeconds)),
        );
        if (written !== 1) {
          throw new ETagConflictError(key);
        }
      }),
    );
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      throw failure.reason;
    }
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys) {
      throw new ReferenceError('Keys are required when deleting.');
    }
    if (keys.length === 0) {
      return;
    }
    await this.call('delete', () => this.client.del(...keys.flatMap((key) => [this.keyPrefix + key, ...this.listKeys(key)])));
  }

  /** Appends entries to the list at `key` (RPUSH) and keeps its newest `keep` (LTRIM); the TTL restarts. */
  async append(key: string, entries: readonly unknown[], keep: number): Promise<void> {
    if (!Number.isInteger(keep) || keep < 1) throw new TypeError('RedisStore: keep must be a positive whole number.');
    if (entries.length === 0) return;
    const json = entries.map((entry) => JSON.stringify(entry));
    const commands = this.client as unknown as CompareAndSetCommand;
    await this.call('append', () => commands.agAppend(...this.listKeys(key), String(keep), String(this.ttlSeconds), ...json));
  }

  /** The list at `key`, oldest first, and how many older entries were dropped to keep it short. */
  async list(key: string): Promise<{ entries: unknown[]; dropped: number }> {
    const [list, dropped] = this.listKeys(key);
    const [entries, count] = await this.call('list', async () => {
      const replies = await this.client.multi().lrange(list, 0, -1).get(dropped).exec();
      const failed = replies?.find(([err]) => err);
      if (!replies || failed) throw failed?.[0] ?? new Error('the transaction was discarded');
      return [replies[0]![1] as string[], replies[1]![1] as string | null] as const;
    });
    return { entries: entries.map((json) => parseItem(key, json)), dropped: Number(count ?? 0) };
  }

  /** A list lives beside the items, under keys of its own: `<prefix>list:<key>` and its dropped count. */
  private listKeys(key: string): [string, string] {
    return [`${this.keyPrefix}list:${key}`, `${this.keyPrefix}list-dropped:${key}`];
  }

  /** Readiness check: a PING round trip. */
  async ping(): Promise<void> {
    await this.call('ping', () => this.client.ping());
  }

  /** Closes the connection and stops reconnecting. Operations afterwards fail as unavailable. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.settleWaiters(new StorageUnavailableError('RedisStore: the store is closed.'));
    try {
      if (this.client.status === 'ready') {
        await this.client.quit();
      }
    } catch {
      // The connection is going away either way.
    } finally {
      this.client.disconnect();
    }
  }

  /** Runs one Redis command, translating connection trouble into StorageUnavailableError. */
  private async call<T>(operation: string, command: () => Promise<T>): Promise<T> {
    await this.whenReady();
    try {
      return await command();
    } catch (err) {
      if (isRequestError(err)) {
        throw err;
      }
      throw new StorageUnavailableError(`RedisStore: ${operation} failed: ${messageOf(err)}`, { cause: err });
    }
  }

  /**
   * Waits briefly for a connection in progress (startup, or a reconnect after a blip) instead of
   * failing at once, but never longer than readyTimeoutMs.
   */
  private whenReady(): Promise<void> {
    if (this.closed) {
      return Promise.reject(new StorageUnavailableError('RedisStore: the store is closed.'));
    }
    if (this.client.status === 'ready') {
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = (err) => {
        clearTimeout(timer);
        this.readyWaiters.delete(waiter);
        if (err) {
          reject(err);
        } else {
          resolve();
        }
      };
      const timer = setTimeout(() => {
        const reason = this.lastError ? messageOf(this.lastError) : `connection is ${this.client.status}`;
        waiter(new StorageUnavailableError(`RedisStore: Redis is not reachable (${reason}).`, { cause: this.lastError }));
      }, this.readyTimeoutMs);
      this.readyWaiters.add(waiter);
    });
  }

  private settleWaiters(err?: Error): void {
    for (const waiter of [...this.readyWaiters]) {
      waiter(err);
    }
  }
}

/** Exponential, capped, with jitter so that many instances do not reconnect in lockstep. */
function backoff(attempt: number, maxDelayMs: number): number {
  const delay = Math.min(maxDelayMs, 50 * 2 ** Math.min(attempt, 16));
  return Math.round(delay / 2 + (Math.random() * delay) / 2);
}

/** `''` means "write unconditionally": no eTag or `*`, exactly as in MemoryStorage. */
function expectedETag(key: string, item: unknown): string {
  if (item === null || typeof item !== 'object') {
    throw new TypeError(`RedisStore: the item for "${key}" must be an object.`);
  }
  const eTag = (item as { eTag?: unknown }).eTag;
  return typeof eTag === 'string' && eTag !== '*' ? eTag : '';
}

function parseItem(key: string, value: string): Record<string, unknown> {
  try {
    return JSON.parse(value) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`RedisStore: the value stored for "${key}" is not valid JSON.`, { cause: err });
  }
}

/** A reply error about the request itself (e.g. WRONGTYPE), as opposed to the server being unavailable. */
function isRequestError(err: unknown): boolean {
  return err instanceof Error && err.name === 'ReplyError' && !TRANSIENT_REPLY.test(err.message);
}

function isRedisUrl(url: unknown): url is string {
  if (typeof url !== 'string') {
    return false;
  }
  try {
    const { protocol } = new URL(url);
    return protocol === 'redis:' || protocol === 'rediss:';
  } catch {
    return false;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
