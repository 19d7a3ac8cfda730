/**
 * A self-hosted Direct Line 3.0, so that Web Chat and botframework-directlinejs can talk to the bot
 * without Azure: the client side under /v3/directline (conversations, signed tokens with refresh,
 * polling by watermark, and the WebSocket stream of `streamUrl`). The bot's turns run in process:
 * `deliver` runs one and resolves to the activities the bot sent, which are appended to the
 * conversation. A post is answered once its turn has run (and the bot saved its state), so an
 * acknowledged message is never lost to a crash; a failed turn answers 502, which clients retry.
 *
 * The state (directline-state.ts) is in process by default, or in Redis, where any instance can
 * answer any request and push any instance's replies to its sockets.
 */
import { randomBytes } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { Request, Response, Server } from 'restify';
import { bearerToken } from '../web/bearer-token';
import { HttpError, badArgument, isPlainObject, queryWatermark, readCreateBody, readUserActivity } from './directline-input';
import { createMemoryState } from './directline-memory-state';
import type { ActivitySet, ConversationRecord, DirectLineState, StateLimits, WireActivity } from './directline-state';
import { createActivityStreams, type ActivityStreams } from './directline-stream';
import { createTokenSigner, randomTokenId, type TokenClaims } from './directline-tokens';

export interface ChannelLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface LocalDirectLineOptions {
  /**
   * Runs a bot turn for an activity that arrived from a client (already stored in the history) and
   * resolves to what the bot sent in it. Turns for one conversation run one after another on an
   * instance, in arrival order.
   */
  deliver: (activity: Partial<Activity>) => Promise<readonly Partial<Activity>[] | void>;
  /** Where conversations and activities are kept; default in process (the embedded default). */
  state?: (limits: StateLimits, now: () => number) => DirectLineState;
  /** The token signing key (directline-tokens.ts); default a random one, so tokens last as long as the process. */
  tokenKey?: Uint8Array | (() => Promise<Uint8Array>);
  /** The public origin for `streamUrl` (PUBLIC_URL); default the request's Host. */
  publicUrl?: string;
  /** A conversation with no new activity (user or bot) for this long ends. Default 30 min. */
  idleMs?: number;
  /** Oldest activities are dropped beyond this many per conversation. Default 200. */
  maxActivitiesPerConversation?: number;
  /** Oldest activities are dropped while a conversation's stored history is larger. Default 512 KiB. */
  maxHistoryBytesPerConversation?: number;
  /** A single activity (user or bot) larger than this is refused with 413. Default 64 KiB. */
  maxActivityBytes?: number;
  /** Creating more live conversations than this is refused with 503. Default 500. */
  maxConversations?: number;
  /** WebSocket streams one instance holds at most. Default twice maxConversations. */
  maxStreams?: number;
  /** Bot turns queued for one conversation on an instance before user posts are refused with 429. Default 10. */
  maxPendingTurns?: number;
  /** Token lifetime; directlinejs refreshes at half of 30 min. Default 30 min. */
  tokenTtlMs?: number;
  /** Like Azure: conversationUpdate (bot added) on start, (user added) before the user's first activity. Default true. */
  conversationUpdates?: boolean;
  /** Id the bot is addressed as (`recipient.id`). Default 'bot'. */
  botId?: string;
  /** Applied to user text (and string leaves of `value`) before it is stored or echoed; the bot still gets the original. */
  mask?: (text: string) => string;
  now?: () => number;
  logger?: ChannelLogger;
}

