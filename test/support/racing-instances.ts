import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TurnObserver } from '../../src/bot/guide-bot';
import { createStore } from '../../src/storage/create-store';
import { startHarness, type Harness } from './bot-harness';
import { ReadRendezvous, racingStore } from './racing-store';
import { startRedisServer, type RedisServer } from './redis-server';

/**
 * The bot instances a race test runs against: one on the embedded store, or two sharing a
 * throwaway redis-server, as two instances behind a load balancer. (Two processes on one embedded
 * store are tested in test/resilience/two-processes-one-data-dir.test.ts.)
 * Every instance's store passes its reads through the one rendezvous.
 */
export interface RacingInstances {
  harnesses: Harness[];
  rendezvous: ReadRendezvous;
  close(): Promise<void>;
}

export async function startRacingInstances(kind: 'file' | 'redis', options: { dirPrefix: string; observers?: TurnObserver[] }): Promise<RacingInstances> {
  const rendezvous = new ReadRendezvous();
  const dirs: string[] = [];
  const redis: RedisServer | undefined = kind === 'redis' ? await startRedisServer() : undefined;
  const instance = async (): Promise<Harness> => {
    const dataDir = mkdtempSync(join(tmpdir(), options.dirPrefix));
    dirs.push(dataDir);
    const store = racingStore(createStore({ dataDir, redisUrl: redis?.url }), rendezvous);
    return startHarness({ env: redis ? { REDIS_URL: redis.url } : {}, overrides: { store, observers: options.observers } });
  };
  const harnesses = kind === 'redis' ? [await instance(), await instance()] : [await instance()];
  return {
    harnesses,
    rendezvous,
    close: async () => {
      for (const h of harnesses) await h.close();
      await redis?.dispose();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}
