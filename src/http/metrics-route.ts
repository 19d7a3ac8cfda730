import type { ServerResponse } from 'node:http';
import type { Next, Request, Response, Server } from 'restify';
import type { Metrics } from '../ops/metrics';
import { bearerToken } from '../web/bearer-token';
import { sendError } from '../web/error-reply';
import { secretMatches } from '../web/secret-compare';

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

/** `GET /metrics`: the registry in Prometheus' text format (src/ops/README.md lists the metrics). */
export function registerMetricsRoute(server: Server, deps: { metrics: Metrics; token: string | undefined }): void {
  const { registry } = deps.metrics;
  server.get('/metrics', requireMetricsToken(deps.token), async (_req: Request, res: Response) => {
    const body = await registry.metrics();
    // Plain Node calls: restify would JSON-encode a string body.
    const raw = res as unknown as ServerResponse;
    raw.statusCode = 200;
    raw.setHeader('Content-Type', registry.contentType);
    raw.setHeader('Cache-Control', 'no-store');
    raw.end(body);
  });
}
