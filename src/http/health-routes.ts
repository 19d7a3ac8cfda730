import type { Request, Response, Server } from 'restify';
import type { Logger } from '../logger';
import type { ConversationStore } from '../storage/create-store';
import { isOutOfRoom } from '../storage/errors';

/**
 * `GET /healthz` (the process runs) and `GET /readyz` (the store answers); during shutdown the
 * guards answer /readyz with 503.
 *
 * A store that answers but found part of its data damaged is "degraded" with 200, not 503:
 * readiness decides whether an instance gets traffic, and taking it out would stop every
 * conversation for the few that were lost. The reason is in the body, and in /metrics
 * (`ag_storage_degraded`), for the operator to act on.
 */
export function registerHealthRoutes(server: Server, deps: { store: Pick<ConversationStore, 'ping' | 'damage'>; logger: Logger }): void {
  server.get('/healthz', async (_req: Request, res: Response) => {
    res.send(200, { status: 'ok' });
  });
  server.get('/readyz', async (_req: Request, res: Response) => {
    try {
      await deps.store.ping();
    } catch (err) {
      deps.logger.warn({ err }, 'readiness check failed: storage does not answer');
      res.send(503, { status: 'unavailable', reason: `storage does not answer${isOutOfRoom(err) ? ': the disk is full' : ''}` });
      return;
    }
    const damage = deps.store.damage?.();
    if (damage) {
      res.send(200, { status: 'degraded', reason: `storage is damaged; ${damage.lostItems} stored items were lost and started over, the rest are served (see the log)` });
      return;
    }
    res.send(200, { status: 'ready' });
  });
}
