import { CloudAdapter, ConfigurationBotFrameworkAuthentication, DeliveryModes, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import { AuthenticationConstants } from 'botframework-connector';
import { reuseClients } from '../channels/reused-clients';
import type { Config } from '../config';
import { guardAuthentication } from './auth';
import { botCloud, credentialsFor } from './bot-cloud';

/**
 * botbuilder's CloudAdapter, with two ways in that its public `process()` cannot serve (the reasons
 * are in src/http/README.md, "Why not CloudAdapter.process()"): an activity /api/messages has already
 * parsed and checked (src/http/activity-shape.ts), answered in our own error shape, and an
 * in-process Direct Line turn whose replies are the turn's result. Both call `processActivity`,
 * the protected member CloudAdapter keeps for subclasses; authentication, the turn context and
 * the invoke response are botbuilder's, unchanged.
 */
export class TurnAdapter extends CloudAdapter {
  /** Runs one turn for an activity received over HTTP; resolves to the invoke response, if any. */
  runTurn(authorization: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authorization, withDates(activity), logic);
  }

  /**
   * Runs one turn for an activity that did not come over HTTP (the local Direct Line) and resolves
   * to what the bot sent in it: with `deliveryMode: 'expectReplies'` botbuilder collects the replies
   * of the turn (the error handler's apology included) instead of posting them to a channel.
   */
  async runLocalTurn(activity: Partial<Activity>, logic: (context: TurnContext) => Promise<void>, appId = ''): Promise<Partial<Activity>[]> {
    const claimsIdentity = this.createClaimsIdentity(appId);
    const response = await this.processActivity(
      {
        audience: AuthenticationConstants.ToChannelFromBotOAuthScope,
        callerId: '',
        claimsIdentity,
        connectorFactory: this.botFrameworkAuthentication.createConnectorFactory(claimsIdentity),
      },
      withDates({ ...activity, deliveryMode: DeliveryModes.ExpectReplies } as Activity),
      logic,
    );
    return (response?.body as { activities?: Partial<Activity>[] } | undefined)?.activities ?? [];
  }
}

/** The app's adapter: botbuilder's authentication from the configuration, a bad token always a 401, clients reused across turns. */
export function createTurnAdapter(auth: Config['auth']): TurnAdapter {
  const cloud = botCloud(auth?.cloud);
  return new TurnAdapter(
    reuseClients(
      guardAuthentication(
        new ConfigurationBotFrameworkAuthentication(
          {
            MicrosoftAppId: auth?.appId ?? '',
            MicrosoftAppPassword: auth?.appPassword ?? '',
            MicrosoftAppType: auth?.appType ?? 'MultiTenant',
            MicrosoftAppTenantId: auth?.tenantId ?? '',
            ...cloud,
          },
          credentialsFor(auth, cloud),
        ),
        auth?.appId,
      ),
    ),
  );
}

/**
 * What botbuilder's validateAndFixActivity does to a received activity, as `process()` would: its
 * times become Dates. Written out because the package does not export it (src/http/README.md).
 */
function withDates(activity: Activity): Activity {
  const a = activity as Activity & Record<string, unknown>;
  for (const [field, raw] of [
    ['timestamp', 'rawTimestamp'],
    ['expiration', 'rawExpiration'],
    ['localTimestamp', 'rawLocalTimestamp'],
  ] as const) {
    const value = a[field];
    if (typeof value === 'string') {
      a[raw] = value;
      a[field] = new Date(value);
    }
  }
  return activity;
}
