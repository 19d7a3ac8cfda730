import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Next, Request, Response, Server } from 'restify';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { requireChannelToken } from './auth';
import { sendError } from '../web/error-reply';
import { isLoopbackHost } from '../web/service-url';
import type { Metrics } from '../ops/metrics';
import { createRateLimiter, rateLimitRedis, type RateDecision } from '../ops/rate-limit';

/**
 * What stands in front of every route: request accounting for graceful shutdown, refusals that
 * protect the process, per-client and per-conversation rate limits, and one error format.
 *
 * Refusals, in order (all before the body is read, except the token check and the per-conversation limit):
 * - while shutting down, 503;
 * - a `Content-Encoding` other than identity, 415: restify would gunzip the body without a size
 *   limit (a small gzip bomb fills the memory) and a corrupt gzip stream crashes the process;
 * - multipart and octet-stream bodies, 415 (restify reads them outside its size limit), and a
 *   declared `Content-Length` over MAX_BODY_BYTES, 413 (restify's own check covers chunked bodies);
 * - more requests from one client address than its limit allows, 429 with Retry-After;
 * - with credentials, an /api/messages request whose token cannot be valid, 401 (src/http/auth.ts);
 * - more messages to one conversation than its limit allows, 429 with Retry-After.
 */
export interface HttpGuards {
  /** Installs the `pre` and `use` handlers and the log of server errors. Call before the routes. */
  install(server: Server): void;
  /** Stops taking new requests (503) and resolves when none is in flight, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<{ pending: number }>;
  readonly draining: boolean;
  readonly inFlight: number;
}

/** Probes and scrapes are never limited: an overloaded instance must still say how it is. */
const UNLIMITED = new Set(['/healthz', '/readyz', '/metrics']);
const MESSAGE_ROUTES = new Set(['/api/messages', '/v3/directline/conversations/:conversationId/activities']);

/**
 * Who is asking: the socket's address, or behind a trusted proxy the last X-Forwarded-For entry
 * (the one the proxy appended). `local` is true only for a direct loopback connection (the
 * Emulator, tests, the bench), never because of a header someone can write.
 */
export function clientOf(req: IncomingMessage, trustProxy: boolean): { address: string; local: boolean } {
  const socket = normalizeAddress(req.socket?.remoteAddress ?? 'unknown');
  const header = req.headers['x-forwarded-for'];
  const forwarded = trustProxy && header !== undefined ? (Array.isArray(header) ? header.join(',') : header).split(',').pop()?.trim() : undefined;
  if (forwarded) return { address: normalizeAddress(forwarded), local: false };
  return { address: socket, local: isLoopbackHost(socket) };
}

function normalizeAddress(address: string): string {
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '').toLowerCase();
}

