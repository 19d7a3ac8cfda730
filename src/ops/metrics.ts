import { getHeapStatistics } from 'node:v8';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The service's Prometheus metrics, in a registry of their own: every app instance (tests build
 * several in one process) counts separately, and nothing lands in prom-client's global registry.
 *
 * Label values come from closed sets (turn kinds, outcome names, HTTP status codes, route
 * patterns, known-error ids from the catalog), never from what a user sent, so cardinality stays
 * bounded whatever arrives.
 */
export interface Metrics {
  registry: Registry;
  /** Turns by outcome kind: turn, welcome, duplicate, ignored, unavailable, error. */
  turns: Counter<'kind'>;
  turnDuration: Histogram<'kind'>;
  /** Turns that ended in an exception (the user got the apology). */
  turnErrors: Counter;
  /** Conversations reaching an outcome (the step's meta): resolved, escalated. */
  outcomes: Counter<'outcome'>;
  /** Known-error lookups by result: confident, ambiguous, none, chosen (picked from a list). */
  errorMatches: Counter<'id' | 'outcome'>;
  /** Failed storage operations (not eTag conflicts, which are normal and retried). */
  storageErrors: Counter<'operation'>;
  /** Replies that could not be delivered after the connector client's own retries. */
  sendFailures: Counter;
  /** Requests refused before reaching a handler (rate limit, shutdown, encoding, auth). */
  rejections: Counter<'reason'>;
  /** HTTP responses by route pattern and status code. */
  httpResponses: Counter<'route' | 'status'>;
  inFlightRequests: Gauge;
  inFlightTurns: Gauge;
  /** 1 while the store serves with part of its data found damaged (/readyz "degraded"), else 0. */
  storageDegraded: Gauge;
  /** Stored items found on damaged pages since the start, and started over. */
  storageLostItems: Gauge;
  /** V8's heap limit (NODE_HEAP_MB in `npm start`): alert on heap used / this, before the process runs out. */
  heapLimit: Gauge;
}

export function createMetrics(options: { defaultMetrics?: boolean; storeDamage?: () => { lostItems: number } | undefined } = {}): Metrics {
  const storeDamage = options.storeDamage ?? (() => undefined);
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'ag_' });
  const registers = [registry];
  return {
    registry,
    turns: new Counter({ name: 'ag_turns_total', help: 'Bot turns, by outcome kind.', labelNames: ['kind'], registers }),
    turnDuration: new Histogram({
      name: 'ag_turn_duration_seconds',
      help: 'Time from receiving an activity to the end of its turn (state saved, reply sent).',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    turnErrors: new Counter({ name: 'ag_turn_errors_total', help: 'Turns that failed with an exception.', registers }),
    outcomes: new Counter({ name: 'ag_outcomes_total', help: 'Conversations reaching an outcome.', labelNames: ['outcome'], registers }),
    errorMatches: new Counter({
      name: 'ag_error_matches_total',
      help: 'Known-error lookups, by best error id and match result.',
      labelNames: ['id', 'outcome'],
      registers,
    }),
    storageErrors: new Counter({
      name: 'ag_storage_errors_total',
      help: 'Failed storage operations (eTag conflicts excluded).',
      labelNames: ['operation'],
      registers,
    }),
    sendFailures: new Counter({ name: 'ag_send_failures_total', help: 'Replies not delivered after the connector client retried.', registers }),
    rejections: new Counter({
      name: 'ag_requests_rejected_total',
      help: 'Requests refused before their handler, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    httpResponses: new Counter({
      name: 'ag_http_responses_total',
      help: 'HTTP responses, by route pattern and status code.',
      labelNames: ['route', 'status'],
      registers,
    }),
    inFlightRequests: new Gauge({ name: 'ag_http_in_flight_requests', help: 'HTTP requests being handled.', registers }),
    inFlightTurns: new Gauge({ name: 'ag_turns_in_flight', help: 'Bot turns running.', registers }),
    storageDegraded: new Gauge({
      name: 'ag_storage_degraded',
      help: '1 while the store serves with part of its data found damaged.',
      registers,
      collect() {
        this.set(storeDamage() ? 1 : 0);
      },
    }),
    storageLostItems: new Gauge({
      name: 'ag_storage_lost_items',
      help: 'Stored items (conversations, cases, transcripts) found on damaged pages since the start, and started over.',
      registers,
      collect() {
        this.set(storeDamage()?.lostItems ?? 0);
      },
    }),
    heapLimit: new Gauge({
      name: 'ag_heap_limit_bytes',
      help: 'The V8 heap limit; compare ag_nodejs_heap_size_used_bytes with it.',
      registers,
      collect() {
        this.set(getHeapStatistics().heap_size_limit);
      },
    }),
  };
}
