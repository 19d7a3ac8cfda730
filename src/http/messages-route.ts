import type { IncomingMessage } from 'node:http';
import type { Activity, TurnContext } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import type { Request, Response, Server } from 'restify';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { checkActivityShape } from './activity-shape';
import { sendError } from '../web/error-reply';
import { checkServiceUrl } from '../web/service-url';
import type { TurnAdapter } from './turn-adapter';

export interface MessagesRouteDeps {
  config: Pick<Config, 'auth' | 'allowedServiceUrls'>;
  logger: Logger;
  adapter: TurnAdapter;
  /** The bot's turn. */
  turn: (context: TurnContext) => Promise<void>;
}

/**
 * `POST /api/messages`, where channels (Teams, Azure Bot Service, the Emulator) deliver activities.
 * Before this handler: the guards (./guards.ts) and, with credentials, the token check
 * (requireChannelToken in ./auth.ts). Here: the activity's shape, in anonymous mode the serviceUrl
 * the reply would go to, then botbuilder's turn; every refusal in the app's error shape.
 */
export function registerMessagesRoute(server: Server, deps: MessagesRouteDeps): void {
  const { config, logger, adapter, turn } = deps;
  server.post('/api/messages', async (req: Request, res: Response) => {
    const shape = checkActivityShape(req.body);
    if (!shape.ok) return sendError(res, 400, 'BadRequest', shape.message);
    if (!config.auth) {
      const verdict = checkServiceUrl((req.body as Partial<Activity>).serviceUrl, config.allowedServiceUrls);
      if (!verdict.ok) {
        logger.warn({ reason: verdict.reason, remote: remoteOf(req) }, 'refused activity in anonymous mode');
        return sendError(res, 403, 'Forbidden', verdict.reason);
      }
    }
    try {
      const invoke = await adapter.runTurn(req.headers.authorization ?? '', req.body as Activity, turn);
      if (invoke?.body === undefined) res.send(invoke?.status ?? 200);
      else res.send(invoke.status, invoke.body);
    } catch (err) {
      if (err instanceof AuthenticationError) return sendError(res, 401, 'Unauthorized', 'the request could not be authenticated', { 'WWW-Authenticate': 'Bearer' });
      // onTurnError has answered the user already; this is what escaped it.
      logger.error({ err, conversation: (req.body as Partial<Activity>).conversation?.id }, 'activity could not be processed');
      return sendError(res, 500, 'InternalError', 'the activity could not be processed');
    }
  });
}

function remoteOf(req: Request): string | undefined {
  return (req as unknown as IncomingMessage).socket?.remoteAddress;
}