export interface LocalDirectLine {
  /** Registers the client routes (/v3/directline/...) and the WebSocket stream on the server. */
  register(server: Server): void;
  /** Closes the streams (clients reconnect elsewhere), stops the sweep, waits for queued turns, closes the state. Safe to call twice. */
  close(): Promise<void>;
  /** Resolves once every queued bot turn has settled (tests, graceful shutdown). */
  drain(): Promise<void>;
  /** Ends idle conversations now; returns how many ended. The timer calls this too. */
  sweep(): number;
  /** Number of live conversations. */
  conversationCount(): Promise<number>;
  /** A copy of what a client would read for this conversation, or undefined if it is not live. */
  history(conversationId: string): Promise<WireActivity[] | undefined>;
  /** Open WebSocket streams on this instance. */
  readonly streams: number;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Authorized {
  conversation: ConversationRecord;
  claims: TokenClaims;
  token: string;
}

/** This instance's queue of turns for one conversation. */
interface TurnQueue {
  tail: Promise<void>;
  pending: number;
}

const CLIENT_PREFIX = '/v3/directline';
const MINUTE = 60_000;

function randomId(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function byteSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

function forbidden(): HttpError {
  return new HttpError(403, 'Forbidden', 'Token is not valid for this conversation');
}

function ended(): HttpError {
  return new HttpError(404, 'NotFound', 'Conversation has expired; start a new conversation');
}

export function createLocalDirectLine(options: LocalDirectLineOptions): LocalDirectLine {
  const now = options.now ?? Date.now;
  const idleMs = options.idleMs ?? 30 * MINUTE;
  const maxActivities = options.maxActivitiesPerConversation ?? 200;
  const maxHistoryBytes = options.maxHistoryBytesPerConversation ?? 512 * 1024;
  const maxActivityBytes = options.maxActivityBytes ?? 64 * 1024;
  const maxConversations = options.maxConversations ?? 500;
  const maxPendingTurns = options.maxPendingTurns ?? 10;
  const tokenTtlMs = options.tokenTtlMs ?? 30 * MINUTE;
  const conversationUpdates = options.conversationUpdates ?? true;
  const botId = options.botId ?? 'bot';
  const logger = options.logger;

  for (const [name, value] of Object.entries({ idleMs, maxActivities, maxHistoryBytes, maxActivityBytes, maxConversations, maxPendingTurns, tokenTtlMs })) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`createLocalDirectLine: ${name} must be a positive number`);
  }

  const limits: StateLimits = { idleMs, endedMs: tokenTtlMs, maxActivities, maxHistoryBytes, maxConversations };
  const state = (options.state ?? createMemoryState)(limits, now);
  const signer = createTokenSigner(options.tokenKey ?? randomBytes(32), now);
  const queues = new Map<string, TurnQueue>();
  const inflight = new Set<Promise<void>>();
  let streams: ActivityStreams | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let closed = false;

  // ---- conversations and tokens -------------------------------------------------------------

  async function issueToken(conversation: ConversationRecord): Promise<string> {
    const tokenId = randomTokenId();
    const tokenIds = [...conversation.tokenIds, tokenId].slice(-2);
    await state.setTokenIds(conversation.id, tokenIds);
    conversation.tokenIds = tokenIds;
    return signer.sign({ conversationId: conversation.id, tokenId, userId: conversation.userId }, tokenTtlMs);
  }

  function tokenBody(req: Request, conversation: ConversationRecord, token: string, watermark = 0): Record<string, unknown> {
    return {
      conversationId: conversation.id,
      token,
      expires_in: Math.floor(tokenTtlMs / 1000),
      ...(streams ? { streamUrl: streams.url(originOf(req), conversation.id, token, watermark) } : {}),
    };
  }

  function originOf(req: Request): string {
    if (options.publicUrl) return new URL(options.publicUrl).origin;
    const host = typeof req.headers.host === 'string' && /^[\w.\-:[\]]{1,300}$/.test(req.headers.host) ? req.headers.host : '127.0.0.1';
    return `http://${host}`;
  }

  async function createConversation(userId: string | undefined, locale: string | undefined): Promise<ConversationRecord> {
    const conversation: ConversationRecord = {
      id: randomId(16),
      userId: userId ?? `dl_${randomBytes(8).toString('hex')}`,
      ...(locale ? { locale } : {}),
      tokenIds: [],
    };
    if (!(await state.create(conversation))) {
      throw new HttpError(503, 'ServiceUnavailable', 'Too many active conversations; try again later', { 'Retry-After': '60' });
    }
    return conversation;
  }

  /**
   * Like Azure, the bot hears of a conversation when a client starts it, not when a token is
   * generated. True for the request that started it.
   */
  async function markStarted(conversation: ConversationRecord, locale?: string): Promise<boolean> {
    if (conversation.reached?.includes('started') || !(await state.reach(conversation.id, 'started'))) return false;
    if (locale && locale !== conversation.locale) {
      conversation.locale = locale;
      await state.setLocale(conversation.id, locale);
    }
    if (conversationUpdates) {
      void enqueueTurn(conversation.id, {
        ...turnEnvelope(conversation.id),
        type: 'conversationUpdate',
        from: { id: conversation.userId, role: 'user' },
        membersAdded: [{ id: botId, role: 'bot' }],
        ...(conversation.locale ? { locale: conversation.locale } : {}),
      }).catch(() => undefined);
    }
    return true;
  }

