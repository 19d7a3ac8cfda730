import type { Activity } from 'botbuilder';
import { AuthenticationError, type AuthenticateRequestResult, type BotFrameworkAuthentication, type ClaimsIdentity } from 'botframework-connector';
import { DelegatingAuthentication } from '../channels/delegating-authentication';
import type { Next, Request, Response } from 'restify';
import { sendError } from '../web/error-reply';

/**
 * The Bot Framework JWT check, made safe for a public endpoint.
 *
 * botbuilder validates the token's signature against keys it downloads from Microsoft's OpenID
 * metadata (login.botframework.com, or login.microsoftonline.com for the Emulator), so a real
 * check needs outbound HTTPS. Two things about it are not fit for untrusted input:
 *
 * - a token that merely looks right can make the bot fetch metadata;
 * - a token whose signature, `nbf` or format is wrong makes jsonwebtoken throw its own error
 *   class, which would be answered with 500 instead of 401.
 *
 * `checkBearer` rejects, without any network call, every header that cannot possibly carry a valid
 * channel token: missing, not `Bearer <jwt>`, undecodable, a disallowed algorithm, no key id,
 * expired, not yet valid, or a Bot Framework channel token for another bot. It only ever rejects;
 * what passes still gets botbuilder's full check. `requireChannelToken` runs it once per request,
 * before the per-conversation limit and the route; `UnauthorizedOnBadToken` turns the JWT library's
 * errors into the 401 they are.
 */

/** botbuilder's AuthenticationConstants.AllowedSigningAlgorithms. */
const ALLOWED_ALGORITHMS = new Set(['RS256', 'RS384', 'RS512']);
/** botbuilder's clockTolerance for channel and emulator tokens. */
const CLOCK_TOLERANCE_SECONDS = 300;
/** Issuers of tokens a Bot Framework channel sends (public and US government cloud); their audience is the app id. */
const CHANNEL_ISSUERS = new Set(['https://api.botframework.com', 'https://api.botframework.us']);
const MAX_HEADER_LENGTH = 8192;
// Not ./bearer-token: botbuilder accepts only exactly "Bearer <jwt>", and this check must never pass a header botbuilder would refuse.
const JWT = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

export type BearerVerdict = { ok: true } | { ok: false; reason: string };

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function checkBearer(header: unknown, appId: string, nowSeconds = Date.now() / 1000, channelIssuers: ReadonlySet<string> = CHANNEL_ISSUERS): BearerVerdict {
  if (typeof header !== 'string' || header === '') return { ok: false, reason: 'an Authorization header with a Bot Framework token is required' };
  if (header.length > MAX_HEADER_LENGTH) return { ok: false, reason: 'the Authorization header is too long' };
  const match = JWT.exec(header.trim());
  if (!match) return { ok: false, reason: 'the Authorization header must be "Bearer <JWT>"' };
  const head = decodePart(match[1]!);
  const claims = decodePart(match[2]!);
  if (!head || !claims) return { ok: false, reason: 'the token is not a readable JWT' };
  if (typeof head.alg !== 'string' || !ALLOWED_ALGORITHMS.has(head.alg)) return { ok: false, reason: 'the token is not signed with an allowed algorithm' };
  if (typeof head.kid !== 'string' || head.kid === '') return { ok: false, reason: 'the token names no signing key' };
  if (typeof claims.iss !== 'string') return { ok: false, reason: 'the token has no issuer' };
  if (typeof claims.exp !== 'number' || claims.exp + CLOCK_TOLERANCE_SECONDS < nowSeconds) return { ok: false, reason: 'the token has expired' };
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf - CLOCK_TOLERANCE_SECONDS > nowSeconds)) {
    return { ok: false, reason: 'the token is not valid yet' };
  }
  if (channelIssuers.has(claims.iss) && claims.aud !== appId) return { ok: false, reason: 'the token is for another bot' };
  return { ok: true };
}

/** restify `use` handler: with credentials, /api/messages needs a token that passes `checkBearer` (refused here with 401, before anything counts it). */
export function requireChannelToken(appId: string | undefined, channelIssuer?: string) {
  // A cloud of one's own (ToBotFromChannelTokenIssuer) issues channel tokens too.
  const channelIssuers = channelIssuer ? new Set([...CHANNEL_ISSUERS, channelIssuer]) : CHANNEL_ISSUERS;
  return (req: Request, res: Response, next: Next): void => {
    if (!appId || req.getRoute?.()?.path !== '/api/messages') return next();
    const verdict = checkBearer(req.headers.authorization, appId, Date.now() / 1000, channelIssuers);
    if (verdict.ok) return next();
    sendError(res, 401, 'Unauthorized', verdict.reason, { 'WWW-Authenticate': 'Bearer' });
    next(false);
  };
}

/** Errors jsonwebtoken throws for a bad token (bad signature, malformed, not yet valid, expired). */
const JWT_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

function rethrowAsUnauthorized(err: unknown): never {
  if (err instanceof Error && !(err instanceof AuthenticationError) && JWT_ERRORS.has(err.name)) throw new AuthenticationError(`Unauthorized. ${err.message}`, 401);
  throw err;
}

/**
 * botbuilder's authentication, except that a bad token is always a 401 (never a 500): the JWT
 * library's own errors become AuthenticationError. Everything else is the inner one's.
 */
export class UnauthorizedOnBadToken extends DelegatingAuthentication {
  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return super.authenticateRequest(activity, authHeader).catch(rethrowAsUnauthorized);
  }

  override async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    return super.authenticateStreamingRequest(authHeader, channelIdHeader).catch(rethrowAsUnauthorized);
  }

  override async authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return super.authenticateChannelRequest(authHeader).catch(rethrowAsUnauthorized);
  }
}

/** With an app id, the authentication in UnauthorizedOnBadToken; without one (anonymous mode) no token is checked, and `auth` is returned as it is. */
export function guardAuthentication(auth: BotFrameworkAuthentication, appId: string | undefined): BotFrameworkAuthentication {
  return appId ? new UnauthorizedOnBadToken(auth) : auth;
}
