/**
 * A local, in-memory stand-in for the Azure Direct Line 3.0 service, so that Web Chat and
 * botframework-directlinejs can talk to the bot without an Azure registration.
 *
 * Only the client side is served over HTTP, under /v3/directline (REST polling only; there is no
 * WebSocket stream, so clients must use `webSocket: false`). The bot's turns run in process:
 * `deliver` runs one and resolves to the activities the bot sent, which are appended to the history.
 */
import { randomBytes } from 'node:crypto';
import type { Activity } from 'botbuilder';
import { LRUCache } from 'lru-cache';
import type { Next, Request, Response, Server } from 'restify';
import { bearerToken } from '../http/bearer-token';

export interface ChannelLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface LocalDirectLineOptions {
  /**
   * Runs a bot turn for an activity that arrived from a client (already stored in the history) and
   * resolves to what the bot sent in it. Turns for one conversation run one after another, in arrival order.
   */
  deliver: (activity: Partial<Activity>) => Promise<readonly Partial<Activity>[] | void>;
  /** A conversation with no activity (user or bot) for this long is dropped. Default 30 min. */
  idleMs?: number;
  /** Oldest activities are dropped beyond this many per conversation. Default 200. */
  maxActivitiesPerConversation?: number;
  /** Oldest activities are dropped while a conversation's stored history is larger. Default 512 KiB. */
  maxHistoryBytesPerConversation?: number;
  /** A single activity (user or bot) larger than this is refused with 413. Default 64 KiB. */
  maxActivityBytes?: number;
  /** Creating more live conversations than this is refused with 503. Default 500. */
  maxConversations?: number;
  /** Bot turns queued for one conversation before user posts are refused with 429. Default 10. */
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
  /** Registers the client routes (/v3/directline/...). */
  register(server: Server): void;
  /** Stops the idle sweep and resolves once queued bot turns have settled. Safe to call twice. */
  close(): Promise<void>;
  /** Resolves once every queued bot turn has settled (tests, graceful shutdown). */
  drain(): Promise<void>;
  /** Drops idle conversations now; returns how many were dropped. The timer calls this too. */
  sweep(): number;
  /** Number of live conversations. */
  readonly conversationCount: number;
  /** A copy of what a client would read for this conversation, or undefined if unknown/expired. */
  history(conversationId: string): Record<string, unknown>[] | undefined;
}

/** The JSON shape of an activity on the wire (timestamps are strings, unlike botbuilder's `Activity`). */
type WireActivity = Record<string, unknown>;

interface StoredActivity {
  seq: number;
  bytes: number;
  activity: WireActivity;
}

interface Conversation {
  id: string;
  defaultUserId: string;
  locale?: string;
  /** Whether a client has called POST /conversations with this conversation's token (201 vs 200). */
  started: boolean;
  userAnnounced: boolean;
  seq: number;
  history: StoredActivity[];
  historyBytes: number;
  lastActiveAt: number;
  /** Newest last; at most two live ones so a refresh does not break a poll already in flight. */
  tokens: string[];
  queue: Promise<void>;
  pendingTurns: number;
}

