import type { TurnContext } from 'botbuilder';
import restify, { type Server } from 'restify';
import type { Config } from './config';
import type { Logger } from './logger';
import { GuideBot, type TurnObserver } from './bot/guide-bot';
import { createAgentDesk } from './agent/desk';
import { createOperations } from './ops/operations';
import { interpret } from './understanding/interpret';
import { loadKnownErrorCatalog } from './understanding/known-error-catalog';
import { createErrorMatcher, loadKnowledgeBase } from './understanding/known-errors';
import { Renderer } from './bot/render';
import { sayAsMessages } from './bot/reply-activity';
import { apologiseForFailedTurns } from './bot/turn-error';
import { registerHealthRoutes } from './http/health-routes';
import { registerMessagesRoute } from './http/messages-route';
import { limitJsonDepth } from './http/json-depth';
import { createTurnAdapter, type TurnAdapter } from './http/turn-adapter';
import { loadGuideContent } from './i18n/guide-content';
import { loadLanguages } from './i18n/languages';
import { createStrings, readLocaleFiles } from './i18n/strings';
import { createLocalDirectLine, type LocalDirectLine } from './channels/directline';
import { directLineStorage } from './channels/directline-storage';
import { teamsReader } from './channels/teams-reader';
import { registerWebChatPage } from './channels/webchat-page';
import { registerLegalPages } from './http/legal-pages';
import { containsProductKey, maskProductKeys } from './understanding/product-key';
import { createStore, type ConversationStore } from './storage/create-store';
import { loadMessageReader } from './understanding/message-reader';
import { boundRequestTime, type RequestTime } from './http/request-time';

export interface AppOverrides {
  store?: ConversationStore;
  observers?: TurnObserver[];
  /** The agent desk's write delay for turn records (tests: long to see the batching, short to see the backstop). */
  recorderWriteDelayMs?: number;
}

export interface App {
  server: Server;
  /** How long clients may take to send a request; the shutdown drops those still sending. */
  requestTime: RequestTime;
  adapter: TurnAdapter;
  bot: GuideBot;
  store: ConversationStore;
  close(): Promise<void>;
}

/**
 * Builds the whole service without listening, so tests can start it on any port and the server
 * module only owns the port, signals and process-level logging.
 */
export function buildApp(config: Config, logger: Logger, overrides: AppOverrides = {}): App {
  // Every language of the table, from CONTENT_DIR and LOCALES_DIR: a language missing a file stops the start.
  const languages = loadLanguages(config.contentDir);
  const strings = createStrings(languages, readLocaleFiles(config.localesDir, languages));
  const content = loadGuideContent(config.contentDir);
  const errors = loadKnownErrorCatalog(createErrorMatcher(loadKnowledgeBase(config.contentDir)));
  // Trained here, in memory, from content/<locale>/intents.json and the buttons' labels.
  const training = Date.now();
  const reader = loadMessageReader(strings, config.contentDir);
  logger.info({ ms: Date.now() - training }, 'intent models trained');
  const renderer = new Renderer(strings, content, errors);
  const store =
    overrides.store ??
    createStore({
      redisUrl: config.redisUrl,
      dataDir: config.dataDir,
      ttlSeconds: config.stateTtlSeconds,
      onError: (err) => logger.warn({ err }, 'redis connection error'),
      onWarn: (message, err) => logger.warn({ err }, message),
      onInfo: (message) => logger.info(message),
    });

  const ops = createOperations({ config, logger, store });
  const agentDesk = createAgentDesk({ config, logger, store, strings, renderer, errors, reader, recorderWriteDelayMs: overrides.recorderWriteDelayMs });

  const adapter = createTurnAdapter(config.auth);

  const bot = new GuideBot({
    storage: store,
    renderer,
    understand: (input, state) => interpret(input, state, { reader, errors, containsProductKey }),
    effects: { ...sayAsMessages, handOff: agentDesk.handOff },
    channel: teamsReader,
    logger,
    observers: [ops.observer, agentDesk.observer, ...(overrides.observers ?? [])],
  });
  for (const middleware of ops.adapterMiddleware) adapter.use(middleware);
  apologiseForFailedTurns(adapter, { logger, renderer, channel: teamsReader });
  const turn = async (context: TurnContext) => void (await bot.run(context));

  const server = restify.createServer({ name: 'activation-guide', handleUncaughtExceptions: false });
  const requestTime = boundRequestTime(server.server, config.http, (req) =>
    logger.warn({ method: req.method, path: req.url?.split('?')[0], limitMs: config.http.requestTimeoutMs }, 'request not received in time, connection closed'),
  );
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: config.maxBodyBytes, mapParams: false, rejectUnknown: true }));
  server.use(limitJsonDepth());

  ops.registerBefore(server);

  registerMessagesRoute(server, { config, logger, adapter, turn });
  registerHealthRoutes(server, { store, logger });
  agentDesk.register(server);
  registerLegalPages(server, { strings, stateTtlDays: config.stateTtlSeconds / 86_400 });
  ops.registerAfter(server);

  // The offline web chat: Web Chat talks Direct Line to this server, which runs each activity's turn
  // in process on the same adapter and bot as /api/messages, and keeps the replies the turn returns.
  let directLine: LocalDirectLine | undefined;
  if (config.localDirectLine) {
    directLine = createLocalDirectLine({
      deliver: (activity) => adapter.runLocalTurn(activity, turn, config.auth?.appId),
      mask: maskProductKeys,
      logger,
      publicUrl: config.publicUrl,
      maxConversations: config.selfHostedDirectLine.maxConversations,
      ...directLineStorage(config, logger),
    });
    directLine.register(server);
  }
  if (directLine || config.directLine) {
    registerWebChatPage(server, {
      strings: (locale) => strings.namespace(locale, 'webchat') as Record<string, string>,
      languages,
      tokenMode: config.directLine && !directLine ? 'azure' : 'local',
      directLineSecret: config.directLine?.secret,
      directLineEndpoint: config.directLine?.endpoint,
      logger,
    });
  }

  return {
    server,
    requestTime,
    adapter,
    bot,
    store,
    close: async () => {
      // New requests get 503 from here on; those in flight finish. Queued Direct Line turns go next.
      await ops.drain();
      await directLine?.close();
      await new Promise<void>((resolve) => (server.server.listening ? server.close(() => resolve()) : resolve()));
      await agentDesk.close();
      await store.close();
    },
  };
}
