import {
  AuthenticationConstants,
  ConnectorFactory,
  type BotFrameworkAuthentication,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';

/** Teams and Web Chat use a handful of service URLs; this bounds the cache all the same. */
const MAX_CLIENTS = 256;

/** Promises by key, the most recently used last; a failed creation is forgotten so the next turn retries. */
class ClientCache<T> {
  private readonly entries = new Map<string, Promise<T>>();

  get(key: string, create: () => Promise<T>): Promise<T> {
    let client = this.entries.get(key);
    if (client) {
      this.entries.delete(key);
    } else {
      client = create();
      client.catch(() => {
        if (this.entries.get(key) === client) this.entries.delete(key);
      });
    }
    this.entries.set(key, client);
    if (this.entries.size > MAX_CLIENTS) this.entries.delete(this.entries.keys().next().value as string);
    return client;
  }
}

/** A connector factory that hands out one client per service URL and audience. */
class ReusingConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly cache: ClientCache<ConnectorClient>,
    private readonly prepare: (client: ConnectorClient) => ConnectorClient,
  ) {
    super();
  }

  create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    return this.cache.get(`${serviceUrl}\u0000${audience ?? ''}`, async () => this.prepare(await this.inner.create(serviceUrl, audience)));
  }
}

/** The app id botbuilder builds a user token client for: the audience claim, else the appid claim. */
function appIdOf(identity: ClaimsIdentity): string {
  return identity.getClaimValue(AuthenticationConstants.AudienceClaim) ?? identity.getClaimValue(AuthenticationConstants.AppIdClaim) ?? '';
}

export interface ReuseOptions {
  /** Runs once on each connector client when it is built (src/channels/reply-poster.ts). */
  prepareConnector?: (client: ConnectorClient) => ConnectorClient;
}

/**
 * CloudAdapter builds a new ConnectorClient and a new UserTokenClient for every turn: credentials,
 * an HTTP pipeline of a dozen policies and their ordering, each time; that was a third of a turn's
 * framework time (bench/README.md). This wrapper keeps them, as botbuilder's older
 * BotFrameworkAdapter kept its connector clients: per service URL and audience, and per app id.
 * The clients hold no state of a turn; their credentials renew their own tokens.
 */
export function reuseClients<T extends BotFrameworkAuthentication>(auth: T, options: ReuseOptions = {}): T {
  const connectors = new ClientCache<ConnectorClient>();
  const userTokens = new ClientCache<UserTokenClient>();
  const prepare = options.prepareConnector ?? ((client: ConnectorClient) => client);
  const reusing = (factory: ConnectorFactory) => new ReusingConnectorFactory(factory, connectors, prepare);
  return new Proxy(auth, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (property === 'authenticateRequest' || property === 'authenticateStreamingRequest') {
        return async (...args: unknown[]) => {
          const result = (await method.apply(target, args)) as { connectorFactory?: ConnectorFactory };
          return result.connectorFactory ? { ...result, connectorFactory: reusing(result.connectorFactory) } : result;
        };
      }
      if (property === 'createConnectorFactory') {
        return (identity: ClaimsIdentity) => reusing(method.call(target, identity) as ConnectorFactory);
      }
      if (property === 'createUserTokenClient') {
        return (identity: ClaimsIdentity) => userTokens.get(appIdOf(identity), () => method.call(target, identity) as Promise<UserTokenClient>);
      }
      return method.bind(target);
    },
  });
}
