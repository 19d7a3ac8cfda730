import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { buildApp, type App, type AppOverrides } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger, type Logger } from '../../src/logger';
import { startFakeConnector, type FakeConnector } from './fake-connector';

export interface Harness {
  app: App;
  url: string;
  connector: FakeConnector;
  dataDir: string;
  conversation(locale?: string, options?: { channelId?: string; id?: string }): Chat;
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export interface Button {
  title: string;
  data: Record<string, unknown>;
}

/** Every Action.Submit in a reply's cards, plus its suggested actions, as clickable buttons. */
export function buttonsOf(activity: Partial<Activity> | undefined): Button[] {
  if (!activity) return [];
  const found: Button[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if (obj.type === 'Action.Submit' && typeof obj.title === 'string') {
      found.push({ title: obj.title, data: (obj.data ?? {}) as Record<string, unknown> });
    }
    Object.values(obj).forEach(walk);
  };
  walk(activity.attachments?.map((a) => a.content));
  for (const action of activity.suggestedActions?.actions ?? []) {
    found.push({ title: action.title ?? String(action.value), data: (typeof action.value === 'object' ? action.value : { text: action.value }) as Record<string, unknown> });
  }
  return found;
}

/** All visible text of a reply: its Markdown and the text blocks of its cards. */
export function textOf(activity: Partial<Activity> | undefined): string {
  if (!activity) return '';
  const parts: string[] = [activity.text ?? ''];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if (obj.type === 'TextBlock' && typeof obj.text === 'string') parts.push(obj.text);
    Object.values(obj).forEach(walk);
  };
  walk(activity.attachments?.map((a) => a.content));
  return parts.join('\n');
}

let counter = 0;

/** A user's message activity as a channel sends it: the n-th of conversation `id`. */
export function userActivity(
  conversation: { id: string; channelId: string; locale: string; serviceUrl: string; n: number },
  fields: Partial<Activity>,
): Partial<Activity> {
  return {
    type: 'message',
    id: `${conversation.id}-a${conversation.n}`,
    channelId: conversation.channelId,
    serviceUrl: conversation.serviceUrl,
    conversation: { id: conversation.id } as Activity['conversation'],
    from: { id: 'user-1', name: 'User' },
    recipient: { id: 'bot', name: 'activation-guide' },
    locale: conversation.locale,
    timestamp: new Date(),
    ...fields,
  };
}

export class Chat {
  private sent = 0;
  readonly id: string;

  constructor(
    private readonly harness: Harness,
    readonly locale: string,
    readonly channelId = 'emulator',
    id?: string,
  ) {
    this.id = id ?? `conv-${process.pid}-${++counter}-${Date.now()}`;
  }

  activity(fields: Partial<Activity>): Partial<Activity> {
    this.sent++;
    return userActivity({ id: this.id, channelId: this.channelId, locale: this.locale, serviceUrl: this.harness.connector.url, n: this.sent }, fields);
  }

  /** Sends an activity and returns the replies it produced. */
  async send(fields: Partial<Activity>): Promise<Activity[]> {
    const before = this.harness.connector.repliesTo(this.id).length;
    const res = await this.harness.post(this.activity(fields));
    if (res.status >= 300) throw new Error(`POST /api/messages answered ${res.status}: ${res.body}`);
    return this.harness.connector.repliesTo(this.id).slice(before);
  }

  /** Joins the conversation the way Web Chat and the Emulator do, which brings the welcome. */
  open(): Promise<Activity[]> {
    return this.send({ type: 'conversationUpdate', text: undefined, membersAdded: [{ id: 'bot', name: 'activation-guide' }] });
  }

  say(text: string): Promise<Activity[]> {
    return this.send({ text });
  }

  /** Clicks the button with this title on the latest reply that has it. */
  async click(title: string): Promise<Activity[]> {
    const button = buttonsOf(this.last()).find((b) => b.title === title);
    if (!button) throw new Error(`no button "${title}" in the last reply; buttons: ${buttonsOf(this.last()).map((b) => b.title).join(' | ')}`);
    return this.send({ text: undefined, value: button.data });
  }

  last(): Activity | undefined {
    const replies = this.harness.connector.repliesTo(this.id).filter((a) => a.type === 'message');
    return replies[replies.length - 1];
  }

  lastText(): string {
    return textOf(this.last());
  }

  buttons(): string[] {
    return buttonsOf(this.last()).map((b) => b.title);
  }
}

export async function startHarness(options: { env?: Record<string, string>; overrides?: AppOverrides; logger?: Logger } = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ag-test-'));
  const connector = await startFakeConnector();
  const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...options.env });
  const app = buildApp(config, options.logger ?? createLogger('silent'), options.overrides);
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${app.server.address().port}`;
  const harness: Harness = {
    app,
    url,
    connector,
    dataDir,
    conversation: (locale = 'en-US', opts = {}) => new Chat(harness, locale, opts.channelId, opts.id),
    post: async (body, headers = {}) => {
      const res = await fetch(`${url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.status, body: await res.text() };
    },
    close: async () => {
      await app.close();
      await connector.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}
