import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectLineVisitor } from '../support/directline-visitor';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';

/**
 * Two instances on one Redis count a web chat conversation's posts together: a visitor who
 * spreads its posts over both (as a load balancer does) gets the same allowance as on one.
 */
let redis: RedisServer;
const servers: ServerProcess[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  for (let i = 0; i < 2; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'ag-dl-limits-'));
    dirs.push(dir);
    servers.push(
      await startServerProcess({
        PORT: String(await freePort()),
        DATA_DIR: dir,
        REDIS_URL: redis.url,
        DIRECTLINE_TOKEN_KEY: 'limits-test-signing-key-0123456789abcdefgh',
        LOG_LEVEL: 'warn',
        // Three posts, then one every 20 s.
        RATE_LIMIT_CONVERSATION_BURST: '3',
        RATE_LIMIT_CONVERSATION_RPS: '0.05',
      }),
    );
  }
}, 60_000);

afterAll(async () => {
  for (const server of servers) await server.kill('SIGKILL');
  await redis?.dispose();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test("a conversation's posts are limited across both instances, not per instance", async () => {
  const [a, b] = servers as [ServerProcess, ServerProcess];
  const visitor = await DirectLineVisitor.start(a.url);
  const statuses: number[] = [];
  for (const server of [a, b, a, b]) statuses.push((await visitor.say(server.url, 'hello')).status);
  // Each instance saw two posts; together they were four, one over the burst of three.
  expect(statuses).toEqual([200, 200, 200, 429]);
  // Another conversation has its own allowance.
  const other = await DirectLineVisitor.start(b.url);
  expect((await other.say(b.url, 'hello')).status).toBe(200);
});
