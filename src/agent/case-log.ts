import type { Storage, StoreItems } from 'botbuilder';
import type { EscalationReason, StepId } from '../../dialogs/setup';
import type { KnownErrorId, Locale } from '../../dialogs/types';
import type { CaseSummary } from '../bot/case-summary';
import { maskProductKeys } from '../understanding/product-key';
import { hasLists } from '../storage/create-store';
import { readModifyWrite } from '../storage/read-modify-write';

/** One line of a conversation as agents read it. Product keys are masked before a line is stored. */
export interface TranscriptLine {
  at: string;
  from: 'customer' | 'bot';
  text: string;
  /** The step the bot was at when it said this. */
  step?: StepId;
}

export interface HandOff {
  reason: EscalationReason;
  at: number;
  status: 'open' | 'closed';
  closedAt?: number;
  /** The summary as it stood when the bot handed over; the conversation may go on afterwards. */
  summary: CaseSummary;
}

/** What is known about one bot conversation: where it got to, how it ended, and any hand-off. */
export interface CaseRecord {
  conversationKey: string;
  channelId: string;
  startedAt: number;
  lastActivity: number;
  /** Turns in which the customer said or clicked something (a welcome alone is not a conversation). */
  userTurns: number;
  locale: Locale;
  step: StepId;
  summary: CaseSummary;
  /** The latest outcome the conversation reached; 'open' until it reaches one. */
  outcome: 'open' | 'resolved' | 'escalated';
  rating: number | null;
  /** Every known error matched in the conversation, in order, once each. */
  errorIds: KnownErrorId[];
  handOff?: HandOff;
}

export interface CaseLogOptions {
  /** Lines kept per transcript; older ones are dropped (and counted). */
  maxLines?: number;
  /** Conversations kept; the oldest drop out of the index and their records are deleted. */
  maxCases?: number;
  /** Longest stored line, in characters. */
  maxLineChars?: number;
}

interface StoredTranscript {
  conversationKey: string;
  lines: TranscriptLine[];
  dropped: number;
  eTag?: string;
}

interface StoredIndex {
  keys: string[];
  eTag?: string;
}

const PREFIX = 'agent';
const INDEX_KEY = `${PREFIX}/cases/index`;
const caseKey = (conversationKey: string) => `${PREFIX}/cases/${conversationKey}`;
const transcriptKey = (conversationKey: string) => `${PREFIX}/transcripts/${conversationKey}`;

/**
 * Transcripts and cases in the conversation store (so they follow it to Redis when the bot scales
 * out), next to an index of case keys for listing and stats. Every change is a read-modify-write
 * with the eTag that was read, retried on a conflict, like the turn loop's own state.
 */
export class CaseLog {
  private readonly maxLines: number;
  private readonly maxCases: number;
  private readonly maxLineChars: number;

  constructor(
    private readonly store: Storage,
    options: CaseLogOptions = {},
  ) {
    if (!store) throw new Error('CaseLog needs a store');
    this.maxLines = options.maxLines ?? 200;
    this.maxCases = options.maxCases ?? 1000;
    this.maxLineChars = options.maxLineChars ?? 4000;
  }

  /** Appends lines to the transcript and updates the case; returns the transcript as stored. */
  async record(
    conversationKey: string,
    lines: readonly TranscriptLine[],
    change: (current: CaseRecord | undefined) => CaseRecord,
  ): Promise<{ transcript: TranscriptLine[]; record: CaseRecord }> {
    const safe = lines.map((line) => ({ ...line, text: maskProductKeys(line.text).slice(0, this.maxLineChars) }));
    let created = false;
    const store = this.store;
    // Two independent keys: written side by side rather than one after the other. A store with
    // lists gets only the new lines (a row each); any other store, the whole transcript again.
    const [transcript, record] = await Promise.all([
      hasLists(store)
        ? store.append(transcriptKey(conversationKey), safe, this.maxLines).then(async () => (await this.transcript(conversationKey)).lines)
        : this.update<StoredTranscript>(transcriptKey(conversationKey), (current) => {
            const all = [...(current?.lines ?? []), ...safe];
            const keep = all.slice(-this.maxLines);
            return { conversationKey, lines: keep, dropped: (current?.dropped ?? 0) + all.length - keep.length };
          }).then((stored) => stored.lines),
      this.update<StoredCase>(caseKey(conversationKey), (current) => {
        created = !current;
        return change(current ? withoutETag(current) : undefined);
      }),
    ]);
    if (created) await this.addToIndex(conversationKey);
    return { transcript, record: withoutETag(record) };
  }

