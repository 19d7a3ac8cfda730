import type { Activity } from 'botbuilder';
import type { Locale } from '../../dialogs/types';
import type { ConversationRecord } from '../../src/bot/conversation';
import type { ConversationStore } from '../../src/storage/create-store';
import { buttonsOf, textOf, userActivity, type Button, type Harness } from './bot-harness';
import type { FakeConnector } from './fake-connector';
import { expected } from './transcript';

/**
 * One conversation that is not tied to one server: every activity names the server it goes to,
 * so that the turns of one conversation can alternate between bot instances (a load balancer),
 * survive a restarted process, or race each other. Replies are matched to the activity they
 * answer by `replyToId`, so concurrent turns on one connector never get mixed up.
 */

/** Where an activity goes: a bot's base URL, and the fake channel its replies go to. */
export interface Endpoint {
  name: string;
  url: string;
  connector: FakeConnector;
}

export function endpointOf(harness: Harness, name: string): Endpoint {
  return { name, url: harness.url, connector: harness.connector };
}

export interface TurnResult {
  activity: Partial<Activity>;
  status: number;
  body: string;
  /** The bot's messages that answer this activity. */
  replies: Activity[];
  /** The visible text of the last of them ('' when there was none). */
  text: string;
  /** The step the last reply's answer buttons belong to (undefined for a reply without answers). */
  step: string | undefined;
}

let counter = 0;

export class SharedConversation {
  readonly id: string;
  private sent = 0;
  private lastReply: Activity | undefined;

  constructor(
    readonly locale: Locale = 'en-US',
    readonly channelId = 'emulator',
    id?: string,
  ) {
    this.id = id ?? `shared-${process.pid}-${++counter}-${Date.now()}`;
  }

  /** The storage key of this conversation, as the bot computes it. */
  get key(): string {
    return `${this.channelId}/conversations/${this.id}`;
  }

  /** A new activity of this conversation, with a fresh id unless `fields.id` is given. */
  activity(to: Endpoint, fields: Partial<Activity> = {}): Partial<Activity> {
    this.sent++;
    return userActivity({ id: this.id, channelId: this.channelId, locale: this.locale, serviceUrl: to.connector.url, n: this.sent }, fields);
  }

  /** Posts an activity (new or a redelivery of an earlier one) and collects the replies to it. */
  async post(to: Endpoint, activity: Partial<Activity>): Promise<TurnResult> {
    const before = new Set(to.connector.received);
    const res = await fetch(`${to.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    const body = await res.text();
    const replies = to.connector
      .repliesTo(this.id)
      .filter((a) => !before.has(a) && a.type === 'message' && a.replyToId === activity.id);
    const last = replies[replies.length - 1];
    if (last) this.lastReply = last;
    return { activity, status: res.status, body, replies, text: textOf(last), step: stepOf(last) };
  }

  send(to: Endpoint, fields: Partial<Activity>): Promise<TurnResult> {
    return this.post(to, this.activity(to, fields));
  }

  say(to: Endpoint, text: string): Promise<TurnResult> {
    return this.send(to, { text });
  }

  /** Clicks a button of the latest reply this conversation got, from whichever instance it came. */
  click(to: Endpoint, title: string): Promise<TurnResult> {
    const button = buttonsOf(this.lastReply).find((b) => b.title === title);
    if (!button) {
      throw new Error(`no button "${title}" in the last reply; buttons: ${buttonsOf(this.lastReply).map((b) => b.title).join(' | ')}`);
    }
    return this.send(to, { text: undefined, value: button.data });
  }

  /** The Bot Framework Emulator / Web Chat join, which brings the welcome. */
  open(to: Endpoint): Promise<TurnResult> {
    return this.send(to, { type: 'conversationUpdate', membersAdded: [{ id: 'bot', name: 'activation-guide' }] });
  }
}

/** The step of a reply, read off the `step` its answer buttons carry. */
export function stepOf(reply: Partial<Activity> | undefined): string | undefined {
  const withStep = buttonsOf(reply).find((b: Button) => typeof b.data.step === 'string');
  return withStep?.data.step as string | undefined;
}

/** The stored record of a conversation, read straight from a store. */
export async function storedRecord(store: ConversationStore, key: string): Promise<(ConversationRecord & { eTag?: string }) | undefined> {
  return (await store.read([key]))[key] as (ConversationRecord & { eTag?: string }) | undefined;
}

/** The step a stored snapshot is at (the machine's state value, e.g. `{ activate: 'apps' }` → `activate.apps`). */
export function storedStep(record: ConversationRecord | undefined): string | undefined {
  const value = (record?.snapshot as { value?: unknown } | undefined)?.value;
  const flatten = (v: unknown): string =>
    typeof v === 'string' ? v : Object.entries(v as Record<string, unknown>).map(([k, inner]) => `${k}.${flatten(inner)}`).join(',');
  return value === undefined ? undefined : flatten(value);
}

/**
 * The text a reply must contain, from locales/ and content/ rather than hard-coded English
 * (the same resolution as the conversation tables in transcript.ts).
 */
export const copy = expected;

/** Polls until `check` resolves truthy, or fails after `timeoutMs` with what it last saw. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
