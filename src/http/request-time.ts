import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { rawErrorAnswer } from '../web/error-reply';

export interface RequestTimeLimits {
  /** The whole request, its body included, must have arrived this long after its headers. */
  requestTimeoutMs: number;
  /** The headers must have arrived within this. */
  headersTimeoutMs: number;
}

export interface RequestTime {
  /** Requests whose body is still arriving. */
  readonly receiving: number;
  /** Closes the connections of requests still being sent (at the shutdown drain deadline). Returns how many. */
  dropReceiving(): number;
}

/**
 * Bounds how long a client may take to send a request, so that bodies trickled in a byte at a
 * time cannot hold sockets (and a shutdown) open. Node's own `requestTimeout` is checked only
 * every 30 s (`connectionsCheckingInterval`, which restify gives no way to set), so it stays as a
 * backstop and each request also gets its own timer: a request not received in full by then is
 * answered 408 and its connection closed.
 */
export function boundRequestTime(server: Server, limits: RequestTimeLimits, onTimeout?: (req: IncomingMessage) => void): RequestTime {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.headersTimeoutMs + limits.requestTimeoutMs;
  const open = new Set<IncomingMessage>();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    open.add(req);
    const timer = setTimeout(() => {
      if (req.complete) return;
      onTimeout?.(req);
      refuse(req, res);
    }, limits.requestTimeoutMs);
    timer.unref();
    res.once('close', () => {
      clearTimeout(timer);
      open.delete(req);
    });
  });

  server.on('clientError', refuseUnparsed);

  return {
    get receiving() {
      return [...open].filter((req) => !req.complete).length;
    },
    dropReceiving() {
      let dropped = 0;
      for (const req of open) {
        if (req.complete) continue;
        dropped++;
        req.socket.destroy();
      }
      return dropped;
    },
  };
}

const TIMEOUT_RESPONSE = rawErrorAnswer(408, 'RequestTimeout', 'the request was not received in time');

/**
 * A request Node's parser refuses before restify sees it: headers over node's limit (16 KB),
 * malformed HTTP, node's own request timeout. Node's default handler destroys the socket at once;
 * with the client's bytes still unread, the kernel then resets the connection and the client reads
 * ECONNRESET instead of the status. So the status is written, the rest of what the client sends is
 * read and dropped, and the socket is closed once the client has gone or after a second.
 */
function refuseUnparsed(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const answer =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? rawErrorAnswer(431, 'RequestHeaderFieldsTooLarge', 'the request headers are larger than the server accepts')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? TIMEOUT_RESPONSE
        : rawErrorAnswer(400, 'BadRequest', 'the request is not valid HTTP/1.1');
  socket.end(answer);
  socket.resume();
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * 408 in the service's error shape, written on the socket itself and the connection closed, as
 * Node does for its own requestTimeout. Not through the response object: restify's handler chain
 * is still waiting for the body and answers the aborted request itself; to restify this is the
 * same as a client that went away.
 */
function refuse(req: IncomingMessage, res: ServerResponse): void {
  const { socket } = req;
  if (res.headersSent || socket.destroyed) return void socket.destroy();
  socket.end(TIMEOUT_RESPONSE, () => socket.destroy());
  // A client that does not read the answer must not keep the socket either.
  setTimeout(() => socket.destroy(), 1000).unref();
}
