/**
 * The local Direct Line driven by the real botframework-directlinejs client (polling), once with a
 * stub bot that replies over HTTP and once with a real CloudAdapter in anonymous mode, which is how
 * the app wires it.
 */
import type { Activity as BotActivity } from 'botbuilder';
import { ActivityTypes, CloudAdapter, ConfigurationBotFrameworkAuthentication, TurnContext } from 'botbuilder';
import { type Activity, ConnectionStatus, DirectLine } from 'botframework-directlinejs';
import { createLocalDirectLine, type LocalDirectLine } from '../../src/channels/directline';
import { LoopbackXMLHttpRequest } from './support/loopback-xhr';
import { startServer, type TestServer } from './support/server';

/** Polling only; directlinejs still dereferences a WebSocket constructor, which Node 20 lacks. */
class NoWebSocket {
  constructor() {
    throw new Error('WebSocket is not used with webSocket: false');
  }
}

const globals = globalThis as unknown as { XMLHttpRequest?: unknown };
let savedXhr: unknown;

beforeAll(() => {
  savedXhr = globals.XMLHttpRequest;
  // rxjs 5's Observable.ajax (directlinejs' transport) looks this up on the global object per request.
  globals.XMLHttpRequest = LoopbackXMLHttpRequest;
});

afterAll(() => {
  globals.XMLHttpRequest = savedXhr;
});

function connect(origin: string): DirectLine {
  return new DirectLine({
    domain: `${origin}/v3/directline`,
    webSocket: false,
    pollingInterval: 200,
    WebSocket: NoWebSocket as unknown as typeof WebSocket,
  });
}

/** Resolves with the first activity matching the predicate, then unsubscribes. */
function firstActivity(dl: DirectLine, predicate: (activity: Activity) => boolean): Promise<Activity> {
  return new Promise((resolve, reject) => {
    const subscription = dl.activity$.subscribe({
      next: (activity) => {
        if (!predicate(activity)) return;
        subscription.unsubscribe();
        resolve(activity);
      },
      error: reject,
    });
  });
}

function postActivity(dl: DirectLine, activity: Activity): Promise<string> {
  return new Promise((resolve, reject) => {
    dl.postActivity(activity).subscribe({ next: resolve, error: reject });
  });
}

describe('local Direct Line with botframework-directlinejs', () => {
  let directLine: LocalDirectLine;
  let server: TestServer;
  let client: DirectLine | undefined;

  afterEach(async () => {
    client?.end();
    client = undefined;
    await directLine.close();
    await server.close();
  });

  it('posts a message and receives the echo and the bot reply through activity$', async () => {
    let origin = '';
    directLine = createLocalDirectLine({
      serviceUrl: () => `${origin}/`,
      deliver: async (activity) => {
        if (activity.type !== 'message') return;
        const url = `${activity.serviceUrl}v3/conversations/${encodeURIComponent(activity.conversation!.id)}/activities/${encodeURIComponent(activity.id!)}`;
        await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'message', text: `Je zei: ${activity.text}`, locale: activity.locale, replyToId: activity.id, from: activity.recipient }),
        });
      },
    });
    server = await startServer((s) => directLine.register(s));
    origin = server.origin;

    client = connect(origin);
    const echo = firstActivity(client, (a) => a.type === 'message' && a.from.role === 'user');
    const reply = firstActivity(client, (a) => a.type === 'message' && a.from.role === 'bot');
    const id = await postActivity(client, {
      type: 'message',
      from: { id: 'r_test' },
      text: 'hallo',
      locale: 'nl-NL',
      channelData: { clientActivityID: 'client-42' },
    } as Activity);

    expect(client.connectionStatus$.getValue()).toBe(ConnectionStatus.Online);
    await expect(echo).resolves.toMatchObject({ id, text: 'hallo', channelData: { clientActivityID: 'client-42' } });
    await expect(reply).resolves.toMatchObject({ text: 'Je zei: hallo', replyToId: id, locale: 'nl-NL' });
  });

  it('carries a real CloudAdapter turn (anonymous): typing, then a reply, through the connector routes', async () => {
    let origin = '';
    const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
    const turnErrors: unknown[] = [];
    adapter.onTurnError = async (_context, error) => {
      turnErrors.push(error);
    };
    const bot = async (context: TurnContext) => {
      if (context.activity.type !== ActivityTypes.Message) return;
      await context.sendActivity({ type: ActivityTypes.Typing });
      await context.sendActivity(`Echo (${context.activity.locale}): ${context.activity.text} — [docs](https://learn.microsoft.com/)`);
    };
    directLine = createLocalDirectLine({
      serviceUrl: () => `${origin}/`,
      // What the app does: an empty auth header is accepted when no MicrosoftAppId is configured.
      deliver: (activity) => adapter.processActivityDirect('', activity as BotActivity, bot),
    });
    server = await startServer((s) => directLine.register(s));
    origin = server.origin;

    client = connect(origin);
    const typing = firstActivity(client, (a) => a.type === 'typing');
    const reply = firstActivity(client, (a) => a.type === 'message' && a.from.role === 'bot');
    const id = await postActivity(client, { type: 'message', from: { id: 'r_test' }, text: 'hello', locale: 'en-US' } as Activity);

    await expect(typing).resolves.toMatchObject({ from: { role: 'bot' } });
    await expect(reply).resolves.toMatchObject({ text: 'Echo (en-US): hello — [docs](https://learn.microsoft.com/)', replyToId: id });
    await directLine.drain();
    expect(turnErrors).toEqual([]);
  });
});
