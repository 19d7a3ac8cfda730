/**
 * What the Direct Line keeps between requests: conversations, the ids of their live tokens, and
 * each conversation's activities numbered 1, 2, 3… (the watermark is the last number a client
 * has). The protocol (directline.ts) runs over this interface only, in process
 * (directline-memory-state.ts, the embedded default) or in Redis (directline-redis-state.ts), so
 * that any instance can answer any request and push any turn's replies.
 */

/** The JSON shape of an activity on the wire (timestamps are strings, unlike botbuilder's `Activity`). */
export type WireActivity = Record<string, unknown>;

export interface ConversationRecord {
  id: string;
  /** The user id the conversation was created for, used when a client posts without `from.id`. */
  userId: string;
  locale?: string;
  /** Live token ids (`jti`), newest last; a refresh keeps two so that a poll already in flight still works. */
  tokenIds: string[];
  /** Milestones already reached when it was looked up (saves asking again on every post). */
  reached?: ConversationMilestone[];
}

/** Flags set once per conversation, by whichever request (on whichever instance) gets there first. */
export type ConversationMilestone = 'started' | 'userAnnounced';

export type Lookup = { state: 'live'; conversation: ConversationRecord } | { state: 'ended' } | { state: 'unknown' };

export interface ActivitySet {
  activities: WireActivity[];
  /** The number of the newest activity in the conversation (the client's next watermark). */
  watermark: number;
}

export interface StateLimits {
  /** A conversation with no new activity for this long ends. */
  idleMs: number;
  /** How long an ended conversation's tokens get 404 (then they are expired anyway). */
  endedMs: number;
  maxActivities: number;
  maxHistoryBytes: number;
  maxConversations: number;
}

export interface DirectLineState {
  /**
   * Stores a new conversation whose activities are numbered from `lastSeq + 1`; false when
   * `maxConversations` are live. True, and nothing changed, if it exists already.
   */
  create(conversation: ConversationRecord, lastSeq?: number): Promise<boolean>;
  lookup(conversationId: string): Promise<Lookup>;
  setTokenIds(conversationId: string, tokenIds: string[]): Promise<void>;
  setLocale(conversationId: string, locale: string): Promise<void>;
  /** True for the one caller that reached the milestone first. */
  reach(conversationId: string, milestone: ConversationMilestone): Promise<boolean>;
  /**
   * Appends activities (each with its `id` set from its number) and wakes the conversation's
   * subscribers on every instance. Undefined when the conversation has ended meanwhile.
   */
  append(conversationId: string, activities: readonly WireActivity[]): Promise<WireActivity[] | undefined>;
  /** Activities numbered above `watermark` that are still kept, and the newest number. */
  since(conversationId: string, watermark: number): Promise<ActivitySet>;
  /**
   * Calls `wake` after activities were appended to the conversation, on any instance. Resolves,
   * once the subscription is in place, to the unsubscribe: a reader that reads after that misses nothing.
   */
  subscribe(conversationId: string, wake: () => void): Promise<() => void>;
  /** Ends idle conversations now (the in-process state; Redis expires keys itself). Returns how many. */
  sweep(): number;
  /** Live conversations (this process's, or Redis's). */
  count(): Promise<number>;
  close(): Promise<void>;
}

export const ACTIVITY_ID_DIGITS = 7;

/** `<conversation>|0000042`: the id of a conversation's 42nd activity, as Azure's Direct Line shapes them. */
export function activityId(conversationId: string, seq: number): string {
  return `${conversationId}|${String(seq).padStart(ACTIVITY_ID_DIGITS, '0')}`;
}
