/**
 * Token buckets keyed by client address or conversation: each key may spend `burst` requests at
 * once and gets `perSecond` back every second. Memory is bounded: a full bucket is the same as no
 * bucket and is dropped, and past `maxKeys` the least recently used key is forgotten (which can
 * only ever give that key a fresh, full bucket, never lock anyone out).
 */
export interface RateLimitRule {
  perSecond: number;
  burst: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(
    readonly rule: RateLimitRule,
    options: { maxKeys?: number; now?: () => number } = {},
  ) {
    if (!(rule.perSecond > 0) || !(rule.burst >= 1)) throw new RangeError('RateLimiter: perSecond must be > 0 and burst >= 1');
    this.maxKeys = options.maxKeys ?? 50_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Spends one token of `key`'s bucket, or says how long until one is back. */
  take(key: string): RateDecision {
    const now = this.now();
    const { perSecond, burst } = this.rule;
    const bucket = this.buckets.get(key);
    let tokens = burst;
    if (bucket) {
      tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
      this.buckets.delete(key); // re-inserted below: Map order is the LRU order
    }
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perSecond)) };
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > this.maxKeys) this.evict(now);
    return { ok: true };
  }

  /** Drops buckets that have refilled (they are indistinguishable from new ones), then the oldest. */
  sweep(): void {
    this.evict(this.now(), true);
  }

  private evict(now: number, full = false): void {
    const { perSecond, burst } = this.rule;
    for (const [key, bucket] of this.buckets) {
      if (!full && this.buckets.size <= this.maxKeys) break;
      if (bucket.tokens + ((now - bucket.at) / 1000) * perSecond >= burst || this.buckets.size > this.maxKeys) this.buckets.delete(key);
    }
  }
}
