import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';

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
  if (!config.auth && !isLoopbackBind(config.host)) {
    logger.warn(
      { host: config.host },
      'ANONYMOUS MODE ON A PUBLIC INTERFACE: no MicrosoftAppId is set, so anyone who can reach this port can talk to the bot. Replies still only go to loopback or ALLOWED_SERVICE_URLS.',
    );
  }
  const app = buildApp(config, logger);
  await new Promise<void>((resolve, reject) => {
    app.server.once('error', reject);
    app.server.listen(config.port, config.host, () => resolve());
  });
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${app.server.address().port}`;
  logger.info({ url, auth: Boolean(config.auth), store: config.redisUrl ? 'redis' : 'file' }, `activation-guide listening on ${url}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 10 s, exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    await app.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

function isLoopbackBind(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

main().catch((err) => {
  process.stderr.write(`activation-guide failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
