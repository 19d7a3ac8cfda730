import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectLineVisitor, type Said } from '../support/directline-visitor';
import { block, t } from '../support/expected-text';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';

/**
 * The self-hosted Direct Line answers a post only once its turn has run and been saved. The real
 * server is killed with SIGKILL while twenty web chat visitors are answering a question at once;
 * whatever each post's fate, a post that was acknowledged is not lost: on the next process (the
 * same data directory, or another instance on the same Redis) the visitor's token still opens the
 * conversation, and the bot goes on from the answer it acknowledged.
 */

const en = (ref: string) => t('en-US', ref);
const VISITORS = 20;

describe.each([
  ['the embedded store', false],
  ['Redis', true],
])('SIGKILL under Direct Line load, on %s', (_name, useRedis) => {
  let dataDir: string;
  let redis: RedisServer | undefined;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ag-dl-sigkill-'));
    if (useRedis) redis = await startRedisServer({ persistent: true });
  });

  afterAll(async () => {
    for (const server of servers) await server.kill('SIGKILL');
    await redis?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(port: number): Promise<ServerProcess> {
    const server = await startServerProcess({
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      // Twenty visitors from one address: the per-client limit is not what is tested here.
      RATE_LIMIT: 'false',
      ...(redis ? { REDIS_URL: redis.url } : {}),
    });
    servers.push(server);
    return server;
  }

  test('no acknowledged message is lost, and every visitor goes on with the token it had', async () => {
    const port = await freePort();
    let server = await start(port);
    const visitors = await Promise.all(Array.from({ length: VISITORS }, () => DirectLineVisitor.start(server.url)));
    for (const visitor of visitors) {
      const asked = await visitor.say(server.url, 'activate office');
      expect(asked.replies.join('\n')).toContain(en('activate:ask.license'));
    }

    const inFlight: Array<Promise<Said | undefined>> = visitors.map((visitor) => visitor.say(server.url, 'yes').catch(() => undefined));
    // Killed as soon as the first is answered, so the others are anywhere in their turn.
    await Promise.race(inFlight);
    expect((await server.kill('SIGKILL')).signal).toBe('SIGKILL');
    const results = await Promise.all(inFlight);
    const acknowledged = results.map((said) => said?.status === 200);
    expect(acknowledged.filter(Boolean).length).toBeGreaterThanOrEqual(1);

    // The next process: on the same port and data directory, or another instance on the same Redis.
    server = await start(useRedis ? await freePort() : port);
    for (const [i, visitor] of visitors.entries()) {
      const next = await visitor.say(server.url, 'yes');
      expect({ visitor: i, status: next.status }).toEqual({ visitor: i, status: 200 });
      const text = next.replies.join('\n');
      if (acknowledged[i]) {
        // "yes" to the apps question: the license answer was saved before it was acknowledged.
        expect({ visitor: i, signIn: text.includes(block('en-US', 'activate.signIn')[0]!) }).toEqual({ visitor: i, signIn: true });
      } else {
        // Not acknowledged: it may or may not have been saved; either way the bot answers a step on from there.
        expect({ visitor: i, text }).toEqual({ visitor: i, text: expect.stringMatching(new RegExp(`${escape(en('activate:ask.appsInstalled'))}|${escape(block('en-US', 'activate.signIn')[0]!)}`)) });
      }
      expect(text).not.toContain(en('common:notice.restarted'));
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
