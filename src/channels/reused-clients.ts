import { LRUCache } from 'lru-cache';
import type { Activity } from 'botbuilder';
import {
  AuthenticationConstants,
  ConnectorFactory,
  type AuthenticateRequestResult,
  type BotFrameworkAuthentication,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';
import { DelegatingAuthentication } from './delegating-authentication';

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
 * framework time (bench/README.md). This authentication keeps them, as botbuilder's older
 * BotFrameworkAdapter kept its connector clients: per service URL and audience, and per app id.
 * The clients are botbuilder's own, unchanged (their retry policy included); they hold no state of
 * a turn, and their credentials renew their own tokens. Everything else is the inner one's.
 */
export class ClientReusingAuthentication extends DelegatingAuthentication {
  private readonly connectors = clientCache<ConnectorClient>();
  private readonly userTokens = clientCache<UserTokenClient>();

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.reusing(await super.authenticateRequest(activity, authHeader));
  }

  override async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    return this.reusing(await super.authenticateStreamingRequest(authHeader, channelIdHeader));
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return new ReusingConnectorFactory(super.createConnectorFactory(claimsIdentity), this.connectors);
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.userTokens(appIdOf(claimsIdentity), () => super.createUserTokenClient(claimsIdentity));
  }

  private reusing(result: AuthenticateRequestResult): AuthenticateRequestResult {
    return result.connectorFactory ? { ...result, connectorFactory: new ReusingConnectorFactory(result.connectorFactory, this.connectors) } : result;
  }
}

/** The app's authentication with its connector and user token clients reused across turns. */
export function reuseClients(auth: BotFrameworkAuthentication): ClientReusingAuthentication {
  return new ClientReusingAuthentication(auth);
}