export function createHttpGuards(deps: { config: Config; logger: Logger; metrics: Metrics }): HttpGuards {
  const { config, logger, metrics } = deps;
  const limits = config.rateLimit;
  let redisDown = false;
  const redis =
    limits.enabled && config.redisUrl
      ? rateLimitRedis(config.redisUrl, (err) => {
          if (!redisDown) logger.warn({ err }, 'rate limits: redis does not answer; counting in memory until it does');
          redisDown = true;
        })
      : undefined;
  redis?.on('ready', () => (redisDown = false));
  const perClient = limits.enabled ? createRateLimiter('client', limits.client, { redis }) : undefined;
  const perConversation = limits.enabled ? createRateLimiter('conversation', limits.conversation, { redis }) : undefined;
  let inFlight = 0;
  let draining = false;
  const idleWaiters = new Set<() => void>();

  function finished(): void {
    inFlight--;
    metrics.inFlightRequests.dec();
    if (inFlight === 0) for (const wake of [...idleWaiters]) wake();
  }

  function refuse(res: Response, next: Next, reason: string, status: number, code: string, message: string, headers?: Record<string, string>): void {
    metrics.rejections.inc({ reason });
    sendError(res, status, code, message, headers);
    next(false);
  }

  /** Runs a limit's verdict into the handler chain; a limiter that fails lets the request through, logged. */
  function limited(decision: Promise<RateDecision>, next: Next, refusal: (retryAfterSeconds: number) => void): void {
    decision.then(
      (verdict) => (verdict.ok ? next() : refusal(verdict.retryAfterSeconds)),
      (err: unknown) => {
        logger.warn({ err }, 'rate limit could not be checked');
        next();
      },
    );
  }

  function track(req: Request, res: Response, next: Next): void {
    inFlight++;
    metrics.inFlightRequests.inc();
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      finished();
      const route = req.getRoute?.()?.path;
      metrics.httpResponses.inc({ route: typeof route === 'string' ? route : 'unmatched', status: String(res.statusCode) });
    };
    (res as unknown as ServerResponse).once('finish', end);
    (res as unknown as ServerResponse).once('close', end);
    next();
  }

  function guard(req: Request, res: Response, next: Next): void {
    const path = req.getPath();
    const { address: client, local: loopback } = clientOf(req as unknown as IncomingMessage, config.trustProxy);
    if (draining) {
      if (path === '/readyz') return refuse(res, next, 'shutdown', 503, 'ShuttingDown', 'the server is shutting down');
      if (path !== '/healthz') {
        res.setHeader('Connection', 'close');
        return refuse(res, next, 'shutdown', 503, 'ShuttingDown', 'the server is shutting down; try again shortly', { 'Retry-After': '1' });
      }
    }
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && String(encoding).trim().toLowerCase() !== 'identity') {
      return refuse(res, next, 'encoding', 415, 'UnsupportedMediaType', 'compressed request bodies are not accepted; send plain JSON');
    }
    // restify reads multipart and octet-stream bodies outside its size limit (multipart parts even
    // go to temporary files); nothing here takes either.
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === 'multipart/form-data' || type === 'application/octet-stream') {
      return refuse(res, next, 'content-type', 415, 'UnsupportedMediaType', 'send the body as application/json');
    }
    const length = Number(req.headers['content-length']);
    if (Number.isFinite(length) && length > config.maxBodyBytes) {
      res.setHeader('Connection', 'close');
      return refuse(res, next, 'too-large', 413, 'PayloadTooLarge', `the request body is larger than ${config.maxBodyBytes} bytes (MAX_BODY_BYTES)`);
    }
    // Bot Framework channels share their addresses among all their users, so an authenticated
    // /api/messages is limited per conversation only; so is the loopback (Emulator, tests, bench).
    const channelEndpoint = path === '/api/messages' && (Boolean(config.auth) || loopback);
    if (!perClient || UNLIMITED.has(path) || channelEndpoint) return next();
    limited(perClient.take(client), next, (retryAfterSeconds) => {
      logger.debug({ client, path }, 'rate limited (client)');
      refuse(res, next, 'rate-client', 429, 'TooManyRequests', 'too many requests from this client; slow down', { 'Retry-After': String(retryAfterSeconds) });
    });
  }

  /** After the body parser: the conversation a message is for is known now. */
  function conversationLimit(req: Request, res: Response, next: Next): void {
    if (!perConversation || req.method !== 'POST') return next();
    const route = req.getRoute?.()?.path;
    if (typeof route !== 'string' || !MESSAGE_ROUTES.has(route)) return next();
    let key: string | undefined;
    if (route === '/api/messages') {
      // With credentials, only requests whose token passed requireChannelToken get here, so junk
      // cannot use up a real conversation's allowance.
      const body = req.body as { channelId?: unknown; conversation?: { id?: unknown } } | undefined;
      const id = body && typeof body === 'object' ? body.conversation?.id : undefined;
      if (typeof id === 'string' && id.length <= 1024) key = `${typeof body?.channelId === 'string' ? body.channelId.slice(0, 128) : ''}/${id}`;
    } else {
      const id = (req.params as Record<string, unknown> | undefined)?.conversationId;
      if (typeof id === 'string') key = `directline/${id.slice(0, 256)}`;
    }
    if (key === undefined) return next(); // the handler answers 400
    const conversation = key;
    limited(perConversation.take(conversation), next, (retryAfterSeconds) => {
      logger.debug({ conversation }, 'rate limited (conversation)');
      refuse(res, next, 'rate-conversation', 429, 'TooManyRequests', 'too many messages in this conversation; slow down', { 'Retry-After': String(retryAfterSeconds) });
    });
  }

  /** restify's hook for the errors it answers: a 5xx is logged here; its body is rendered by ./error-format.ts. */
  function logServerError(req: Request, _res: Response, err: unknown, callback: () => void): void {
    const status = (err as { statusCode?: unknown } | undefined)?.statusCode;
    if (typeof status !== 'number' || status >= 500) logger.error({ err, path: req.getPath(), method: req.method }, 'request failed');
    callback();
  }

  return {
    install(server) {
      server.pre(track);
      server.pre(guard);
      server.use(requireChannelToken(config.auth?.appId, config.auth?.cloud.channelTokenIssuer));
      server.use(conversationLimit);
      server.on('restifyError', logServerError);
    },
    async drain(timeoutMs) {
      draining = true;
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, timeoutMs);
          function done() {
            clearTimeout(timer);
            idleWaiters.delete(done);
            resolve();
          }
          idleWaiters.add(done);
        });
      }
      redis?.disconnect();
      return { pending: inFlight };
    },
    get draining() {
      return draining;
    },
    get inFlight() {
      return inFlight;
    },
  };
}
