import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * Request limits keyed by client address or conversation, counted by rate-limiter-flexible: in
 * process memory, or in Redis when the app runs on Redis, so that several instances behind a load
 * balancer share one count. A Redis that does not answer falls back to counting in memory (its
 * insurance limiter) rather than refusing or waving everything through.
 *
 * A rule of `perSecond` with a `burst` becomes `burst` requests per window of `burst / perSecond`
 * seconds: the same long-run rate and the same burst, counted per window instead of per token.
 */
export interface RateLimitRule {
  perSecond: number;
  burst: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Counts one request for `key`, or says how long until it may come again. */
  take(key: string): Promise<RateDecision>;
}

export interface RateLimiterOptions {
  /** Shared counts across instances; without it, each instance counts on its own. */
  redis?: Redis;
}

export function windowOf(rule: RateLimitRule): { points: number; duration: number } {
  if (!(rule.perSecond > 0) || !(rule.burst >= 1)) throw new RangeError('rate limit: perSecond must be > 0 and burst >= 1');
  return { points: Math.floor(rule.burst), duration: Math.max(1, Math.ceil(rule.burst / rule.perSecond)) };
}

export function createRateLimiter(name: string, rule: RateLimitRule, options: RateLimiterOptions = {}): RateLimiter {
  const window = windowOf(rule);
  const keyPrefix = `ag:rate:${name}`;
  const memory = new RateLimiterMemory({ ...window, keyPrefix });
  const limiter: RateLimiterAbstract = options.redis ? new RateLimiterRedis({ ...window, keyPrefix, storeClient: options.redis, insuranceLimiter: memory }) : memory;
  return {
    async take(key) {
      try {
        await limiter.consume(key);
        return { ok: true };
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
        throw refusal;
      }
    },
  };
}

/** The Redis connection the limits count in: it fails fast while Redis is away, so the insurance limiter takes over at once. */
export function rateLimitRedis(url: string, onError: (err: Error) => void): Redis {
  // Loaded only with REDIS_URL, as the store does (bench/README.md, change 12).
  const { default: RedisClient } = require('ioredis') as { default: typeof Redis };
  const client = new RedisClient(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 1000, connectTimeout: 5000 });
  // Without an 'error' listener ioredis would crash the process on the first refused connection.
  client.on('error', onError);
  return client;
}