  /**
   * A conversation whose state was lost (a restart of the embedded default, an emptied Redis) while
   * its signed token is still good: it goes on under the same id, and the bot, whose own state is
   * in the store, answers as it would on /api/messages (or says plainly that it lost the thread).
   */
  async function revive(claims: TokenClaims): Promise<ConversationRecord> {
    const conversation: ConversationRecord = { id: claims.conversationId, userId: claims.userId, tokenIds: [claims.tokenId] };
    // Its client has a watermark from before, which may come after this request (a post first):
    // numbering from the clock puts every new activity above any number the lost state gave out.
    if (!(await state.create(conversation, now()))) {
      throw new HttpError(503, 'ServiceUnavailable', 'Too many active conversations; try again later', { 'Retry-After': '60' });
    }
    // The bot and the user met before the state was lost; they are not introduced again.
    await state.reach(conversation.id, 'started');
    await state.reach(conversation.id, 'userAnnounced');
    logger?.info({ conversationId: conversation.id }, 'local Direct Line: conversation revived from its token');
    const lookup = await state.lookup(conversation.id);
    if (lookup.state !== 'live') throw ended();
    return lookup.conversation;
  }

  /**
   * The conversation a token grants access to. 401 for a missing, forged or retired token, 403 for
   * an expired token or one of another conversation, 404 for a conversation that has ended.
   */
  async function authorizeToken(token: string | undefined, conversationId?: string): Promise<Authorized> {
    if (token === undefined) throw new HttpError(401, 'Unauthorized', 'Missing "Authorization: Bearer <token>" header');
    const check = await signer.verify(token);
    if (!check.ok) {
      if (check.reason === 'expired') throw new HttpError(403, 'TokenExpired', 'Token has expired');
      throw new HttpError(401, 'Unauthorized', 'Invalid token');
    }
    const { claims } = check;
    if (conversationId !== undefined && claims.conversationId !== conversationId) throw forbidden();
    const lookup = await state.lookup(claims.conversationId);
    if (lookup.state === 'ended') throw ended();
    const conversation = lookup.state === 'live' ? lookup.conversation : await revive(claims);
    if (!conversation.tokenIds.includes(claims.tokenId)) throw new HttpError(401, 'Unauthorized', 'Invalid token');
    return { conversation, claims, token };
  }

  function authorize(req: Request, conversationId?: string): Promise<Authorized> {
    return authorizeToken(bearerToken(req.headers.authorization), conversationId);
  }

  // ---- bot turns ----------------------------------------------------------------------------

  function turnEnvelope(conversationId: string): WireActivity {
    return {
      id: randomId(12),
      timestamp: new Date(now()).toISOString(),
      channelId: 'directline',
      conversation: { id: conversationId },
      recipient: { id: botId, role: 'bot' },
    };
  }

  /** What the bot sent, as a client reads it. */
  function botActivity(conversationId: string, sent: Partial<Activity>, replyTo: WireActivity): WireActivity {
    const { serviceUrl: _serviceUrl, id: _id, timestamp: _timestamp, localTimestamp: _local, ...rest } = JSON.parse(JSON.stringify(sent)) as WireActivity;
    const from = isPlainObject(rest.from) ? rest.from : {};
    const replyToId = typeof rest.replyToId === 'string' ? rest.replyToId : typeof replyTo.id === 'string' ? replyTo.id : undefined;
    return {
      ...rest,
      type: typeof rest.type === 'string' && rest.type ? rest.type : 'message',
      timestamp: new Date(now()).toISOString(),
      channelId: 'directline',
      conversation: { id: conversationId },
      from: { ...from, id: typeof from.id === 'string' && from.id ? from.id : botId, role: 'bot' },
      ...(replyToId ? { replyToId } : {}),
    };
  }

