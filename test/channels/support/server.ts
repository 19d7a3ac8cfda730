import type { AddressInfo } from 'node:net';
import restify from 'restify';

export interface TestServer {
  server: restify.Server;
  /** e.g. http://127.0.0.1:54321 (no trailing slash) */
  origin: string;
  close(): Promise<void>;
}

/** A restify server on 127.0.0.1, port 0, with the plugins the app installs globally. */
export async function startServer(register: (server: restify.Server) => void, listenPort = 0): Promise<TestServer> {
  const server = restify.createServer({ handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser());
  server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024 }));
  register(server);
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Keep-alive sockets from fetch would otherwise hold the server (and Jest) open.
        server.server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
