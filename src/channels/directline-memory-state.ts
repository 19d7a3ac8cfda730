import { LRUCache } from 'lru-cache';
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

interface Entry {
  seq: number;
  bytes: number;
  activity: WireActivity;
}

interface Held {
  record: ConversationRecord;
  milestones: Set<ConversationMilestone>;
  seq: number;
  entries: Entry[];
  bytes: number;
  lastActiveAt: number;
}

/**
 * The embedded default: the Direct Line's state in this process. A restart forgets it; a client
 * whose signed token is still good gets its conversation revived (directline.ts), and the bot's own
 * state is in the store, so the conversation goes on.
 */
export function createMemoryState(limits: StateLimits, now: () => number = Date.now): DirectLineState {
  const conversations = new Map<string, Held>();
  const listeners = new Map<string, Set<() => void>>();
  /**
   * Conversations that ended (idle), so their tokens get 404 (directlinejs: "Ended") instead of a
   * revival. The injected clock drives expiry; it is read on every check (ttlResolution 0) because
   * tests move it in jumps, and `sweep` purges (no timers).
   */
  const ended = new LRUCache<string, true>({
    max: limits.maxConversations * 2,
    ttl: limits.endedMs,
    ttlResolution: 0,
    ttlAutopurge: false,
    perf: { now },
  });

  const isIdle = (held: Held) => now() - held.lastActiveAt >= limits.idleMs;

  function end(held: Held): void {
    conversations.delete(held.record.id);
    ended.set(held.record.id, true);
  }

  /** A live conversation, ended on the spot if it went idle. */
  function live(conversationId: string): Held | undefined {
    const held = conversations.get(conversationId);
    if (!held) return undefined;
    if (isIdle(held)) {
      end(held);
      return undefined;
    }
    return held;
  }

  function sweep(): number {
    let dropped = 0;
    for (const held of [...conversations.values()]) {
      if (isIdle(held)) {
        end(held);
        dropped++;
      }
    }
    ended.purgeStale();
    return dropped;
  }

  return {
    async create(record, lastSeq = 0) {
      // Two requests reviving one conversation at once: the second finds it there.
      if (live(record.id)) return true;
      if (conversations.size >= limits.maxConversations) sweep();
      if (conversations.size >= limits.maxConversations) return false;
      conversations.set(record.id, { record: { ...record, tokenIds: [...record.tokenIds] }, milestones: new Set(), seq: lastSeq, entries: [], bytes: 0, lastActiveAt: now() });
      ended.delete(record.id);
      return true;
    },

    async lookup(conversationId): Promise<Lookup> {
      const held = live(conversationId);
      if (held) return { state: 'live', conversation: { ...held.record, tokenIds: [...held.record.tokenIds], reached: [...held.milestones] } };
      // peek, not get: polling an ended conversation must not save its tombstone from eviction (oldest go first).
      return ended.peek(conversationId) ? { state: 'ended' } : { state: 'unknown' };
    },

    async setTokenIds(conversationId, tokenIds) {
      const held = live(conversationId);
      if (held) held.record.tokenIds = [...tokenIds];
    },

    async setLocale(conversationId, locale) {
      const held = live(conversationId);
      if (held) held.record.locale = locale;
    },

    async reach(conversationId, milestone) {
      const held = live(conversationId);
      if (!held || held.milestones.has(milestone)) return false;
      held.milestones.add(milestone);
      return true;
    },

    async append(conversationId, activities) {
      const held = live(conversationId);
      if (!held) return undefined;
      const stored = activities.map((activity) => {
        held.seq += 1;
        const withId = { ...activity, id: activityId(conversationId, held.seq) };
        const bytes = Buffer.byteLength(JSON.stringify(withId), 'utf8');
        held.entries.push({ seq: held.seq, bytes, activity: withId });
        held.bytes += bytes;
        return withId;
      });
      // Clients that keep up never read old entries; a reconnect after a long gap simply starts later.
      while (held.entries.length > limits.maxActivities || held.bytes > limits.maxHistoryBytes) {
        held.bytes -= (held.entries.shift() as Entry).bytes;
      }
      held.lastActiveAt = now();
      for (const wake of listeners.get(conversationId) ?? []) wake();
      return stored.map((activity) => structuredClone(activity));
    },

    async since(conversationId, watermark): Promise<ActivitySet> {
      const held = live(conversationId);
      if (!held) return { activities: [], watermark };
      // Polls are frequent and usually find nothing new: answer those without touching the history.
      if (watermark >= held.seq || held.entries.length === 0) return { activities: [], watermark: held.seq };
      // Numbers are contiguous, so the first unseen entry is found by arithmetic.
      const first = (held.entries[0] as Entry).seq;
      return { activities: held.entries.slice(Math.max(0, watermark - first + 1)).map((entry) => entry.activity), watermark: held.seq };
    },

    async subscribe(conversationId, wake) {
      let set = listeners.get(conversationId);
      if (!set) listeners.set(conversationId, (set = new Set()));
      set.add(wake);
      return () => {
        set.delete(wake);
        if (set.size === 0 && listeners.get(conversationId) === set) listeners.delete(conversationId);
      };
    },

    sweep,
    count: async () => conversations.size,
    close: async () => undefined,
  };
}