  async function runTurn(conversationId: string, activity: WireActivity): Promise<void> {
    // The bot must not be able to change what is stored, and the wire shape is what the bot would
    // get from a real channel (string timestamps), hence a clone and a cast at this boundary.
    const sent = await options.deliver(structuredClone(activity) as Partial<Activity>);
    const replies: WireActivity[] = [];
    for (const reply of sent ?? []) {
      const wire = botActivity(conversationId, reply, activity);
      if (byteSize(wire) > maxActivityBytes) {
        logger?.warn({ conversationId, activityType: wire.type }, 'local Direct Line: a bot activity larger than the limit was not stored');
        continue;
      }
      replies.push(wire);
    }
    // The conversation may have ended while the turn ran: then its replies have nowhere to go.
    if (replies.length > 0) await state.append(conversationId, replies);
  }

  /** Queues a turn behind the conversation's earlier ones on this instance; resolves when it has run. */
  function enqueueTurn(conversationId: string, activity: WireActivity): Promise<void> {
    let queue = queues.get(conversationId);
    if (!queue) queues.set(conversationId, (queue = { tail: Promise.resolve(), pending: 0 }));
    const current = queue;
    current.pending += 1;
    const turn = current.tail.then(() => runTurn(conversationId, activity));
    const settled = turn
      .catch((err: unknown) => {
        logger?.error({ err, conversationId, activityType: activity.type }, 'local Direct Line: bot turn failed');
      })
      .finally(() => {
        current.pending -= 1;
        if (current.pending === 0 && queues.get(conversationId) === current) queues.delete(conversationId);
        inflight.delete(settled);
      });
    current.tail = settled;
    inflight.add(settled);
    return turn;
  }

  // ---- routes -------------------------------------------------------------------------------

  function handler(fn: (req: Request) => Promise<Reply>) {
    // restify 12: an async handler takes (req, res) and ends the chain when it resolves.
    return async (req: Request, res: Response): Promise<void> => {
      let reply: Reply;
      try {
        reply = await fn(req);
      } catch (err) {
        if (err instanceof HttpError) {
          reply = { status: err.status, body: { error: { code: err.code, message: err.message } }, headers: err.headers };
        } else {
          logger?.error({ err, path: req.path() }, 'local Direct Line: request failed');
          reply = { status: 503, body: { error: { code: 'ServiceUnavailable', message: 'The service is unavailable; try again' } }, headers: { 'Retry-After': '1' } };
        }
      }
      // Responses carry tokens and conversation content.
      res.send(reply.status, reply.body, { 'Cache-Control': 'no-store', ...reply.headers });
    };
  }

  function param(req: Request, name: string): string {
    const value: unknown = (req.params as Record<string, unknown> | undefined)?.[name];
    return typeof value === 'string' ? value : '';
  }

  /** directlinejs without a token or secret sends "Bearer undefined": that is an anonymous start. */
  function hasCredentials(req: Request): boolean {
    const header = req.headers.authorization;
    if (header === undefined) return false;
    const token = bearerToken(header);
    // Any other header that carries no token still goes to `authorize`, which answers 401.
    return token !== 'undefined' && token !== 'null';
  }

  const startConversation = handler(async (req) => {
    if (hasCredentials(req)) {
      // A token from tokens/generate is already bound to its conversation: start (201) or resume (200) it.
      const { conversation, token } = await authorize(req);
      // directlinejs sends conversationStartProperties.locale here; tokens/generate may have set one already.
      const starting = await markStarted(conversation, readCreateBody(req.body, botId).locale);
      return { status: starting ? 201 : 200, body: tokenBody(req, conversation, token) };
    }
    const { userId, locale } = readCreateBody(req.body, botId);
    const conversation = await createConversation(userId, locale);
    const token = await issueToken(conversation);
    await markStarted(conversation);
    return { status: 201, body: tokenBody(req, conversation, token) };
  });

  const generateToken = handler(async (req) => {
    const { userId, locale } = readCreateBody(req.body, botId);
    const conversation = await createConversation(userId, locale);
    const token = await issueToken(conversation);
    return { status: 200, body: tokenBody(req, conversation, token) };
  });

  const refreshToken = handler(async (req) => {
    const { conversation } = await authorize(req);
    const token = await issueToken(conversation);
    return { status: 200, body: tokenBody(req, conversation, token) };
  });

  const reconnect = handler(async (req) => {
    const { conversation, token } = await authorize(req, param(req, 'conversationId'));
    return { status: 200, body: tokenBody(req, conversation, token, queryWatermark(req)) };
  });