  /**
   * A conversation's transcript: its list, after the lines of a transcript stored whole (by a
   * store without lists, or by a version before them, as imported from the journal).
   */
  private async transcript(conversationKey: string): Promise<{ lines: TranscriptLine[]; dropped: number }> {
    const key = transcriptKey(conversationKey);
    const whole = (await this.store.read([key]))[key] as StoredTranscript | undefined;
    const list = hasLists(this.store) ? await this.store.list(key) : { entries: [], dropped: 0 };
    const lines = [...(whole?.lines ?? []), ...(list.entries as TranscriptLine[])];
    const keep = lines.slice(-this.maxLines);
    return { lines: keep, dropped: (whole?.dropped ?? 0) + list.dropped + lines.length - keep.length };
  }

  async get(conversationKey: string): Promise<{ record: CaseRecord; transcript: TranscriptLine[]; dropped: number } | undefined> {
    const items = await this.store.read([caseKey(conversationKey)]);
    const record = items[caseKey(conversationKey)] as StoredCase | undefined;
    if (!record) return undefined;
    const transcript = await this.transcript(conversationKey);
    return {
      record: withoutETag(record),
      // Masked again on the way out: a line stored by an older version must not leak either.
      transcript: transcript.lines.map((line) => ({ ...line, text: maskProductKeys(line.text) })),
      dropped: transcript.dropped,
    };
  }

  /** Every case in the index, newest first. */
  async list(): Promise<CaseRecord[]> {
    const index = (await this.store.read([INDEX_KEY]))[INDEX_KEY] as StoredIndex | undefined;
    const keys = index?.keys ?? [];
    if (keys.length === 0) return [];
    const items: StoreItems = await this.store.read(keys.map(caseKey));
    return keys
      .map((key) => items[caseKey(key)] as StoredCase | undefined)
      .filter((r): r is StoredCase => Boolean(r))
      .map(withoutETag)
      .reverse();
  }

  /** Marks a hand-off as picked up. Returns false when there is no such case or no hand-off. */
  async closeHandOff(conversationKey: string, now: number): Promise<boolean> {
    const existing = await this.get(conversationKey);
    if (!existing?.record.handOff) return false;
    await this.update<StoredCase>(caseKey(conversationKey), (current) => {
      const record = withoutETag(current ?? existing.record);
      return record.handOff ? { ...record, handOff: { ...record.handOff, status: 'closed', closedAt: now } } : record;
    });
    return true;
  }

  private pendingIndex: string[] = [];
  private indexFlush: Promise<void> | undefined;

  /**
   * New cases join the index in batches: every key that arrives while one index write is running
   * goes into the next one. Within a process there is then never a conflict on the index, and
   * across instances at most one writer per instance competes for it.
   */
  private addToIndex(conversationKey: string): Promise<void> {
    this.pendingIndex.push(conversationKey);
    if (!this.indexFlush) {
      this.indexFlush = (async () => {
        // Wait for the batch to fill while the previous turn's writes settle.
        await Promise.resolve();
        try {
          while (this.pendingIndex.length > 0) {
            const batch = this.pendingIndex;
            this.pendingIndex = [];
            await this.writeIndex(batch);
          }
        } finally {
          this.indexFlush = undefined;
        }
      })();
    }
    return this.indexFlush;
  }

  private async writeIndex(added: readonly string[]): Promise<void> {
    let dropped: string[] = [];
    const adding = new Set(added);
    await this.update<StoredIndex>(INDEX_KEY, (current) => {
      const keys = [...(current?.keys ?? []).filter((k) => !adding.has(k)), ...adding];
      dropped = keys.slice(0, Math.max(0, keys.length - this.maxCases));
      return { keys: keys.slice(dropped.length) };
    });
    if (dropped.length > 0) await this.store.delete(dropped.flatMap((k) => [caseKey(k), transcriptKey(k)]));
  }

  private update<T extends { eTag?: string }>(key: string, change: (current: T | undefined) => T): Promise<T> {
    return readModifyWrite<T>(this.store, key, change);
  }
}

type StoredCase = CaseRecord & { eTag?: string };

function withoutETag(item: StoredCase): CaseRecord {
  const { eTag: _eTag, ...rest } = item;
  return rest;
}
