/**
 * The web chat section of `npm run bench` (issue 26): 500 concurrent web chat conversations on the
 * self-hosted Direct Line, as Web Chat holds them, three ways:
 *   websocket  one instance (embedded store), replies pushed over each conversation's streamUrl
 *   polling    the same instance, replies read by GET …/activities once a second (Web Chat's polling)
 *   redis      one instance on a redis-server, WebSocket (what Redis costs)
 *   redis x2   two instances on that redis-server behind a round-robin proxy (in this process),
 *              replies pushed over WebSocket by whichever instance holds the socket
 * Each conversation starts, opens its stream (or polls), then types 4 messages, thinking 1–3 s
 * between them (after an unmeasured warm-up of 50 one-turn conversations per process set). Measured per turn: the reply latency (post sent → reply received by the client)
 * and the push delay (the post's 200, which comes once the turn is saved → the pushed reply;
 * 0 when the push came first). Per setup: each instance's RSS after the phase, and for Redis the
 * commands per turn from INFO commandstats (every command, those run inside Lua scripts included).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type Redis from 'ioredis';
import WebSocket from 'ws';
import { startBot, type BotProcess } from './children';
import { summarise, type LatencySummary } from './load';
import { startRedisServer } from '../test/support/redis-server';
import { startRoundRobinProxy } from '../test/support/round-robin-proxy';

export interface WebChatBenchOptions {
  server: string;
  serverFlags: string[];
  conversations?: number;
  turns?: number;
  verbose?: boolean;
}

export interface WebChatFigures {
  setup: string;
  turns: number;
  errors: number;
  replyMs: LatencySummary;
  /** WebSocket only: from the post's acknowledgement to the pushed reply. */
  pushAfterAckMs?: LatencySummary;
  rssMb: number[];
  redisCommandsPerTurn?: number;
  redisTopCommands?: Record<string, number>;
  seconds: number;
}

const TEXTS = ['my subscription stopped', 'It expired', 'Go on', 'Yes'];
const POLL_INTERVAL_MS = 1000;
const REPLY_TIMEOUT_MS = 30_000;
const MB = 1024 * 1024;

interface Activity {
  type: string;
  id: string;
  replyToId?: string;
  from: { role: string };
}

interface Sample {
  replyMs: number;
  pushAfterAckMs?: number;
}

