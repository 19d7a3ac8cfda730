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
import { limitJsonDepth } from './web/json-depth';
import { createTurnAdapter, type TurnAdapter } from './http/turn-adapter';
import { loadGuideContent } from './i18n/guide-content';
import { loadStrings } from './i18n/strings';
import { createLocalDirectLine, type LocalDirectLine } from './channels/directline';
import { directLineStorage } from './channels/directline-storage';
import { teamsReader } from './channels/teams-reader';
import { registerWebChatPage } from './channels/webchat-page';
import { registerLegalPages } from './http/legal-pages';
import { containsProductKey, maskProductKeys } from './understanding/product-key';
import { createStore, type ConversationStore } from './storage/create-store';
import { loadMessageReader } from './understanding/message-reader';
import { NetworkFolder } from './understanding/trained-networks';
import { MODELS_DIR } from './paths';
import { boundRequestTime } from './http/request-time';
import { createHttpGuards } from './http/guards';
import { registerMetricsRoute } from './http/metrics-route';
import { errorShapeFormatters } from './http/error-format';

/**
 * How long a shutdown waits for the requests in flight (their turns save and send as usual) before
 * it drops the connections still sending one; src/server.ts exits at 9 s, platforms kill at 10 s.
 */
const DRAIN_DEADLINE_MS = 6_000;

export interface AppOverrides {
  store?: ConversationStore;
  observers?: TurnObserver[];
  /** The agent desk's write delay for turn records (tests: long to see the batching, short to see the backstop). */
  recorderWriteDelayMs?: number;
}

export interface App {
  server: Server;
  adapter: TurnAdapter;
  bot: GuideBot;
  /** The store as built (or given); the app's own parts use it through ops' error counting. */
  store: ConversationStore;
  close(): Promise<void>;
}

/**
 * Builds the whole service without listening, so tests can start it on any port and the server
 * module only owns the port, signals and process-level logging. `loadFastText()` first.
 */
export function buildApp(config: Config, logger: Logger, overrides: AppOverrides = {}): App {
  // Every language of the table, from CONTENT_DIR and LOCALES_DIR: a language missing a file stops the start.
  const strings = loadStrings(config.contentDir, config.localesDir);
  const { languages } = strings;
  const content = loadGuideContent(config.contentDir);
  const errors = loadKnownErrorCatalog(createErrorMatcher(loadKnowledgeBase(config.contentDir)));
  // From content/<locale>/intents.json and the buttons' labels: the models `npm run build` trained
  // on the same are loaded, any other is trained here, in memory.
  const training = Date.now();
  const reader = loadMessageReader(strings, config.contentDir, new NetworkFolder(MODELS_DIR));
  logger.info({ ms: Date.now() - training, ...reader.models }, 'intent models ready');
  const renderer = new Renderer(strings, content, errors);
  const backingStore =
    overrides.store ??
    createStore({
      redisUrl: config.redisUrl,
      dataDir: config.dataDir,
      ttlSeconds: config.stateTtlSeconds,
      onError: (err) => logger.warn({ err }, 'redis connection error'),
      onWarn: (message, err) => logger.warn({ err }, message),
      onInfo: (message) => logger.info(message),
    });

  const ops = createOperations({ logger, store: backingStore });
  // Everything below uses the store with its failures counted.
  const { store } = ops;
  const agentDesk = createAgentDesk({ config, logger, store, strings, renderer, errors, reader, recorderWriteDelayMs: overrides.recorderWriteDelayMs });

  const adapter = createTurnAdapter(config.auth);

  const bot = new GuideBot({
    storage: store,
    renderer,
    understand: (input, state) => interpret(input, state, { reader, errors, containsProductKey }),
    effects: { ...sayAsMessages, handOff: agentDesk.handOff },
    channel: teamsReader,
    logger,
    observers: [agentDesk.observer, ...(overrides.observers ?? [])],
  });
  for (const middleware of ops.adapterMiddleware) adapter.use(middleware);
  apologiseForFailedTurns(adapter, { logger, renderer, channel: teamsReader });
  // The turn log runs the bot's turn and logs what it returns.
  const turn = async (context: TurnContext) => void (await ops.turnLog.logged(context, (c) => bot.run(c)));

  // Every error restify answers itself is rendered in the app's error shape by its JSON formatter.
  const server = restify.createServer({ name: 'activation-guide', handleUncaughtExceptions: false, formatters: errorShapeFormatters(config.maxBodyBytes) });
  const requestTime = boundRequestTime(server.server, config.http, (req) =>
    logger.warn({ method: req.method, path: req.url?.split('?')[0], limitMs: config.http.requestTimeoutMs }, 'request not received in time, connection closed'),
  );
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: config.maxBodyBytes, mapParams: false, rejectUnknown: true }));
  server.use(limitJsonDepth());

  const guards = createHttpGuards({ config, logger, metrics: ops.metrics });
  guards.install(server);

  registerMessagesRoute(server, { config, logger, adapter, turn });
  registerHealthRoutes(server, { store, logger });
  agentDesk.register(server);
  registerLegalPages(server, { strings, stateTtlDays: config.stateTtlSeconds / 86_400 });
  registerMetricsRoute(server, { metrics: ops.metrics, token: config.metricsToken });

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
    adapter,
    bot,
    store: backingStore,
    close: async () => {
      // New requests get 503 from here on; those in flight finish, until the drain deadline. Then
      // the connections still sending a request are dropped, so that closing the listener does not
      // wait for them. Queued Direct Line turns go next.
      const { pending } = await guards.drain(DRAIN_DEADLINE_MS);
      if (pending > 0) logger.warn({ pending }, 'shutting down with requests still in flight');
      const dropped = requestTime.dropReceiving();
      if (dropped > 0) logger.warn({ dropped }, 'shutdown: dropped connections still sending a request');
      await directLine?.close();
      await new Promise<void>((resolve) => (server.server.listening ? server.close(() => resolve()) : resolve()));
      await agentDesk.close();
      await store.close();
    },
  };
}
