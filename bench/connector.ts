/**
 * The loopback channel service for the benchmark: the bots post their replies to
 * `serviceUrl/v3/conversations/{id}/activities[/{replyToId}]`, and this server timestamps each one
 * the moment its body has been read, before it answers.
 *
 * It keeps only the latest reply per conversation (the load generator reads the card buttons from
 * it and then forgets the conversation), so 10,000 conversations cost it nothing that grows.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface Reply {
  /** `performance.now()` when the reply's body had been received. */
  at: number;
  /** The raw JSON body; parsed only by the scenarios that need to click a button in it. */
  body: string;
}

export interface Connector {
  /** Base URL to put in `activity.serviceUrl`, with a trailing slash. */
  readonly url: string;
  /** Replies received so far, all conversations. */
  readonly received: number;
  /** Requests that were not a reply (wrong method or path). */
  readonly unexpected: number;
  /** Resolves with the next reply to this conversation; register it before sending the turn. */
  nextReply(conversationId: string): Promise<Reply>;
  /** The latest reply to this conversation, if any. */
  lastReply(conversationId: string): Reply | undefined;
  /** Drops what is kept for a finished conversation. */
  forget(conversationId: string): void;
  close(): Promise<void>;
}

const REPLY_PATH = /^\/v3\/conversations\/([^/?]+)\/activities(?:\/[^?]*)?(?:\?.*)?$/;
const ANSWER = '{"id":"bench-reply"}';

export async function startConnector(): Promise<Connector> {
  const latest = new Map<string, Reply>();
  const waiting = new Map<string, (reply: Reply) => void>();
  let received = 0;
  let unexpected = 0;

  const answer = (res: ServerResponse, status: number, body: string): void => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      const match = req.method === 'POST' ? REPLY_PATH.exec(req.url ?? '') : null;
      if (!match) {
        unexpected++;
        answer(res, 404, '{}');
        return;
      }
      received++;
      const conversationId = decodeURIComponent(match[1]);
      const reply: Reply = { at, body: Buffer.concat(chunks).toString('utf8') };
      latest.set(conversationId, reply);
      const waiter = waiting.get(conversationId);
      if (waiter) {
        waiting.delete(conversationId);
        waiter(reply);
      }
      answer(res, 200, ANSWER);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    get received() {
      return received;
    },
    get unexpected() {
      return unexpected;
    },
    nextReply: (conversationId) => new Promise<Reply>((resolve) => waiting.set(conversationId, resolve)),
    lastReply: (conversationId) => latest.get(conversationId),
    forget: (conversationId) => {
      latest.delete(conversationId);
      waiting.delete(conversationId);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
