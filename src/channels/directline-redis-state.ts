import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import {
  activityId,
  type ActivitySet,
  type ConversationMilestone,
  type ConversationRecord,
  type DirectLineState,
  type Lookup,
  type StateLimits,
  type WireActivity,
} from './directline-state';

/**
 * The Direct Line's state in Redis, shared by every instance:
 * - `dl:c:<id>`, a hash: the conversation (user id, locale, live token ids, milestones), its last
 *   activity number `seq` and the bytes its activities hold;
 * - `dl:s:<id>`, a stream of its activities, entry id `<seq>-0`, so a watermark is a range start;
 * - `dl:e:<id>`, a marker that outlives the two above by a token lifetime: an ended conversation
 *   (404) is told apart from one whose state was lost (revived from its token);
 * - `dl:live`, a sorted set of conversations by last activity, for the cap;
 * - channel `dl:p:<id>`: every append publishes there, and an instance holding a socket for the
 *   conversation reads the stream above what it last sent.
 * Appends are one Lua script each (numbering, trimming, expiry and the publish are atomic).
 */
export interface RedisStateOptions {
  url: string;
  /** Default `ag:`, as the store's. */
  keyPrefix?: string;
  onError?: (err: Error) => void;
}

export interface RedisDirectLineState extends DirectLineState {
  /** The token signing key kept in Redis (made once, by the first instance), when none is configured. */
  tokenKey(): Promise<Uint8Array>;
}

const APPEND_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local idle, ended, maxCount, maxBytes = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local first = 0
local seq = 0
for i = 7, #ARGV do
  seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  if first == 0 then first = seq end
  redis.call('HINCRBY', KEYS[1], 'bytes', string.len(ARGV[i]))
  redis.call('XADD', KEYS[2], seq .. '-0', 'a', ARGV[i])
end
local bytes = tonumber(redis.call('HGET', KEYS[1], 'bytes'))
while redis.call('XLEN', KEYS[2]) > maxCount or bytes > maxBytes do
  local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
  if not oldest then break end
  redis.call('XDEL', KEYS[2], oldest[1])
  bytes = redis.call('HINCRBY', KEYS[1], 'bytes', -string.len(oldest[2][2]))
end
redis.call('PEXPIRE', KEYS[1], idle)
redis.call('PEXPIRE', KEYS[2], idle)
redis.call('SET', KEYS[3], '1', 'PX', idle + ended)
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[1])
redis.call('PUBLISH', KEYS[5], seq)
return first
`;

const CREATE_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
local now, idle, ended, max = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - idle)
if redis.call('ZCARD', KEYS[3]) >= max then return 0 end
redis.call('HSET', KEYS[1], 'user', ARGV[6], 'tokens', ARGV[7], 'seq', ARGV[9], 'bytes', 0)
if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], 'locale', ARGV[8]) end
redis.call('PEXPIRE', KEYS[1], idle)
redis.call('SET', KEYS[2], '1', 'PX', idle + ended)
redis.call('ZADD', KEYS[3], now, ARGV[1])
return 1
`;

/** HSET (or HSETNX with ARGV[3] = 'nx') on a conversation that still exists; -1 if it does not. */
const SET_FIELD_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if ARGV[3] == 'nx' then return redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

type Commands = Redis & {
  dlAppend(...args: (string | number)[]): Promise<number | null>;
  dlCreate(...args: (string | number)[]): Promise<number>;
  dlSetField(key: string, field: string, value: string, mode: string): Promise<number>;
};

const MILESTONE_FIELD: Record<ConversationMilestone, string> = { started: 'm:started', userAnnounced: 'm:user' };

export function createRedisState(options: RedisStateOptions): (limits: StateLimits, now: () => number) => RedisDirectLineState {
  return (limits, now) => redisState(options, limits, now);
}

