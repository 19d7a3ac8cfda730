import pino, { type Logger } from 'pino';
import { maskProductKeys } from './understanding/product-key';

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

/** Keys whose values are credentials wherever they appear, at any depth (pino's paths stop at two levels). */
const SECRET_KEY = /^(password|passwd|secret|token|access_?token|refresh_?token|authorization|cookie|set-cookie|api[-_]?key|microsoftapppassword|directline_secret|agent_token|metrics_token)$/i;
/** A JWT (three base64url parts, the first two JSON) or a bearer credential inside a string. */
const JWT_TEXT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const BEARER_TEXT = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

/** What every string that reaches the logs goes through: product keys, JWTs and bearer tokens are masked. */
export function maskSecrets(text: string): string {
  return maskProductKeys(text).replace(JWT_TEXT, '[jwt]').replace(BEARER_TEXT, '$1 [redacted]');
}

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  // Deeper than anything this service logs: dropped rather than passed through unmasked.
  if (depth > 6) return '[truncated]';
  if (value instanceof Error) return { type: value.name, message: maskSecrets(value.message), stack: value.stack && maskSecrets(value.stack) };
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && v !== undefined && v !== null ? '[redacted]' : scrub(v, depth + 1)]));
}

/**
 * The one logger: JSON lines on stdout (or `destination`). Every string that passes through it is
 * masked for product keys, JWTs and bearer credentials, and credential-named fields are redacted at
 * any depth, so a key pasted into a chat or a token cannot reach the logs by any route.
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
          method.apply(this, args.map((a) => (typeof a === 'string' ? maskSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
      serializers: { err: (err: Error) => scrub(err) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
