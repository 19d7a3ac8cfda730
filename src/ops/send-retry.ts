import type { Activity, Middleware, ResourceResponse, TurnContext } from 'botbuilder';

/**
 * Sends a turn's replies again when the channel throttles (429: Teams allows about 7 messages per
 * second per conversation) or its gateway fails (502, 503, 504), or the connection broke
 * (ECONNRESET, ETIMEDOUT and the like).
 *
 * - The wait honours `Retry-After` (seconds or an HTTP date) and `retry-after-ms`, capped at
 *   `maxDelayMs`; without one it backs off exponentially with full jitter from `baseDelayMs`.
 * - At most `maxAttempts` sends per activity, and no wait that would end after `budgetMs` from the
 *   first attempt: a turn never hangs on a throttled channel. The last error is then rethrown, so
 *   the adapter's error handler runs as for any failed send.
 * - Activities of one batch are sent one by one here, so a retry never repeats one that already
 *   went out.
 *
 * The connector client that botbuilder builds has its own retry policy (@azure/core-rest-pipeline:
 * three retries on any 5xx, 429 and network errors, waiting as long as a `Retry-After` says). This
 * middleware removes it from the turn's client, so that exactly one retry layer, with the bounds
 * above, is in charge.
 */
export interface SendRetryOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  budgetMs?: number;
  retryOn?: readonly number[];
  retryOnCodes?: readonly string[];
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** `status` is the HTTP status, or the error code of a connection failure. */
  onRetry?: (info: { status: number | string; attempt: number; delayMs: number }) => void;
  onGiveUp?: (info: { status?: number; attempts: number; error: unknown }) => void;
}

export const DEFAULT_RETRY_STATUSES = [429, 502, 503, 504] as const;
/** Connection failures worth another try; not ECONNREFUSED or ENOTFOUND, which a second try rarely fixes. */
export const DEFAULT_RETRY_CODES = ['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET'] as const;

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The HTTP status of a failed connector call (RestError and lookalikes), if any. */
export function statusOf(err: unknown): number | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { statusCode?: unknown; status?: unknown; response?: { status?: unknown } };
  for (const value of [e.statusCode, e.status, e.response?.status]) if (typeof value === 'number') return value;
  return undefined;
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function headerOf(err: unknown, name: string): string | undefined {
  const headers = (err as { response?: { headers?: unknown } } | undefined)?.response?.headers;
  if (!headers || typeof headers !== 'object') return undefined;
  const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
  const value = typeof h.get === 'function' ? h.get(name) : (h[name] ?? h[name.toLowerCase()]);
  return typeof value === 'string' ? value : undefined;
}

/** How long the channel asked us to wait, in ms, if it said so. */
export function retryAfterMs(err: unknown, now = Date.now()): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = Number(headerOf(err, name));
    if (headerOf(err, name) !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  }
  const value = headerOf(err, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Connector clients whose retry is already removed: clients are reused across turns (src/channels/reused-clients.ts). */
const withoutRetry = new WeakSet<object>();

/** Removes @azure/core-rest-pipeline's own retry from the connector client of this turn (see above). */
function disableClientRetry(context: TurnContext): void {
  const key = (context.adapter as { ConnectorClientKey?: symbol }).ConnectorClientKey;
  if (!key) return;
  const client = context.turnState.get(key) as { client?: { pipeline?: { removePolicy?(options: { name: string }): unknown } } } | undefined;
  const pipeline = client?.client?.pipeline;
  // Removing a policy makes the pipeline order its policies again on its next request: once is enough.
  if (!pipeline || withoutRetry.has(pipeline)) return;
  pipeline.removePolicy?.({ name: 'defaultRetryPolicy' });
  withoutRetry.add(pipeline);
}

export function createSendRetry(options: SendRetryOptions = {}): Middleware {
  const maxAttempts = options.maxAttempts ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 4000;
  const budgetMs = options.budgetMs ?? 8000;
  const retryOn = new Set<number>(options.retryOn ?? DEFAULT_RETRY_STATUSES);
  const retryOnCodes = new Set<string>(options.retryOnCodes ?? DEFAULT_RETRY_CODES);
  const sleep = options.sleep ?? sleepFor;
  const random = options.random ?? Math.random;

  async function withRetry<T>(send: () => Promise<T>): Promise<T> {
    const started = Date.now();
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (err) {
        const status = statusOf(err);
        const code = status === undefined ? codeOf(err) : undefined;
        const retryable = status !== undefined ? retryOn.has(status) : code !== undefined && retryOnCodes.has(code);
        const asked = retryAfterMs(err);
        const backoff = Math.round(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
        const delayMs = Math.min(maxDelayMs, asked ?? backoff);
        const spent = Math.max(Date.now() - started, waited);
        if (!retryable || attempt >= maxAttempts || spent + delayMs > budgetMs) {
          options.onGiveUp?.({ status, attempts: attempt, error: err });
          throw err;
        }
        options.onRetry?.({ status: status ?? code!, attempt, delayMs });
        await sleep(delayMs);
        waited += delayMs;
      }
    }
  }

  return {
    async onTurn(context, next) {
      disableClientRetry(context);
      context.onSendActivities(async (_ctx, activities: Partial<Activity>[], sendNext) => {
        if (activities.length <= 1) return withRetry(sendNext);
        // botbuilder sends the very array handlers receive; narrowing it to one activity at a time
        // sends them one by one (ids are written back onto each), then the batch is restored.
        const batch = [...activities];
        const responses: ResourceResponse[] = [];
        try {
          for (const activity of batch) {
            activities.splice(0, activities.length, activity);
            const sent = await withRetry(sendNext);
            responses.push(...(sent ?? []));
          }
        } finally {
          activities.splice(0, activities.length, ...batch);
        }
        return responses;
      });
      await next();
    },
  };
}