function redisState(options: RedisStateOptions, limits: StateLimits, now: () => number): RedisDirectLineState {
  // Loaded only with REDIS_URL, as the store does (bench/README.md, change 12).
  const { default: RedisClient } = require('ioredis') as { default: typeof Redis };
  const prefix = `${options.keyPrefix ?? 'ag:'}dl:`;
  const keys = {
    conversation: (id: string) => `${prefix}c:${id}`,
    stream: (id: string) => `${prefix}s:${id}`,
    ended: (id: string) => `${prefix}e:${id}`,
    channel: (id: string) => `${prefix}p:${id}`,
    live: `${prefix}live`,
    tokenKey: `${prefix}token-key`,
  };
  const connection = {
    commandTimeout: 2000,
    connectTimeout: 5000,
    retryStrategy: (attempt: number) => Math.min(2000, 50 * 2 ** Math.min(attempt, 16)),
  };
  // Fails fast while Redis is away (the request answers 503 and the client retries), as the store does.
  const client = new RedisClient(options.url, { ...connection, enableOfflineQueue: false, maxRetriesPerRequest: 0 }) as Commands;
  client.defineCommand('dlAppend', { numberOfKeys: 5, lua: APPEND_LUA });
  client.defineCommand('dlCreate', { numberOfKeys: 3, lua: CREATE_LUA });
  client.defineCommand('dlSetField', { numberOfKeys: 1, lua: SET_FIELD_LUA });
  // Without an 'error' listener ioredis would crash the process on the first refused connection.
  client.on('error', (err: Error) => options.onError?.(err));

  /** The client once connected: a command sent before would fail at once (no offline queue). */
  async function ready(): Promise<Commands> {
    if (client.status === 'ready') return client;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.off('ready', onReady);
        reject(new Error('redis is not connected'));
      }, 1000);
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      client.once('ready', onReady);
    });
    return client;
  }

  const listeners = new Map<string, { wakes: Set<() => void>; subscribed: Promise<void> }>();
  let subscriber: Redis | undefined;

  function subscriberConnection(): Redis {
    if (subscriber) return subscriber;
    const sub = new RedisClient(options.url, { ...connection, commandTimeout: undefined, maxRetriesPerRequest: null });
    sub.on('error', (err: Error) => options.onError?.(err));
    sub.on('message', (channel: string) => {
      for (const wake of listeners.get(channel)?.wakes ?? []) wake();
    });
    // Publishes made while the subscription was down are gone: every socket reads what it missed.
    let connectedOnce = false;
    sub.on('ready', () => {
      if (connectedOnce) for (const { wakes } of listeners.values()) for (const wake of wakes) wake();
      connectedOnce = true;
    });
    return (subscriber = sub);
  }

  function parseRecord(id: string, hash: Record<string, string>): ConversationRecord {
    let tokenIds: string[] = [];
    try {
      const parsed: unknown = JSON.parse(hash.tokens ?? '[]');
      if (Array.isArray(parsed)) tokenIds = parsed.filter((t): t is string => typeof t === 'string');
    } catch {
      // A hash edited by hand: no token is live, the client gets 401 and starts over.
    }
    const reached = (Object.keys(MILESTONE_FIELD) as ConversationMilestone[]).filter((m) => hash[MILESTONE_FIELD[m]] !== undefined);
    return { id, userId: hash.user ?? '', ...(hash.locale ? { locale: hash.locale } : {}), tokenIds, reached };
  }

  async function setField(id: string, field: string, value: string, mode: 'set' | 'nx'): Promise<number> {
    return (await ready()).dlSetField(keys.conversation(id), field, value, mode);
  }

  return {
    async create(record, lastSeq = 0) {
      const created = await (await ready()).dlCreate(
        keys.conversation(record.id),
        keys.ended(record.id),
        keys.live,
        record.id,
        now(),
        limits.idleMs,
        limits.endedMs,
        limits.maxConversations,
        record.userId,
        JSON.stringify(record.tokenIds),
        record.locale ?? '',
        lastSeq,
      );
      return created === 1;
    },

    async lookup(id): Promise<Lookup> {
      const hash = await (await ready()).hgetall(keys.conversation(id));
      if (Object.keys(hash).length > 0) return { state: 'live', conversation: parseRecord(id, hash) };
      return (await (await ready()).exists(keys.ended(id))) ? { state: 'ended' } : { state: 'unknown' };
    },

    async setTokenIds(id, tokenIds) {
      await setField(id, 'tokens', JSON.stringify(tokenIds), 'set');
    },

    async setLocale(id, locale) {
      await setField(id, 'locale', locale, 'set');
    },

    async reach(id, milestone) {
      return (await setField(id, MILESTONE_FIELD[milestone], '1', 'nx')) === 1;
    },

    async append(id, activities) {
      const bodies = activities.map((activity) => {
        const { id: _id, ...rest } = activity;
        return JSON.stringify(rest);
      });
      const first = await (await ready()).dlAppend(
        keys.conversation(id),
        keys.stream(id),
        keys.ended(id),
        keys.live,
        keys.channel(id),
        id,
        limits.idleMs,
        limits.endedMs,
        limits.maxActivities,
        limits.maxHistoryBytes,
        now(),
        ...bodies,
      );
      if (first === null || first === undefined) return undefined;
      return bodies.map((body, i) => ({ ...(JSON.parse(body) as WireActivity), id: activityId(id, first + i) }));
    },

    async since(id, watermark): Promise<ActivitySet> {
      const results = await (await ready())
        .multi()
        .hget(keys.conversation(id), 'seq')
        .xrange(keys.stream(id), `(${watermark}-0`, '+')
        .exec();
      const [seqResult, rangeResult] = results ?? [];
      if (seqResult?.[0] || rangeResult?.[0]) throw seqResult?.[0] ?? rangeResult?.[0];
      const seq = seqResult?.[1] === null || seqResult?.[1] === undefined ? undefined : Number(seqResult[1]);
      if (seq === undefined) return { activities: [], watermark };
      const entries = (rangeResult?.[1] ?? []) as [string, string[]][];
      const activities = entries.map(([entryId, fields]) => ({ ...(JSON.parse(fields[1] ?? '{}') as WireActivity), id: activityId(id, Number(entryId.split('-')[0])) }));
      return { activities, watermark: seq };
    },

    async subscribe(id, wake) {
      const channel = keys.channel(id);
      let entry = listeners.get(channel);
      if (!entry) {
        const wakes = new Set<() => void>();
        const subscribed = subscriberConnection()
          .subscribe(channel)
          .then(() => undefined);
        listeners.set(channel, (entry = { wakes, subscribed }));
      }
      const current = entry;
      current.wakes.add(wake);
      try {
        await current.subscribed;
      } catch (err) {
        current.wakes.delete(wake);
        if (listeners.get(channel) === current && current.wakes.size === 0) listeners.delete(channel);
        throw err;
      }
      return () => {
        current.wakes.delete(wake);
        if (current.wakes.size > 0 || listeners.get(channel) !== current) return;
        listeners.delete(channel);
        subscriber?.unsubscribe(channel).catch((err: Error) => options.onError?.(err));
      };
    },

    sweep() {
      // Redis ends conversations itself (key expiry); only the cap's index needs trimming.
      if (client.status !== 'ready') return 0;
      client.zremrangebyscore(keys.live, '-inf', now() - limits.idleMs).catch((err: Error) => options.onError?.(err));
      return 0;
    },

    async count() {
      return (await ready()).zcount(keys.live, now() - limits.idleMs, '+inf');
    },

    async tokenKey() {
      await (await ready()).set(keys.tokenKey, randomBytes(32).toString('base64url'), 'NX');
      const key = await (await ready()).get(keys.tokenKey);
      if (!key) throw new Error('the Direct Line token key could not be read from Redis');
      return new TextEncoder().encode(key);
    },

    async close() {
      subscriber?.disconnect();
      await client.quit().catch(() => client.disconnect());
    },
  };
}