  const getActivities = handler(async (req) => {
    const { conversation } = await authorize(req, param(req, 'conversationId'));
    const set = await state.since(conversation.id, queryWatermark(req));
    return { status: 200, body: { activities: set.activities, watermark: String(set.watermark) } };
  });

  const postActivity = handler(async (req) => {
    const { conversation } = await authorize(req, param(req, 'conversationId'));
    const [stored, original] = readUserActivity(req.body, {
      conversationId: conversation.id,
      defaultUserId: conversation.userId,
      botId,
      timestamp: new Date(now()).toISOString(),
      mask: options.mask,
    });
    if (byteSize(stored) > maxActivityBytes) {
      throw new HttpError(413, 'MessageSizeTooBig', `Activity is larger than ${maxActivityBytes} bytes`);
    }
    if ((queues.get(conversation.id)?.pending ?? 0) + 1 > maxPendingTurns) {
      throw new HttpError(429, 'TooManyRequests', 'The bot is still busy with earlier messages; try again shortly', { 'Retry-After': '1' });
    }
    const [echoed] = (await state.append(conversation.id, [stored])) ?? [];
    if (!echoed) throw ended();
    original.id = echoed.id;
    // A client that skipped POST /conversations (e.g. it reconnected with a generated token) started it now.
    await markStarted(conversation);
    const announce = conversationUpdates && original.type !== 'typing' && !conversation.reached?.includes('userAnnounced');
    if (announce && (await state.reach(conversation.id, 'userAnnounced'))) {
      const from = original.from as Record<string, unknown>;
      void enqueueTurn(conversation.id, {
        ...turnEnvelope(conversation.id),
        type: 'conversationUpdate',
        from,
        membersAdded: [{ id: from.id, ...(from.name ? { name: from.name } : {}), role: 'user' }],
        ...(original.locale ? { locale: original.locale } : {}),
      }).catch(() => undefined);
    }
    try {
      await enqueueTurn(conversation.id, original);
    } catch {
      // Acknowledged only once the turn has run: a client retries a 5xx (directlinejs: "retry").
      throw new HttpError(502, 'BotError', 'The bot could not process this activity; send it again', { 'Retry-After': '1' });
    }
    return { status: 200, body: { id: echoed.id } };
  });

  const uploadUnsupported = handler(async (req) => {
    await authorize(req, param(req, 'conversationId'));
    throw badArgument('File uploads are not supported by the local Direct Line');
  });

  function register(server: Server): void {
    server.post(`${CLIENT_PREFIX}/tokens/generate`, generateToken);
    server.post(`${CLIENT_PREFIX}/tokens/refresh`, refreshToken);
    server.post(`${CLIENT_PREFIX}/conversations`, startConversation);
    server.get(`${CLIENT_PREFIX}/conversations/:conversationId`, reconnect);
    server.get(`${CLIENT_PREFIX}/conversations/:conversationId/activities`, getActivities);
    server.post(`${CLIENT_PREFIX}/conversations/:conversationId/activities`, postActivity);
    server.post(`${CLIENT_PREFIX}/conversations/:conversationId/upload`, uploadUnsupported);

    streams ??= createActivityStreams({
      read: (conversationId, watermark) => state.since(conversationId, watermark),
      subscribe: (conversationId, wake) => state.subscribe(conversationId, wake),
      authorize: async (token, conversationId) => void (await authorizeToken(token || undefined, conversationId)),
      maxConnections: options.maxStreams ?? maxConversations * 2,
      logger,
    });
    streams.attach(server.server);

    if (!sweepTimer && !closed) {
      sweepTimer = setInterval(() => state.sweep(), Math.min(idleMs, MINUTE));
      // The sweep must never keep the process (or Jest) alive on its own.
      sweepTimer.unref();
    }
  }

  async function drain(): Promise<void> {
    while (inflight.size > 0) await Promise.all([...inflight]);
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    if (sweepTimer) clearInterval(sweepTimer);
    sweepTimer = undefined;
    await streams?.close();
    await drain();
    await state.close();
  }

  return {
    register,
    close,
    drain,
    sweep: () => state.sweep(),
    conversationCount: () => state.count(),
    async history(conversationId) {
      const lookup = await state.lookup(conversationId);
      if (lookup.state !== 'live') return undefined;
      return structuredClone((await state.since(conversationId, 0)).activities);
    },
    get streams() {
      return streams?.connections ?? 0;
    },
  };
}
