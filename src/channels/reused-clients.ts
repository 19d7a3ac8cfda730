import { LRUCache } from 'lru-cache';
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

type Cached<T> = (key: string, create: () => Promise<T>) => Promise<T>;

/** One promise per key, shared by concurrent turns; a failed creation is forgotten so the next turn builds it again. */
function clientCache<T>(): Cached<T> {
  const entries = new LRUCache<string, Promise<T>>({ max: MAX_CLIENTS });
  return (key, create) => {
    const cached = entries.get(key);
    if (cached) return cached;
    const created = create();
    created.catch(() => {
      if (entries.peek(key) === created) entries.delete(key);
    });
    entries.set(key, created);
    return created;
  };
}

/** A connector factory (botframework-connector's extension point) that hands out one client per service URL and audience. */
class ReusingConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly cached: Cached<ConnectorClient>,
  ) {
    super();
  }

  create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    return this.cached(`${serviceUrl}\u0000${audience ?? ''}`, () => this.inner.create(serviceUrl, audience));
  }
}

/** The app id botbuilder builds a user token client for: the audience claim, else the appid claim. */
function appIdOf(identity: ClaimsIdentity): string {
  return identity.getClaimValue(AuthenticationConstants.AudienceClaim) ?? identity.getClaimValue(AuthenticationConstants.AppIdClaim) ?? '';
}

/**
 * CloudAdapter builds a new ConnectorClient and a new UserTokenClient for every turn: credentials,
 * an HTTP pipeline of a dozen policies and their ordering, each time; that was a third of a turn's
 * framework time (bench/README.md). This wrapper keeps them, as botbuilder's older
 * BotFrameworkAdapter kept its connector clients: per service URL and audience, and per app id.
 * The clients are botbuilder's own, unchanged (their retry policy included); they hold no state of
 * a turn, and their credentials renew their own tokens.
 */
export function reuseClients<T extends BotFrameworkAuthentication>(auth: T): T {
  const connectors = clientCache<ConnectorClient>();
  const userTokens = clientCache<UserTokenClient>();
  const reusing = (factory: ConnectorFactory) => new ReusingConnectorFactory(factory, connectors);
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
        return (identity: ClaimsIdentity) => userTokens(appIdOf(identity), () => method.call(target, identity) as Promise<UserTokenClient>);
      }
      return method.bind(target);
    },
  });
}
