import type { IncomingMessage } from 'node:http';
import { ConfigurationBotFrameworkAuthentication, type Activity } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import restify, { type Request, type Response, type Server } from 'restify';
import type { Config } from './config';
import type { Logger } from './logger';
import { LOCALES } from '../dialogs/types';
import { GuideBot, toLocale, type TurnObserver } from './bot/guide-bot';
import { createAgentDesk } from './agent/desk';
import { createOperations } from './ops/operations';
import { interpret } from './bot/interpret';
import { loadKnownErrorCatalog } from './bot/known-error-catalog';
import { loadPhraseMatcher } from './bot/phrase-matcher';
import { Renderer } from './bot/render';
import { replyActivity } from './bot/reply-activity';
import { checkActivityShape } from './http/activity-shape';
import { checkBearer, guardAuthentication } from './http/auth';
import { sendError } from './http/error-reply';
import { TurnAdapter } from './http/turn-adapter';
import { loadGuideContent } from './i18n/guide-content';
import { createStrings } from './i18n/strings';
import { checkServiceUrl } from './security/service-url';
import { createLocalDirectLine, type LocalDirectLine } from './channels/directline';
import { postRepliesDirectly } from './channels/reply-poster';
import { reuseClients } from './channels/reused-clients';
import { teamsReader } from './channels/teams-reader';
import { registerWebChatPage } from './channels/webchat-page';
import { containsProductKey, maskProductKeys } from './matching/product-key';
import { createStore, type ConversationStore } from './storage/create-store';

export interface AppOverrides {
  store?: ConversationStore;
  observers?: TurnObserver[];
}

export interface App {
  server: Server;
  adapter: TurnAdapter;
  bot: GuideBot;
  store: ConversationStore;
  /** The base URL the server is reachable on, once it listens (for the local Direct Line's serviceUrl). */
  baseUrl(): string;
  close(): Promise<void>;
}

/**
 * Builds the whole service without listening, so tests can start it on any port and the server
 * module only owns the port, signals and process-level logging.
 */
