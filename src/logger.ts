import pino, { type Logger } from 'pino';
import { maskProductKeys } from './matching/product-key';

export type { Logger };

/** Fields that may carry credentials; pino replaces them wherever they appear in a log object. */
const SECRET_PATHS = [
  'password',
  'secret',
  'token',
  'authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'MicrosoftAppPassword',
  'DIRECTLINE_SECRET',
  'AGENT_TOKEN',
];

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskProductKeys(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { type: value.name, message: maskProductKeys(value.message), stack: value.stack && maskProductKeys(value.stack) };
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, depth + 1)]));
}

/**
 * The one logger: JSON lines on stdout (or `destination`). Every string that passes through it is
 * masked for product keys, so a key pasted into a chat cannot reach the logs by any route.
 */
export function createLogger(level: pino.LevelWithSilent = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'activation-guide' },
      redact: { paths: SECRET_PATHS, censor: '[redacted]' },
      formatters: { log: (object) => scrub(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? maskProductKeys(a) : a)) as Parameters<typeof method>);
        },
      },
      serializers: { err: (err: Error) => scrub(err) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