interface TokenEntry {
  conversationId: string;
  expiresAt: number;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

const CLIENT_PREFIX = '/v3/directline';
const USER_ACTIVITY_TYPES = new Set(['message', 'event', 'typing']);
const TEXT_FORMATS = new Set(['plain', 'markdown', 'xml']);
const LOCALE_PATTERN = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/;
const WATERMARK_PATTERN = /^\d{1,15}$/;
const MAX_ID_LENGTH = 256;
const MAX_VALUE_DEPTH = 32;

const MINUTE = 60_000;

function randomId(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(body: Record<string, unknown>, field: string, maxLength = Infinity): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badArgument(`"${field}" must be a string`);
  if (value.length > maxLength) throw badArgument(`"${field}" is longer than ${maxLength} characters`);
  return value;
}

function badArgument(message: string): HttpError {
  return new HttpError(400, 'BadArgument', message);
}

function byteSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** Masks string leaves of a JSON value (adaptive-card submissions can carry a pasted key too). */
function maskDeep(value: unknown, mask: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return mask(value);
  if (depth >= MAX_VALUE_DEPTH || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, mask, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, mask, depth + 1)]));
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

  const conversations = new Map<string, Conversation>();
  const tokens = new Map<string, TokenEntry>();
  /**
   * Tokens of expired conversations (token -> conversation id), so their clients get 404 (directlinejs:
   * "Ended") instead of 401 for one token lifetime. The injected clock drives expiry; it is read on
   * every check (ttlResolution 0) because tests move it in jumps, and `sweep` purges (no timers).
   */
  const endedTokens = new LRUCache<string, string>({
    max: maxConversations * 2,
    ttl: tokenTtlMs,
    ttlResolution: 0,
    ttlAutopurge: false,
    perf: { now },
  });
  const inflight = new Set<Promise<void>>();
  let sweepTimer: NodeJS.Timeout | undefined;
  let closed = false;

  // ---- conversations and tokens -------------------------------------------------------------

  function issueToken(conversation: Conversation): TokenEntry & { token: string } {
    const token = randomId(32);
    const entry = { conversationId: conversation.id, expiresAt: now() + tokenTtlMs };
    tokens.set(token, entry);
    conversation.tokens.push(token);
    while (conversation.tokens.length > 2) tokens.delete(conversation.tokens.shift() as string);
    return { token, ...entry };
  }

  function tokenBody(conversation: Conversation, token: string): Record<string, unknown> {
    return { conversationId: conversation.id, token, expires_in: Math.floor(tokenTtlMs / 1000) };
  }

  function createConversation(userId: string | undefined, locale: string | undefined): Conversation {
    if (conversations.size >= maxConversations) sweep();
    if (conversations.size >= maxConversations) {
      throw new HttpError(503, 'ServiceUnavailable', 'Too many active conversations; try again later', { 'Retry-After': '60' });
    }
    const conversation: Conversation = {
      id: randomId(16),
      defaultUserId: userId ?? `dl_${randomBytes(8).toString('hex')}`,
      locale,
      started: false,
      userAnnounced: false,
      seq: 0,
      history: [],
      historyBytes: 0,
      lastActiveAt: now(),
      tokens: [],
      queue: Promise.resolve(),
      pendingTurns: 0,
    };
    conversations.set(conversation.id, conversation);
    return conversation;
  }

  /** Like Azure, the bot hears of a conversation when a client starts it, not when a token is generated. */
  function markStarted(conversation: Conversation): void {
    if (conversation.started) return;
    conversation.started = true;
    if (!conversationUpdates) return;
    enqueueTurn(conversation, {
      ...turnEnvelope(conversation),
      type: 'conversationUpdate',
      from: { id: conversation.defaultUserId, role: 'user' },
      membersAdded: [{ id: botId, role: 'bot' }],
      ...(conversation.locale ? { locale: conversation.locale } : {}),
    });
  }

  function expire(conversation: Conversation): void {
    conversations.delete(conversation.id);
    for (const token of conversation.tokens) {
      tokens.delete(token);
      endedTokens.set(token, conversation.id);
    }
    logger?.info({ conversationId: conversation.id }, 'local Direct Line: conversation expired');
  }

  function isIdle(conversation: Conversation): boolean {
    return now() - conversation.lastActiveAt >= idleMs;
  }

  function sweep(): number {
    let dropped = 0;
    for (const conversation of [...conversations.values()]) {
      if (isIdle(conversation)) {
        expire(conversation);
        dropped++;
      }
    }
    endedTokens.purgeStale();
    return dropped;
  }

  /** A live (not idle) conversation by id, expiring it on the spot if it went idle. */
  function live(conversationId: string): Conversation | undefined {
    const conversation = conversations.get(conversationId);
    if (!conversation) return undefined;
    if (isIdle(conversation)) {
      expire(conversation);
      return undefined;
    }
    return conversation;
  }

  function bearer(req: Request): string {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) throw new HttpError(401, 'Unauthorized', 'Missing "Authorization: Bearer <token>" header');
    return token;
  }

  /**
   * Resolves the conversation a token grants access to. 401 for missing/unknown tokens, 403 for an
   * expired token or a token of another conversation, 404 for a conversation that has expired.
   */
  function authorize(req: Request, conversationId?: string): { conversation: Conversation; token: string } {
    const token = bearer(req);
    const entry = tokens.get(token);
    if (!entry) {
      // peek, not get: polling an ended conversation must not save its tombstone from eviction (oldest go first).
      const endedConversationId = endedTokens.peek(token);
      if (endedConversationId === undefined) throw new HttpError(401, 'Unauthorized', 'Invalid token');
      if (conversationId !== undefined && endedConversationId !== conversationId) throw forbidden();
      throw new HttpError(404, 'NotFound', 'Conversation has expired; start a new conversation');
    }
    if (conversationId !== undefined && entry.conversationId !== conversationId) throw forbidden();
    if (entry.expiresAt <= now()) throw new HttpError(403, 'TokenExpired', 'Token has expired');
    const conversation = live(entry.conversationId);
    if (!conversation) throw new HttpError(404, 'NotFound', 'Conversation has expired; start a new conversation');
    return { conversation, token };
  }

  function forbidden(): HttpError {
    return new HttpError(403, 'Forbidden', 'Token is not valid for this conversation');
  }

  // ---- history ------------------------------------------------------------------------------

  function append(conversation: Conversation, activity: WireActivity): WireActivity {
    const bytes = byteSize(activity);
    if (bytes > maxActivityBytes) {
      throw new HttpError(413, 'MessageSizeTooBig', `Activity is larger than ${maxActivityBytes} bytes`);
    }
    conversation.seq += 1;
    activity.id = `${conversation.id}|${String(conversation.seq).padStart(7, '0')}`;
    conversation.history.push({ seq: conversation.seq, bytes, activity });
    conversation.historyBytes += bytes;
    // Clients that keep up never read old entries; a reconnect after a long gap simply starts later.
    while (conversation.history.length > maxActivities || conversation.historyBytes > maxHistoryBytes) {
      const dropped = conversation.history.shift() as StoredActivity;
      conversation.historyBytes -= dropped.bytes;
    }
    conversation.lastActiveAt = now();
    return activity;
  }

  function activitiesSince(conversation: Conversation, watermark: number): WireActivity[] {
    // Polls are frequent and usually find nothing new: answer those without touching the history.
    if (watermark >= conversation.seq || conversation.history.length === 0) return [];
    // Sequence numbers are contiguous, so the first unseen entry is found by arithmetic.
    const first = conversation.history[0].seq;
    return conversation.history.slice(Math.max(0, watermark - first + 1)).map((entry) => entry.activity);
  }

  // ---- bot turns ----------------------------------------------------------------------------

  function turnEnvelope(conversation: Conversation): WireActivity {
    return {
      id: randomId(12),
      timestamp: new Date(now()).toISOString(),
      channelId: 'directline',
      conversation: { id: conversation.id },
      recipient: { id: botId, role: 'bot' },
    };
  }

  /** What the bot sent, as a client reads it; the conversation may have expired while the turn ran. */
  function appendBotActivity(conversationId: string, sent: Partial<Activity>, replyTo: WireActivity): void {
    const conversation = live(conversationId);
    if (!conversation) return;
    const { serviceUrl: _serviceUrl, id: _id, timestamp: _timestamp, localTimestamp: _local, ...rest } = JSON.parse(JSON.stringify(sent)) as WireActivity;
    const from = isPlainObject(rest.from) ? rest.from : {};
    const replyToId = typeof rest.replyToId === 'string' ? rest.replyToId : typeof replyTo.id === 'string' ? replyTo.id : undefined;
    append(conversation, {
      ...rest,
      type: typeof rest.type === 'string' && rest.type ? rest.type : 'message',
      timestamp: new Date(now()).toISOString(),
      channelId: 'directline',
      conversation: { id: conversation.id },
      from: { ...from, id: typeof from.id === 'string' && from.id ? from.id : botId, role: 'bot' },
      ...(replyToId ? { replyToId } : {}),
    });
  }

  function enqueueTurn(conversation: Conversation, activity: WireActivity): void {
    conversation.pendingTurns += 1;
    const turn = conversation.queue
      // The bot must not be able to change what is stored, and the wire shape is what the bot would
      // get from a real channel (string timestamps), hence a clone and a cast at this boundary.
      .then(async () => {
        const sent = await options.deliver(structuredClone(activity) as Partial<Activity>);
        for (const reply of sent ?? []) {
          try {
            appendBotActivity(conversation.id, reply, activity);
          } catch (err) {
            logger?.warn({ err, conversationId: conversation.id }, 'local Direct Line: a bot activity was not stored');
          }
        }
      })
      .catch((err: unknown) => {
        logger?.error({ err, conversationId: conversation.id, activityType: activity.type }, 'local Direct Line: bot turn failed');
      })
      .finally(() => {
        conversation.pendingTurns -= 1;
        inflight.delete(turn);
      });
    conversation.queue = turn;
    inflight.add(turn);
  }

  // ---- client activity validation -----------------------------------------------------------

  /** Returns [stored echo without id, original for the bot]. */
  function readUserActivity(body: unknown, conversation: Conversation): [WireActivity, WireActivity] {
    if (!isPlainObject(body)) throw badArgument('Request body must be a JSON activity object');
    const type = body.type;
    if (typeof type !== 'string' || !USER_ACTIVITY_TYPES.has(type)) {
      throw badArgument(`"type" must be one of: ${[...USER_ACTIVITY_TYPES].join(', ')}`);
    }
    if (Array.isArray(body.attachments) && body.attachments.length > 0) {
      throw badArgument('Attachments are not supported by the local Direct Line');
    }
    if (body.attachments !== undefined && body.attachments !== null && !Array.isArray(body.attachments)) {
      throw badArgument('"attachments" must be an array');
    }

    let from: Record<string, unknown> = { id: conversation.defaultUserId };
    if (body.from !== undefined && body.from !== null) {
      if (!isPlainObject(body.from)) throw badArgument('"from" must be an object');
      const id = optionalString(body.from, 'id', MAX_ID_LENGTH);
      const name = optionalString(body.from, 'name', MAX_ID_LENGTH);
      if (id === botId) throw badArgument(`"from.id" must not be "${botId}"`);
      from = { id: id || conversation.defaultUserId, ...(name ? { name } : {}) };
    }
    // A client must not be able to post something that renders as a bot message.
    from.role = 'user';

    const text = optionalString(body, 'text');
    const textFormat = optionalString(body, 'textFormat');
    if (textFormat !== undefined && !TEXT_FORMATS.has(textFormat)) throw badArgument('"textFormat" must be plain, markdown or xml');
    const locale = optionalString(body, 'locale', 35);
    if (locale !== undefined && !LOCALE_PATTERN.test(locale)) throw badArgument('"locale" must be a language tag such as nl-NL');
    const name = optionalString(body, 'name', MAX_ID_LENGTH);
    const localTimestamp = optionalString(body, 'localTimestamp', 64);
    const localTimezone = optionalString(body, 'localTimezone', 64);
    if (body.channelData !== undefined && body.channelData !== null && !isPlainObject(body.channelData)) {
      throw badArgument('"channelData" must be an object');
    }
    if (body.entities !== undefined && body.entities !== null && !(Array.isArray(body.entities) && body.entities.every(isPlainObject))) {
      throw badArgument('"entities" must be an array of objects');
    }

    const original: WireActivity = {
      type,
      timestamp: new Date(now()).toISOString(),
      channelId: 'directline',
      from,
      conversation: { id: conversation.id },
      recipient: { id: botId, role: 'bot' },
      ...(text !== undefined ? { text } : {}),
      ...(textFormat !== undefined ? { textFormat } : {}),
      ...(locale !== undefined ? { locale } : {}),
      ...(name !== undefined ? { name } : {}),
      ...(localTimestamp !== undefined ? { localTimestamp } : {}),
      ...(localTimezone !== undefined ? { localTimezone } : {}),
      ...(body.value !== undefined ? { value: body.value } : {}),
      ...(isPlainObject(body.channelData) ? { channelData: body.channelData } : {}),
      ...(Array.isArray(body.entities) ? { entities: body.entities } : {}),
    };
    const mask = options.mask;
    const stored: WireActivity = structuredClone(original);
    if (mask) {
      if (typeof stored.text === 'string') stored.text = mask(stored.text);
      if (stored.value !== undefined) stored.value = maskDeep(stored.value, mask);
    }
    return [stored, original];
  }

  function readWatermark(req: Request): number {
    const raw: unknown = (req.query as Record<string, unknown> | undefined)?.watermark;
    if (raw === undefined || raw === '') return 0;
    if (typeof raw !== 'string' || !WATERMARK_PATTERN.test(raw)) throw badArgument('"watermark" must be a non-negative integer');
    return Number(raw);
  }

  // ---- routes -------------------------------------------------------------------------------

  function handler(fn: (req: Request) => Reply) {
    return (req: Request, res: Response, next: Next): void => {
      let reply: Reply;
      try {
        reply = fn(req);
      } catch (err) {
        if (err instanceof HttpError) {
          reply = { status: err.status, body: { error: { code: err.code, message: err.message } }, headers: err.headers };
        } else {
          logger?.error({ err, path: req.path() }, 'local Direct Line: request failed');
          reply = { status: 500, body: { error: { code: 'ServiceError', message: 'Internal error' } } };
        }
      }
      // Responses carry tokens and conversation content.
      res.send(reply.status, reply.body, { 'Cache-Control': 'no-store', ...reply.headers });
      next();
    };
  }

  function param(req: Request, name: string): string {
    const value: unknown = (req.params as Record<string, unknown> | undefined)?.[name];
    return typeof value === 'string' ? value : '';
  }

  function readCreateBody(body: unknown): { userId?: string; locale?: string } {
    if (body === undefined || body === null || body === '') return {};
    if (!isPlainObject(body)) throw badArgument('Request body must be a JSON object');
    let userId: string | undefined;
    if (body.user !== undefined && body.user !== null) {
      if (!isPlainObject(body.user)) throw badArgument('"user" must be an object');
      userId = optionalString(body.user, 'id', MAX_ID_LENGTH) || undefined;
      if (userId === botId) throw badArgument(`"user.id" must not be "${botId}"`);
    }
    const locale = optionalString(body, 'locale', 35);
    if (locale !== undefined && !LOCALE_PATTERN.test(locale)) throw badArgument('"locale" must be a language tag such as nl-NL');
    return { userId, locale };
  }

  /** directlinejs without a token or secret sends "Bearer undefined": that is an anonymous start. */
  function hasCredentials(req: Request): boolean {
    const header = req.headers.authorization;
    if (header === undefined) return false;
    const token = bearerToken(header);
    // Any other header that carries no token still goes to `authorize`, which answers 401.
    return token !== 'undefined' && token !== 'null';
  }

  const startConversation = handler((req) => {
    if (hasCredentials(req)) {
      // A token from tokens/generate is already bound to its conversation: start (201) or resume (200) it.
      const { conversation, token } = authorize(req);
      const status = conversation.started ? 200 : 201;
      if (!conversation.started) {
        // directlinejs sends conversationStartProperties.locale here; tokens/generate may have set one already.
        conversation.locale = readCreateBody(req.body).locale ?? conversation.locale;
        markStarted(conversation);
      }
      return { status, body: tokenBody(conversation, token) };
    }
    const { userId, locale } = readCreateBody(req.body);
    const conversation = createConversation(userId, locale);
    markStarted(conversation);
    const { token } = issueToken(conversation);
    return { status: 201, body: tokenBody(conversation, token) };
  });

  const generateToken = handler((req) => {
    const { userId, locale } = readCreateBody(req.body);
    const conversation = createConversation(userId, locale);
    const { token } = issueToken(conversation);
    return { status: 200, body: tokenBody(conversation, token) };
  });

  const refreshToken = handler((req) => {
    const { conversation } = authorize(req);
    const { token } = issueToken(conversation);
    return { status: 200, body: tokenBody(conversation, token) };
  });

  const reconnect = handler((req) => {
    const { conversation, token } = authorize(req, param(req, 'conversationId'));
    readWatermark(req);
    return { status: 200, body: tokenBody(conversation, token) };
  });

  const getActivities = handler((req) => {
    const { conversation } = authorize(req, param(req, 'conversationId'));
    const watermark = readWatermark(req);
    return { status: 200, body: { activities: activitiesSince(conversation, watermark), watermark: String(conversation.seq) } };
  });

  const postActivity = handler((req) => {
    const { conversation } = authorize(req, param(req, 'conversationId'));
    const [stored, original] = readUserActivity(req.body, conversation);
    const announce = conversationUpdates && !conversation.userAnnounced && original.type !== 'typing';
    const turns = 1 + (announce ? 1 : 0) + (conversationUpdates && !conversation.started ? 1 : 0);
    if (conversation.pendingTurns + turns > maxPendingTurns) {
      throw new HttpError(429, 'TooManyRequests', 'The bot is still busy with earlier messages; try again shortly', { 'Retry-After': '1' });
    }
    const echoed = append(conversation, stored);
    // A client that skipped POST /conversations (e.g. it reconnected with a generated token) started it now.
    markStarted(conversation);
    original.id = echoed.id;
    if (announce) {
      conversation.userAnnounced = true;
      const from = original.from as Record<string, unknown>;
      enqueueTurn(conversation, {
        ...turnEnvelope(conversation),
        type: 'conversationUpdate',
        from,
        membersAdded: [{ id: from.id, ...(from.name ? { name: from.name } : {}), role: 'user' }],
        ...(original.locale ? { locale: original.locale } : {}),
      });
    }
    enqueueTurn(conversation, original);
    return { status: 200, body: { id: echoed.id } };
  });

  const uploadUnsupported = handler((req) => {
    authorize(req, param(req, 'conversationId'));
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

    if (!sweepTimer && !closed) {
      sweepTimer = setInterval(sweep, Math.min(idleMs, MINUTE));
      // The sweep must never keep the process (or Jest) alive on its own.
      sweepTimer.unref();
    }
  }

  async function drain(): Promise<void> {
    while (inflight.size > 0) await Promise.all([...inflight]);
  }

  async function close(): Promise<void> {
    closed = true;
    if (sweepTimer) clearInterval(sweepTimer);
    sweepTimer = undefined;
    await drain();
  }

  return {
    register,
    close,
    drain,
    sweep,
    get conversationCount() {
      return conversations.size;
    },
    history(conversationId) {
      const conversation = conversations.get(conversationId);
      return conversation ? conversation.history.map((entry) => structuredClone(entry.activity)) : undefined;
    },
  };
}
