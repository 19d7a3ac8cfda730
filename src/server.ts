import { getHeapStatistics } from 'node:v8';
import { buildApp } from './app';
import { loadFastText } from './understanding/fasttext';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { isLoopbackHost } from './web/service-url';

/** SIGTERM to exit: Kubernetes and App Service wait 10 s before they kill; stay under that. */
const SHUTDOWN_DEADLINE_MS = 9_000;
/**
 * The process: reads the configuration (and refuses to start on a bad one), listens, and shuts
 * down cleanly on SIGTERM/SIGINT. Everything else is built by src/app.ts.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`activation-guide: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  if (!config.auth && !isLoopbackHost(config.host)) {
    logger.warn(
      { host: config.host },
      'ANONYMOUS MODE ON A PUBLIC INTERFACE: no MicrosoftAppId is set, so anyone who can reach this port can talk to the bot. Replies still only go to loopback or ALLOWED_SERVICE_URLS.',
    );
  }
  await loadFastText();
  const app = buildApp(config, logger);
  await new Promise<void>((resolve, reject) => {
    app.server.once('error', reject);
    app.server.listen(config.port, config.host, () => resolve());
  });
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${app.server.address().port}`;
  // The heap limit comes from node's flags (NODE_HEAP_MB in `npm start`), not from the app's config.
  const heapLimitMb = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
  logger.info({ url, auth: Boolean(config.auth), store: config.redisUrl ? 'redis' : 'sqlite', heapLimitMb }, `activation-guide listening on ${url}`);

  // Graceful shutdown: stop taking requests (503, /readyz fails), let the turns in flight finish
  // and save, let queued Direct Line turns run, drop clients still sending at the drain deadline,
  // close the listener, write the waiting transcripts, close the store, exit 0. A shutdown that
  // overruns the deadline (a turn that never ends) exits 1 instead of being killed mid-write.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error({ ms: Date.now() - started }, `shutdown took longer than ${SHUTDOWN_DEADLINE_MS / 1000} s, exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    force.unref();
    try {
      await app.close();
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
    logger.info({ ms: Date.now() - started }, 'stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`activation-guide failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
