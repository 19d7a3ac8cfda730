/**
 * The load generator: N conversations at a time over one keep-alive HTTP agent on loopback, each
 * a fixed script of turns, until a fixed number of conversations is done. The same code drives
 * every bot; only the script differs.
 *
 * A turn's latency is measured at the client: from just before the POST to /api/messages is
 * written until both its HTTP response has ended and the reply has reached the connector,
 * whichever is later. CloudAdapter answers the POST only after the turn's `sendActivity` calls
 * have been answered by the connector, so in practice it is the POST round trip, and it covers
 * receiving the activity, the turn, and posting the reply.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Connector, Reply } from './connector';

/** One user turn: type a text, or click the card button that sends this choice or command. */
export type TurnSpec = { text: string } | { click: string };

export interface Scenario {
  name: string;
  turns: readonly TurnSpec[];
}

/** The bot's full "my subscription stopped → it expired → … → rated → start again" branch: 8 turns. */
export const GUIDE_BRANCH: Scenario = {
  name: 'reactivate branch',
  turns: [
    { text: 'my subscription stopped' }, // start → reactivate.reason (intent from free text; "expired" would skip the question)
    { click: 'EXPIRED' }, // → reactivate.expired
    { click: 'CONTINUE' }, // → reactivate.billing
    { click: 'YES' }, // Reactivate offered → reactivate.payment
    { click: 'YES' }, // it helped → resolved
    { click: 'RATE_5' }, // → rated
    { text: 'start over' }, // command → start
    { click: 'ACTIVATE' }, // → activate.license
  ],
};

/** The echo bot gets the same number of turns, as plain text (it has no buttons to click). */
export const ECHO_BRANCH: Scenario = {
  name: 'echo',
  turns: ['my subscription stopped', 'It expired', 'Go on', 'Yes', 'Yes', '5', 'start over', 'Activate'].map((text) => ({ text })),
};

/** A one-turn conversation, for filling the store: the first turn creates the stored record. */
export const firstTurnOnly = (scenario: Scenario): Scenario => ({ name: `${scenario.name} (first turn)`, turns: scenario.turns.slice(0, 1) });

export interface PhaseOptions {
  botUrl: string;
  connector: Connector;
  agent: Agent;
  scenario: Scenario;
  concurrency: number;
  conversations: number;
  /** Unique per phase, so conversations never collide with earlier ones. */
  idPrefix: string;
  /** Give up on a turn after this long (counted as an error). Default 10 s. */
  turnTimeoutMs?: number;
}

export interface PhaseResult {
  conversations: number;
  concurrency: number;
  turns: number;
  errors: number;
  firstError?: string;
  durationMs: number;
  turnsPerSecond: number;
  latency: LatencySummary;
  /** Every turn's latency in ms, in completion order. */
  latencies: Float64Array;
  /** Turns whose reply reached the connector after the POST had been answered (expected: 0). */
  repliesAfterResponse: number;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * Keep-alive, and idle sockets are dropped after 4 s, before the bots' servers drop them (Node's
 * default keepAliveTimeout is 5 s): reusing a socket the server is closing fails the request.
 */
export function createAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, keepAliveMsecs: 30_000, timeout: 4_000 });
}

