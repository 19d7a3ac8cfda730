import type { Request, Response, Server } from 'restify';
import type { Logger } from '../logger';

/** `GET /healthz` (the process runs) and `GET /readyz` (the store answers); during shutdown the guards answer /readyz with 503. */
export function registerHealthRoutes(server: Server, deps: { store: { ping(): Promise<void> }; logger: Logger }): void {
  server.get('/healthz', async (_req: Request, res: Response) => {
    res.send(200, { status: 'ok' });
  });
  server.get('/readyz', async (_req: Request, res: Response) => {
    try {
      await deps.store.ping();
      res.send(200, { status: 'ready' });
    } catch (err) {
      deps.logger.warn({ err }, 'readiness check failed: storage does not answer');
      res.send(503, { status: 'unavailable', reason: 'storage does not answer' });
    }
  });
}
