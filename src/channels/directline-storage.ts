import type { Config } from '../config';
import type { Logger } from '../logger';
import type { LocalDirectLineOptions } from './directline';
import { createRedisState, type RedisDirectLineState } from './directline-redis-state';
import { loadTokenKey } from './directline-tokens';

/**
 * Where the self-hosted Direct Line keeps its state and its token key, from the configuration:
 * with REDIS_URL, in Redis (every instance shares both; a configured DIRECTLINE_TOKEN_KEY wins over
 * the one made in Redis, and survives Redis being emptied); without, in process, with the key in
 * DATA_DIR so that tokens outlive a restart.
 */
export function directLineStorage(
  config: Pick<Config, 'redisUrl' | 'dataDir' | 'selfHostedDirectLine'>,
  logger: Pick<Logger, 'warn'>,
): Pick<LocalDirectLineOptions, 'state' | 'tokenKey'> {
  const configured = config.selfHostedDirectLine.tokenKey;
  if (!config.redisUrl) return { tokenKey: loadTokenKey(configured, config.dataDir) };
  let shared: RedisDirectLineState | undefined;
  const factory = createRedisState({ url: config.redisUrl, onError: (err) => logger.warn({ err }, 'direct line: redis connection error') });
  return {
    state: (limits, now) => (shared = factory(limits, now)),
    tokenKey: configured
      ? new TextEncoder().encode(configured)
      : async () => {
          if (!shared) throw new Error('the Direct Line state is not open');
          return shared.tokenKey();
        },
  };
}
