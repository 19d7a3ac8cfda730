import type { Storage } from 'botbuilder';
import type { StepId } from '../../dialogs/setup';
import type { Locale } from '../../dialogs/types';
import { maskProductKeys } from '../understanding/product-key';
import { readModifyWrite } from '../storage/read-modify-write';

/**
 * Recent messages the bot did not understand, for support leads: the training data
 * (content/<locale>/intents.json) grows from this list. Product keys are masked before anything is
 * stored; the same message (ignoring case and spacing) is one entry with a count.
 */
export interface NotUnderstood {
  text: string;
  count: number;
  firstAt: number;
  lastAt: number;
  /** The conversation's language and the step it was at, when the message was last sent. */
  locale: Locale;
  step: StepId;
}

export interface NotUnderstoodOptions {
  /** Distinct messages kept; the least recently sent drop out first. */
  maxEntries?: number;
  /** Longest stored message, in characters. */
  maxChars?: number;
  /** Entries not seen for this long are forgotten (STATE_TTL_DAYS); 0 keeps them. */
  ttlMs?: number;
}

interface Stored {
  entries: NotUnderstood[];
}

const KEY = 'agent/not-understood';

/** The same message typed twice, however it was capitalised or spaced. */
const sameAs = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

export class NotUnderstoodLog {
  private readonly maxEntries: number;
  private readonly maxChars: number;
  private readonly ttlMs: number;

  constructor(
    private readonly store: Storage,
    options: NotUnderstoodOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 200;
    this.maxChars = options.maxChars ?? 300;
    this.ttlMs = options.ttlMs ?? 0;
  }

  async record(text: string, locale: Locale, step: StepId, at: number): Promise<void> {
    const masked = maskProductKeys(text.replace(/\s+/g, ' ').trim()).slice(0, this.maxChars);
    if (!masked) return;
    const key = sameAs(masked);
    await readModifyWrite<Stored>(this.store, KEY, (current) => {
      const entries = this.live(current?.entries ?? [], at);
      const found = entries.find((e) => sameAs(e.text) === key);
      const next: NotUnderstood[] = found
        ? entries.map((e) => (e === found ? { ...e, count: e.count + 1, lastAt: at, locale, step } : e))
        : [...entries, { text: masked, count: 1, firstAt: at, lastAt: at, locale, step }];
      next.sort((a, b) => b.lastAt - a.lastAt);
      return { entries: next.slice(0, this.maxEntries) };
    });
  }

  /** Most recent first. */
  async list(now: number): Promise<NotUnderstood[]> {
    const stored = (await this.store.read([KEY]))[KEY] as Stored | undefined;
    return this.live(Array.isArray(stored?.entries) ? stored.entries : [], now).sort((a, b) => b.lastAt - a.lastAt);
  }

  private live(entries: NotUnderstood[], now: number): NotUnderstood[] {
    return this.ttlMs > 0 ? entries.filter((e) => now - e.lastAt < this.ttlMs) : [...entries];
  }
}
