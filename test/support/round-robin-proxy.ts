import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A load balancer on 127.0.0.1 for the multi-instance tests: each request (and each WebSocket
 * upgrade, piped as raw bytes) goes to the next backend in turn, skipping one that refuses the
 * connection, as a balancer with health checks would. `served` records which backend took what.
 */
export interface RoundRobinProxy {
  readonly url: string;
  /** Backend index per request, in order: `[method path, index]`. */
  readonly served: Array<[string, number]>;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(backends: readonly number[]): Promise<RoundRobinProxy> {
  let next = 0;
  const served: Array<[string, number]> = [];
  const sockets = new Set<net.Socket>();

  /** Connects to the next backend that accepts, trying each once. */
  function connect(onConnected: (socket: net.Socket, index: number) => void, onFailed: () => void, tried = 0): void {
    if (tried >= backends.length) return onFailed();
    const index = next;
    next = (next + 1) % backends.length;
    const socket = net.connect({ host: '127.0.0.1', port: backends[index] as number });
    let connected = false;
    socket.once('connect', () => {
      connected = true;
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      onConnected(socket, index);
    });
    socket.on('error', () => {
      if (!connected) connect(onConnected, onFailed, tried + 1);
    });
  }

  const server = http.createServer((req, res) => {
    connect(
      (socket, index) => {
        served.push([`${req.method} ${req.url?.split('?')[0]}`, index]);
        const upstream = http.request({ createConnection: () => socket, method: req.method, path: req.url, headers: { ...req.headers, connection: 'close' } }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', () => {
          if (!res.headersSent) res.writeHead(502);
          res.end();
        });
        req.pipe(upstream);
      },
      () => {
        res.writeHead(502);
        res.end();
      },
    );
  });

  server.on('upgrade', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    connect(
      (socket, index) => {
        served.push([`UPGRADE ${req.url?.split('?')[0]}`, index]);
        const lines = [`${req.method} ${req.url} HTTP/1.1`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        socket.write(`${lines.join('\r\n')}\r\n\r\n`);
        if (head.length > 0) socket.write(head);
        socket.pipe(client);
        client.pipe(socket);
        socket.on('error', () => client.destroy());
        socket.on('close', () => client.destroy());
        client.on('close', () => socket.destroy());
      },
      () => client.destroy(),
    );
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