export function buildApp(config: Config, logger: Logger, overrides: AppOverrides = {}): App {
  const strings = createStrings();
  const content = loadGuideContent();
  const errors = loadKnownErrorCatalog();
  const phrases = loadPhraseMatcher(undefined, {
    // The buttons' own labels are answers too, in both languages.
    choices: Object.fromEntries(
      Object.keys(strings.namespace('en-US', 'common').choice as Record<string, string>).map((choice) => [
        choice,
        LOCALES.map((l) => strings.t(l, `common:choice.${choice}`)),
      ]),
    ),
  });
  const renderer = new Renderer(strings, content, errors);
  const store =
    overrides.store ??
    createStore({
      redisUrl: config.redisUrl,
      dataDir: config.dataDir,
      ttlSeconds: config.stateTtlSeconds,
      onError: (err) => logger.warn({ err }, 'redis connection error'),
      onWarn: (message, err) => logger.warn({ err }, message),
    });

  const ops = createOperations({ config, logger, store });
  const agentDesk = createAgentDesk({ config, logger, store, strings, renderer, errors, phrases });

  const adapter = new TurnAdapter(
    reuseClients(
      guardAuthentication(
        new ConfigurationBotFrameworkAuthentication({
          MicrosoftAppId: config.auth?.appId ?? '',
          MicrosoftAppPassword: config.auth?.appPassword ?? '',
          MicrosoftAppType: config.auth?.appType ?? 'MultiTenant',
          MicrosoftAppTenantId: config.auth?.tenantId ?? '',
        }),
        config.auth?.appId,
      ),
      { prepareConnector: (client) => postRepliesDirectly(client) },
    ),
  );

  const bot = new GuideBot({
    storage: store,
    renderer,
    understand: (input, state) => interpret(input, state, { phrases, errors, containsProductKey }),
    toActivity: replyActivity,
    channel: teamsReader,
    logger,
    observers: [ops.observer, agentDesk.observer, ...(overrides.observers ?? [])],
  });
  for (const middleware of ops.adapterMiddleware) adapter.use(middleware);

  // The one error handler at the edge: log with the conversation, apologise in the user's language.
  // Nothing was saved for the failed turn, so the stored state stays as it was before it.
  adapter.onTurnError = async (context, error) => {
    logger.error({ err: error, conversation: context.activity.conversation?.id, activityType: context.activity.type }, 'turn failed');
    const locale = toLocale(teamsReader.locale(context.activity));
    try {
      await context.sendActivity({ type: 'message', text: renderer.notice(locale, 'common:notice.somethingWentWrong'), locale });
    } catch (sendError) {
      logger.warn({ err: sendError }, 'could not tell the user about the failed turn');
    }
  };

  const server = restify.createServer({ name: 'activation-guide', handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: config.maxBodyBytes, mapParams: false, rejectUnknown: true }));

  ops.registerBefore(server);

  server.post('/api/messages', async (req: Request, res: Response) => {
    if (config.auth) {
      // Refused here, without a network call or botbuilder's stack trace on stderr (src/http/auth.ts).
      const bearer = checkBearer(req.headers.authorization, config.auth.appId);
      if (!bearer.ok) return sendError(res, 401, 'Unauthorized', bearer.reason, { 'WWW-Authenticate': 'Bearer' });
    }
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
      const invoke = await adapter.runTurn(req.headers.authorization ?? '', req.body as Activity, async (context) => void (await bot.run(context)));
      if (invoke?.body === undefined) res.send(invoke?.status ?? 200);
      else res.send(invoke.status, invoke.body);
    } catch (err) {
      if (err instanceof AuthenticationError) return sendError(res, 401, 'Unauthorized', 'the request could not be authenticated', { 'WWW-Authenticate': 'Bearer' });
      // onTurnError has answered the user already; this is what escaped it.
      logger.error({ err, conversation: (req.body as Partial<Activity>).conversation?.id }, 'activity could not be processed');
      return sendError(res, 500, 'InternalError', 'the activity could not be processed');
    }
  });

  server.get('/healthz', async (_req: Request, res: Response) => {
    res.send(200, { status: 'ok' });
  });
  server.get('/readyz', async (_req: Request, res: Response) => {
    try {
      await store.ping();
      res.send(200, { status: 'ready' });
    } catch (err) {
      logger.warn({ err }, 'readiness check failed: storage does not answer');
      res.send(503, { status: 'unavailable', reason: 'storage does not answer' });
    }
  });

  agentDesk.register(server);
  ops.registerAfter(server);

  const baseUrl = () => `http://127.0.0.1:${server.address().port}/`;

  // The offline web chat: Web Chat talks Direct Line to this server, which hands each activity to
  // the same adapter and bot as /api/messages; the replies come back over loopback HTTP.
  let directLine: LocalDirectLine | undefined;
  if (config.localDirectLine) {
    directLine = createLocalDirectLine({
      serviceUrl: baseUrl,
      deliver: (activity) => adapter.processActivityDirect('', activity as Activity, async (context) => void (await bot.run(context))),
      mask: maskProductKeys,
      logger,
    });
    directLine.register(server);
  }
  if (directLine || config.directLine) {
    registerWebChatPage(server, {
      strings: (locale) => strings.namespace(locale, 'webchat') as Record<string, string>,
      tokenMode: config.directLine && !directLine ? 'azure' : 'local',
      defaultLocale: 'en-US',
      directLineSecret: config.directLine?.secret,
      directLineEndpoint: config.directLine?.endpoint,
      logger,
    });
  }

  return {
    server,
    adapter,
    bot,
    store,
    baseUrl,
    close: async () => {
      // New requests get 503 from here on; those in flight finish. Queued Direct Line turns go next,
      // while the server still listens: their replies come back to it over loopback.
      await ops.drain();
      await directLine?.close();
      await new Promise<void>((resolve) => (server.server.listening ? server.close(() => resolve()) : resolve()));
      await agentDesk.close();
      await store.close();
    },
  };
}

function remoteOf(req: Request): string | undefined {
  return (req as unknown as IncomingMessage).socket?.remoteAddress;
}
