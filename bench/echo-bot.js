// @ts-check
/**
 * The floor: the cheapest bot on activation-guide's stack (the same botbuilder CloudAdapter,
 * anonymous, and the same restify with bodyParser), which echoes each message's text. No storage,
 * no state, no cards. Benchmark only, never shipped.
 *
 * Plain JavaScript, so that it runs as compiled code exactly as dist/src/server.js does.
 * Env: PORT (required), MAX_BODY_BYTES (default 256 KiB, as the bot's).
 */
'use strict';
const { CloudAdapter, ConfigurationBotFrameworkAuthentication } = require('botbuilder');
const restify = require('restify');

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('echo-bot: PORT is required\n');
  process.exit(78);
}

const adapter = new CloudAdapter(
  new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '' }),
);
/** @param {import('botbuilder').TurnContext} context @param {Error} error */
adapter.onTurnError = async (context, error) => {
  process.stderr.write(`echo-bot: turn failed: ${error instanceof Error ? error.message : String(error)}\n`);
  await context.sendActivity('Sorry, something went wrong.');
};

const server = restify.createServer({ name: 'echo-bot', handleUncaughtExceptions: false });
server.use(restify.plugins.bodyParser({ maxBodySize: Number(process.env.MAX_BODY_BYTES ?? 256 * 1024), mapParams: false, rejectUnknown: true }));

server.post('/api/messages', async (/** @type {import('restify').Request} */ req, /** @type {import('restify').Response} */ res) => {
  await adapter.process(req, res, async (context) => {
    if (context.activity.type === 'message') await context.sendActivity(`You said: ${context.activity.text ?? ''}`);
  });
});
server.get('/healthz', async (/** @type {import('restify').Request} */ _req, /** @type {import('restify').Response} */ res) => {
  res.send(200, { status: 'ok' });
});

server.listen(port, '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