/** One visitor: start, then each turn posts and waits for the bot's reply to that post. */
async function visit(base: string, mode: 'websocket' | 'polling', turns: number, samples: Sample[]): Promise<void> {
  const started = await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"locale":"en-US"}' });
  if (started.status !== 201) throw new Error(`start: ${started.status}`);
  const { conversationId, token, streamUrl } = (await started.json()) as { conversationId: string; token: string; streamUrl: string };
  const arrived = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  const receive = (activities: Activity[]): void => {
    const at = performance.now();
    for (const a of activities) {
      if (a.type !== 'message' || a.from.role !== 'bot' || !a.replyToId || arrived.has(a.replyToId)) continue;
      arrived.set(a.replyToId, at);
      waiting.get(a.replyToId)?.();
    }
  };

  let socket: WebSocket | undefined;
  let polling: NodeJS.Timeout | undefined;
  let watermark = '';
  if (mode === 'websocket') {
    socket = new WebSocket(streamUrl);
    socket.on('message', (data) => {
      const text = data.toString();
      if (text) receive((JSON.parse(text) as { activities: Activity[] }).activities);
    });
    await new Promise<void>((resolve, reject) => {
      socket!.once('open', () => resolve());
      socket!.once('error', reject);
    });
  } else {
    const poll = async (): Promise<void> => {
      const res = await fetch(`${base}/v3/directline/conversations/${conversationId}/activities?watermark=${watermark}`, { headers: { authorization: `Bearer ${token}` } });
      if (res.ok) {
        const set = (await res.json()) as { activities: Activity[]; watermark: string };
        watermark = set.watermark;
        receive(set.activities);
      }
      polling = setTimeout(() => void poll().catch(() => undefined), POLL_INTERVAL_MS);
    };
    await poll();
  }

  try {
    for (let turn = 0; turn < turns; turn++) {
      await new Promise((resolve) => setTimeout(resolve, 1000 + Math.random() * 2000));
      const sent = performance.now();
      const res = await fetch(`${base}/v3/directline/conversations/${conversationId}/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', text: TEXTS[turn % TEXTS.length], locale: 'en-US', from: { id: 'visitor' } }),
      });
      const acked = performance.now();
      const { id } = (await res.json()) as { id?: string };
      if (res.status !== 200 || !id) throw new Error(`post: ${res.status}`);
      if (!arrived.has(id)) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no reply')), REPLY_TIMEOUT_MS);
          waiting.set(id, () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      const at = arrived.get(id)!;
      samples.push({ replyMs: at - sent, ...(mode === 'websocket' ? { pushAfterAckMs: Math.max(0, at - acked) } : {}) });
    }
  } finally {
    socket?.close();
    if (polling) clearTimeout(polling);
  }
}

async function phase(setup: string, base: string, mode: 'websocket' | 'polling', options: Required<Pick<WebChatBenchOptions, 'conversations' | 'turns'>>): Promise<Omit<WebChatFigures, 'rssMb'>> {
  const samples: Sample[] = [];
  let errors = 0;
  const failures = new Map<string, number>();
  const started = performance.now();
  // Visitors arrive over the first two seconds rather than in one instant.
  await Promise.all(
    Array.from({ length: options.conversations }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, (i / options.conversations) * 2000));
      await visit(base, mode, options.turns, samples).catch((err: Error) => {
        errors++;
        failures.set(err.message, (failures.get(err.message) ?? 0) + 1);
      });
    }),
  );
  if (failures.size > 0) process.stderr.write(`webchat ${setup}: failed conversations ${JSON.stringify(Object.fromEntries(failures))}\n`);
  const replies = Float64Array.from(samples.map((s) => s.replyMs));
  const pushes = samples.filter((s) => s.pushAfterAckMs !== undefined).map((s) => s.pushAfterAckMs!);
  return {
    setup,
    turns: samples.length,
    errors,
    replyMs: summarise(replies),
    ...(pushes.length ? { pushAfterAckMs: summarise(Float64Array.from(pushes)) } : {}),
    seconds: (performance.now() - started) / 1000,
  };
}

function commandCalls(info: string): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1]!] = Number(match[2]);
  return calls;
}

export async function runWebChatBench(options: WebChatBenchOptions): Promise<WebChatFigures[]> {
  const conversations = options.conversations ?? 500;
  const turns = options.turns ?? 4;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'ag-bench-webchat-'));
  // All 500 visitors come from 127.0.0.1 here, where each would have an address of its own: the
  // per-client limit is lifted; the per-conversation limit stays as configured by default.
  const env = (dataDir: string): Record<string, string> => ({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DIRECTLINE_MAX_CONVERSATIONS: '5000',
    RATE_LIMIT_CLIENT_RPS: '100000',
    RATE_LIMIT_CLIENT_BURST: '1000000',
  });
  const spec = (name: string, extra: Record<string, string> = {}) => ({
    name,
    args: [...options.serverFlags, options.server],
    env: { ...env(mkdtempSync(path.join(scratch, `${name}-`))), ...extra },
    readyPath: '/readyz',
    cwd: path.resolve(__dirname, '..'),
  });
  const rss = (bots: BotProcess[]) => bots.map((b) => Math.round(b.memory().rss / MB));
  const figures: WebChatFigures[] = [];
  const log = (f: WebChatFigures) => options.verbose && process.stderr.write(`webchat ${JSON.stringify(f)}\n`);

  try {
    const single = await startBot(spec('webchat-one'));
    try {
      // Not measured: the first turns of a fresh process compile the code they run.
      await phase('warm-up', single.url, 'websocket', { conversations: 50, turns: 1 });
      for (const mode of ['websocket', 'polling'] as const) {
        const result = { ...(await phase(`one instance, ${mode}`, single.url, mode, { conversations, turns })), rssMb: rss([single]) };
        figures.push(result);
        log(result);
      }
    } finally {
      await single.stop();
    }

    const redis = await startRedisServer();
    const { default: RedisClient } = require('ioredis') as { default: typeof Redis };
    const stats = new RedisClient(redis.url);
    const shared = { REDIS_URL: redis.url, DIRECTLINE_TOKEN_KEY: 'bench-webchat-signing-key-0123456789abcdef' };
    const pair = [await startBot(spec('webchat-a', shared)), await startBot(spec('webchat-b', shared))];
    const proxy = await startRoundRobinProxy(pair.map((b) => Number(new URL(b.url).port)));
    try {
      // One instance on Redis alone (no proxy), then both behind the proxy: what Redis costs, and what a second instance and the hop through the balancer add.
      const setups: Array<[string, string, BotProcess[]]> = [
        ['one instance on Redis, websocket', pair[0]!.url, [pair[0]!]],
        ['two instances on Redis via proxy, websocket', proxy.url, pair],
      ];
      await phase('warm-up', proxy.url, 'websocket', { conversations: 50, turns: 1 });
      for (const [setup, base, bots] of setups) {
        await stats.config('RESETSTAT');
        const result = await phase(setup, base, 'websocket', { conversations, turns });
        const calls = commandCalls(await stats.info('commandstats'));
        delete calls.info;
        delete calls.config;
        const total = Object.values(calls).reduce((sum, n) => sum + n, 0);
        const perTurn = (n: number) => Math.round((n / Math.max(1, result.turns)) * 10) / 10;
        const top = Object.fromEntries(Object.entries(calls).sort((x, y) => y[1] - x[1]).slice(0, 8).map(([name, n]) => [name, perTurn(n)]));
        const figure = { ...result, rssMb: rss(bots), redisCommandsPerTurn: perTurn(total), redisTopCommands: top };
        figures.push(figure);
        log(figure);
      }
    } finally {
      await proxy.close();
      await Promise.all(pair.map((b) => b.stop()));
      stats.disconnect();
      await redis.dispose();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return figures;
}

export function webChatTable(figures: WebChatFigures[]): string[] {
  const f = (n: number | undefined) => (n === undefined ? '–' : n < 10 ? n.toFixed(1) : String(Math.round(n)));
  const rows = [
    ['web chat, 500 conversations', 'turns', 'errors', 'reply p50 ms', 'reply p99 ms', 'push after ack p50/p99 ms', 'RSS MB', 'Redis cmds/turn'],
    ...figures.map((x) => [
      x.setup,
      String(x.turns),
      String(x.errors),
      f(x.replyMs.p50),
      f(x.replyMs.p99),
      x.pushAfterAckMs ? `${f(x.pushAfterAckMs.p50)} / ${f(x.pushAfterAckMs.p99)}` : '–',
      x.rssMb.join(' + '),
      x.redisCommandsPerTurn === undefined ? '–' : String(x.redisCommandsPerTurn),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
}

if (require.main === module) {
  const { startScriptFlags } = require('../scripts/start-flags') as typeof import('../scripts/start-flags');
  runWebChatBench({ server: path.resolve(__dirname, '..', 'dist/src/server.js'), serverFlags: startScriptFlags(), verbose: process.argv.includes('--verbose') }).then(
    (figures) => {
      process.stdout.write(`${webChatTable(figures).join('\n')}\n`);
      if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ webchat: figures })}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`bench webchat failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
