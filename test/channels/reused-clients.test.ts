import type { TurnContext } from 'botbuilder';
import { ClaimsIdentity, type BotFrameworkAuthentication, type ConnectorClient } from 'botframework-connector';
import { reuseClients } from '../../src/channels/reused-clients';
import { startFakeConnector } from '../support/fake-connector';
import { startHarness, type Harness } from '../support/bot-harness';

/** An authentication whose factories count what they build. */
function countingAuth() {
  const built: string[] = [];
  let failNext = false;
  const factory = {
    create: async (serviceUrl: string, audience?: string) => {
      if (failNext) {
        failNext = false;
        throw new Error('token endpoint unreachable');
      }
      built.push(`connector ${serviceUrl} ${audience ?? ''}`);
      return { serviceUrl, n: built.length } as unknown as ConnectorClient;
    },
  };
  const auth = {
    authenticateRequest: async () => ({ audience: 'https://api.botframework.com', callerId: 'x', claimsIdentity: new ClaimsIdentity([]), connectorFactory: factory }),
    createConnectorFactory: () => factory,
    createUserTokenClient: async (identity: ClaimsIdentity) => {
      built.push(`token ${identity.getClaimValue('aud') ?? ''}`);
      return { n: built.length };
    },
    getOriginatingAudience: () => 'https://api.botframework.com',
  } as unknown as BotFrameworkAuthentication;
  return { auth: reuseClients(auth), built, failNextCreate: () => (failNext = true) };
}

describe('connector and token clients are reused across turns', () => {
  test('one connector client per service URL and audience, shared by concurrent turns', async () => {
    const { auth, built } = countingAuth();
    const create = async (url: string) => (await auth.authenticateRequest({} as never, 'h')).connectorFactory!.create(url, 'https://api.botframework.com');

    const [a, b] = await Promise.all([create('https://smba.example.invalid/emea/'), create('https://smba.example.invalid/emea/')]);
    const c = await auth.createConnectorFactory(new ClaimsIdentity([])).create('https://smba.example.invalid/emea/', 'https://api.botframework.com');
    const other = await create('https://smba.example.invalid/amer/');

    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(other).not.toBe(a);
    expect(built).toEqual(['connector https://smba.example.invalid/emea/ https://api.botframework.com', 'connector https://smba.example.invalid/amer/ https://api.botframework.com']);
  });

  test('a client that could not be built is built again on the next turn', async () => {
    const { auth, built, failNextCreate } = countingAuth();
    const factory = auth.createConnectorFactory(new ClaimsIdentity([]));
    failNextCreate();

    await expect(factory.create('https://bots.example.invalid/', undefined)).rejects.toThrow('token endpoint unreachable');
    await new Promise((resolve) => setImmediate(resolve));
    await expect(factory.create('https://bots.example.invalid/', undefined)).resolves.toMatchObject({ serviceUrl: 'https://bots.example.invalid/' });
    expect(built).toHaveLength(1);
  });

  test('one user token client per app id', async () => {
    const { auth, built } = countingAuth();
    const identity = (aud: string) => new ClaimsIdentity([{ type: 'aud', value: aud }]);

    const [a, b] = await Promise.all([auth.createUserTokenClient(identity('app-1')), auth.createUserTokenClient(identity('app-1'))]);
    const c = await auth.createUserTokenClient(identity('app-2'));

    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(built).toEqual(['token app-1', 'token app-2']);
  });
});

describe('in the running bot', () => {
  let h: Harness;
  const clients: unknown[] = [];

  beforeAll(async () => {
    h = await startHarness({
      overrides: {
        observers: [(context: TurnContext) => void clients.push(context.turnState.get((context.adapter as unknown as { ConnectorClientKey: symbol }).ConnectorClientKey))],
      },
    });
  });
  afterAll(() => h.close());

  test('turns of different conversations on one channel reply through the same client, and every reply arrives', async () => {
    const other = await startFakeConnector();
    try {
      const first = h.conversation('en-US');
      const second = h.conversation('nl-NL');
      await first.say('my subscription stopped');
      await second.say('mijn abonnement is verlopen');
      await first.click('It expired');
      // A conversation on another channel endpoint gets its own client.
      const elsewhere = { ...first.activity({ text: 'hello' }), serviceUrl: other.url, conversation: { id: 'elsewhere' } };
      expect((await h.post(elsewhere)).status).toBe(200);

      expect(clients).toHaveLength(4);
      expect(new Set(clients.slice(0, 3)).size).toBe(1);
      expect(clients[3]).not.toBe(clients[0]);
      expect(h.connector.repliesTo(first.id)).toHaveLength(2);
      expect(h.connector.repliesTo(second.id)).toHaveLength(1);
      expect(other.repliesTo('elsewhere')).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});
