import type { Next, Request, Response } from 'restify';
import { bearerToken } from './bearer-token';
import { sendError } from './error-reply';
import { secretMatches } from './secret-compare';

/** `GET /metrics` is open unless METRICS_TOKEN is set; then it needs `Authorization: Bearer <METRICS_TOKEN>`. */
export function requireMetricsToken(token: string | undefined) {
  return (req: Request, res: Response, next: Next): void => {
    if (!token) return next();
    const given = bearerToken(req.headers.authorization);
    if (given !== undefined && secretMatches(given, token)) return next();
    sendError(res, 401, 'Unauthorized', 'GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>"', { 'WWW-Authenticate': 'Bearer' });
    next(false);
  };
}