/** Runs `conversations` conversations, `concurrency` at a time, and summarises every turn. */
export async function runPhase(options: PhaseOptions): Promise<PhaseResult> {
  const { connector, scenario, conversations, concurrency, idPrefix } = options;
  const timeoutMs = options.turnTimeoutMs ?? 10_000;
  const post = poster(options.botUrl, options.agent);
  const latencies = new Float64Array(conversations * scenario.turns.length);
  let turns = 0;
  let errors = 0;
  let firstError: string | undefined;
  let repliesAfterResponse = 0;
  let next = 0;

  const fail = (message: string): void => {
    errors++;
    firstError ??= message;
  };

  const converse = async (index: number): Promise<void> => {
    const conversationId = `${idPrefix}-${index}`;
    try {
      for (let n = 0; n < scenario.turns.length; n++) {
        const spec = scenario.turns[n];
        const activity = buildActivity(conversationId, n, spec, connector);
        if (typeof activity === 'string') return fail(activity);
        const body = JSON.stringify(activity);
        const replied = connector.nextReply(conversationId);
        const started = performance.now();
        const response = await post(body);
        if (response.status >= 300) return fail(`turn ${n + 1} answered ${response.status}: ${response.body.slice(0, 200)}`);
        const reply = await withTimeout(replied, timeoutMs);
        if (!reply) return fail(`turn ${n + 1} of ${conversationId}: no reply within ${timeoutMs} ms`);
        if (reply.at > response.endedAt) repliesAfterResponse++;
        latencies[turns++] = Math.max(reply.at, response.endedAt) - started;
      }
    } catch (err) {
      fail(err instanceof Error ? err.message : String(err));
    } finally {
      connector.forget(conversationId);
    }
  };

  const worker = async (): Promise<void> => {
    for (let index = next++; index < conversations; index = next++) await converse(index);
  };

  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, conversations) }, worker));
  const durationMs = performance.now() - started;
  return {
    conversations,
    concurrency,
    turns,
    errors,
    firstError,
    durationMs,
    turnsPerSecond: (turns / durationMs) * 1000,
    latency: summarise(latencies.subarray(0, turns)),
    latencies: latencies.subarray(0, turns),
    repliesAfterResponse,
  };
}

function buildActivity(conversationId: string, n: number, spec: TurnSpec, connector: Connector): Record<string, unknown> | string {
  const activity: Record<string, unknown> = {
    type: 'message',
    id: `${conversationId}-a${n + 1}`,
    channelId: 'emulator',
    serviceUrl: connector.url,
    conversation: { id: conversationId },
    from: { id: 'bench-user', name: 'User' },
    recipient: { id: 'bot', name: 'activation-guide' },
    locale: 'en-US',
    timestamp: new Date().toISOString(),
  };
  if ('text' in spec) {
    activity.text = spec.text;
    return activity;
  }
  const last = connector.lastReply(conversationId);
  const data = last && buttonData(last, spec.click);
  if (!data) return `turn ${n + 1} of ${conversationId}: no button ${spec.click} in the last reply`;
  activity.value = data;
  return activity;
}

/** The `data` of the Action.Submit that sends this choice or command, as a card click delivers it. */
function buttonData(reply: Reply, id: string): Record<string, unknown> | undefined {
  let found: Record<string, unknown> | undefined;
  const walk = (node: unknown): void => {
    if (found || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const obj = node as Record<string, unknown>;
    const data = obj.data as Record<string, unknown> | undefined;
    if (obj.type === 'Action.Submit' && data && (data.choice === id || data.command === id)) {
      found = data;
      return;
    }
    Object.values(obj).forEach(walk);
  };
  walk((JSON.parse(reply.body) as { attachments?: unknown }).attachments);
  return found;
}

interface Response {
  status: number;
  body: string;
  endedAt: number;
}

function poster(botUrl: string, agent: Agent): (body: string) => Promise<Response> {
  const url = new URL('/api/messages', botUrl);
  return (body) =>
    new Promise<Response>((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), endedAt: performance.now() }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Several runs of the same phase as one: turns over the summed time, every latency. */
export function mergePhases(results: readonly PhaseResult[]): PhaseResult {
  const turns = results.reduce((n, r) => n + r.turns, 0);
  const durationMs = results.reduce((n, r) => n + r.durationMs, 0);
  const latencies = new Float64Array(turns);
  let offset = 0;
  for (const r of results) {
    latencies.set(r.latencies, offset);
    offset += r.latencies.length;
  }
  return {
    conversations: results.reduce((n, r) => n + r.conversations, 0),
    concurrency: results[0]?.concurrency ?? 0,
    turns,
    errors: results.reduce((n, r) => n + r.errors, 0),
    firstError: results.find((r) => r.firstError)?.firstError,
    durationMs,
    turnsPerSecond: (turns / durationMs) * 1000,
    latency: summarise(latencies),
    latencies,
    repliesAfterResponse: results.reduce((n, r) => n + r.repliesAfterResponse, 0),
  };
}

export function summarise(values: Float64Array): LatencySummary {
  if (values.length === 0) return { p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  let sum = 0;
  for (const v of sorted) sum += v;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1], mean: sum / sorted.length };
}
