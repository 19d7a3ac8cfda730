import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A channel on 127.0.0.1 that takes `delayMs` to accept each reply, so a turn stays in flight. */
export interface SlowConnector {
  url: string;
  /** Replies received (bodies as JSON), in order. */
  received: Record<string, unknown>[];
  /** Resolves once a reply for this conversation has started to arrive. */
  arrival(conversationId: string): Promise<void>;
  close(): Promise<void>;
}

export async function startSlowConnector(delayMs: number): Promise<SlowConnector> {
  const received: Record<string, unknown>[] = [];
  const waiting = new Map<string, () => void>();
  const server: Server = createServer((req, res) => {
    const match = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
    if (match) waiting.get(decodeURIComponent(match[1]!))?.();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        try {
          received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
        } catch {
          // not an activity
        }
        res.statusCode = 200;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: `slow-${received.length}` }));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    received,
    arrival: (conversationId) => new Promise<void>((resolve) => waiting.set(conversationId, resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
