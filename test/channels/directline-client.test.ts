/**
 * The local Direct Line driven by the real botframework-directlinejs client (polling), once with a
 * stub bot that returns its replies and once with the app's CloudAdapter running the turn in
 * process (anonymous and with an app id), which is how the app wires it.
 */
import { ActivityTypes, ConfigurationBotFrameworkAuthentication, TurnContext } from 'botbuilder';
import { ServiceClientCredentialsFactory, type ServiceClientCredentials } from 'botframework-connector';
import { type Activity, ConnectionStatus, DirectLine } from 'botframework-directlinejs';
import { createLocalDirectLine, type LocalDirectLine } from '../../src/channels/directline';
import { TurnAdapter } from '../../src/http/turn-adapter';
import { useLoopbackXhrForDirectLine } from './support/loopback-xhr';
import { startServer, type TestServer } from './support/server';

/** Polling only; directlinejs still dereferences a WebSocket constructor, which Node 20 lacks. */
class NoWebSocket {
  constructor() {
    throw new Error('WebSocket is not used with webSocket: false');
  }
}

useLoopbackXhrForDirectLine();

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
    directLine = createLocalDirectLine({
      deliver: async (activity) =>
        activity.type === 'message' ? [{ type: 'message', text: `Je zei: ${activity.text}`, locale: activity.locale, replyToId: activity.id, from: activity.recipient }] : [],
    });
    server = await startServer((s) => directLine.register(s));
    const origin = server.origin;

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

  /** Credentials that record every request they would sign: any reply posted to a channel is signed first. */
  class RecordingCredentials extends ServiceClientCredentialsFactory {
    readonly signed: string[] = [];
    isValidAppId = async () => true;
    isAuthenticationDisabled = async () => false;
    createCredentials = async (): Promise<ServiceClientCredentials> => ({
      signRequest: async (request) => {
        this.signed.push(String(request.url));
        return request;
      },
    });
  }

  it.each([
    ['anonymous', ''],
    ['with an app id', '00000000-0000-4000-8000-000000000001'],
  ])('carries a real CloudAdapter turn (%s) in process: typing, then a reply, nothing posted anywhere', async (_name, appId) => {
    const credentials = new RecordingCredentials();
    const adapter = new TurnAdapter(new ConfigurationBotFrameworkAuthentication(appId ? { MicrosoftAppId: appId } : {}, appId ? credentials : undefined));
    const turnErrors: unknown[] = [];
    adapter.onTurnError = async (_context, error) => {
      turnErrors.push(error);
    };
    const bot = async (context: TurnContext) => {
      if (context.activity.type !== ActivityTypes.Message) return;
      await context.sendActivity({ type: ActivityTypes.Typing });
      await context.sendActivity(`Echo (${context.activity.locale}): ${context.activity.text} — [docs](https://learn.microsoft.com/)`);
    };
    directLine = createLocalDirectLine({ deliver: (activity) => adapter.runLocalTurn(activity, bot, appId) });
    server = await startServer((s) => directLine.register(s));
    const origin = server.origin;

    client = connect(origin);
    const typing = firstActivity(client, (a) => a.type === 'typing');
    const reply = firstActivity(client, (a) => a.type === 'message' && a.from.role === 'bot');
    const id = await postActivity(client, { type: 'message', from: { id: 'r_test' }, text: 'hello', locale: 'en-US' } as Activity);

    await expect(typing).resolves.toMatchObject({ from: { role: 'bot' } });
    await expect(reply).resolves.toMatchObject({ text: 'Echo (en-US): hello — [docs](https://learn.microsoft.com/)', replyToId: id });
    await directLine.drain();
    expect(turnErrors).toEqual([]);
    expect(credentials.signed).toEqual([]);
  });
});
