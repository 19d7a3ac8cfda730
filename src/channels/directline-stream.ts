import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { rawErrorAnswer } from '../web/error-reply';
import { HttpError, readWatermark } from './directline-input';
import type { ActivitySet, DirectLineState } from './directline-state';

/**
 * The Direct Line WebSocket stream (`streamUrl`), on the `ws` library: after the upgrade the
 * server sends each new activity set `{activities, watermark}` as one text message, as Azure's
 * does. The socket's conversation may have its turns run on any instance: the state's `subscribe`
 * wakes this one (Redis pub/sub, or in process), and the socket then reads everything above the
 * watermark it last sent, so that a wake-up lost or doubled neither drops nor repeats an activity.
 */
export interface StreamOptions {
  /** Activities above a watermark (directline.ts `read`). */
  read(conversationId: string, watermark: number): Promise<ActivitySet>;
  /** Wakes the socket after activities were appended to its conversation, on any instance. */
  subscribe: DirectLineState['subscribe'];
  /** Checks the token in the stream URL for the conversation; throws HttpError as the REST routes do. */
  authorize(token: string, conversationId: string): Promise<void>;
  /** Sockets this instance holds at most; more are refused with 503. */
  maxConnections: number;
  /** Ping interval; a socket that has not answered the previous ping is dropped. Default 30 s. */
  heartbeatMs?: number;
  logger?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
}

export interface ActivityStreams {
  /** Takes over `upgrade` requests for the stream path on the HTTP server. */
  attach(server: HttpServer): void;
  /** The streamUrl for a conversation, from the request's origin (or PUBLIC_URL). */
  url(origin: string, conversationId: string, token: string, watermark: number): string;
  /** Open sockets on this instance. */
  readonly connections: number;
  /** Closes every socket with 1001 (going away): clients reconnect, through the balancer, to another instance. */
  close(): Promise<void>;
}

const STREAM_PATH = /^\/v3\/directline\/conversations\/([^/?]{1,256})\/stream$/;
/** directlinejs sends an empty message every 20 s to keep the socket alive; nothing else is expected. */
const MAX_CLIENT_MESSAGE_BYTES = 1024;

export function createActivityStreams(options: StreamOptions): ActivityStreams {
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES, perMessageDeflate: false });
  const alive = new WeakMap<WebSocket, boolean>();
  let heartbeat: NodeJS.Timeout | undefined;

  /** An upgrade refused is answered in plain HTTP, in the Direct Line error shape. */
  function refuse(socket: Duplex, error: HttpError): void {
    socket.end(rawErrorAnswer(error.status, error.code, error.message));
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stream.invalid');
    const match = STREAM_PATH.exec(url.pathname);
    if (!match) return refuse(socket, new HttpError(404, 'NotFound', 'Not found'));
    const conversationId = decodeURIComponent(match[1] as string);
    let watermark: number;
    try {
      watermark = readWatermark(url.searchParams.get('watermark') ?? undefined);
      if (wss.clients.size >= options.maxConnections) throw new HttpError(503, 'ServiceUnavailable', 'Too many open streams; try again later');
      await options.authorize(url.searchParams.get('t') ?? '', conversationId);
    } catch (err) {
      if (err instanceof HttpError) return refuse(socket, err);
      options.logger?.warn({ err }, 'local Direct Line: stream could not be opened');
      return refuse(socket, new HttpError(503, 'ServiceUnavailable', 'Stream unavailable; try again'));
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, conversationId, watermark));
  }

  function serve(ws: WebSocket, conversationId: string, watermark: number): void {
    let sent = watermark;
    let pumping = false;
    let again = false;
    alive.set(ws, true);

    // One read at a time per socket; a wake-up during a read makes one more read after it.
    const pump = async (): Promise<void> => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          const set = await options.read(conversationId, sent);
          if (ws.readyState !== ws.OPEN) return;
          if (set.activities.length > 0 || set.watermark > sent) {
            sent = set.watermark;
            if (set.activities.length > 0) ws.send(JSON.stringify({ activities: set.activities, watermark: String(set.watermark) }));
          }
        } while (again);
      } catch (err) {
        // The client reconnects with its watermark and reads what it missed.
        options.logger?.warn({ err, conversationId }, 'local Direct Line: stream read failed; closing it');
        ws.close(1011, 'stream read failed');
      } finally {
        pumping = false;
      }
    };

    let unsubscribe: (() => void) | undefined;
    let open = true;
    ws.on('pong', () => alive.set(ws, true));
    ws.on('message', () => alive.set(ws, true));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      open = false;
      unsubscribe?.();
    });
    // Subscribed first, then the first read: an append in between wakes the socket, none is missed.
    options.subscribe(conversationId, () => void pump()).then(
      (stop) => {
        unsubscribe = stop;
        if (!open) return stop();
        void pump();
      },
      (err: unknown) => {
        options.logger?.warn({ err, conversationId }, 'local Direct Line: stream could not subscribe; closing it');
        ws.close(1011, 'stream unavailable');
      },
    );
  }

  return {
    attach(server) {
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        socket.on('error', () => socket.destroy());
        void upgrade(req, socket, head);
      });
      heartbeat ??= setInterval(() => {
        for (const ws of wss.clients) {
          if (!alive.get(ws)) {
            ws.terminate();
            continue;
          }
          alive.set(ws, false);
          ws.ping();
        }
      }, heartbeatMs);
      // The heartbeat must never keep the process (or Jest) alive on its own.
      heartbeat.unref();
    },
    url(origin, conversationId, token, watermark) {
      const base = origin.replace(/^http/, 'ws');
      return `${base}/v3/directline/conversations/${encodeURIComponent(conversationId)}/stream?watermark=${watermark}&t=${encodeURIComponent(token)}`;
    },
    get connections() {
      return wss.clients.size;
    },
    async close() {
      if (heartbeat) clearInterval(heartbeat);
      heartbeat = undefined;
      for (const ws of wss.clients) ws.close(1001, 'server going away');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
