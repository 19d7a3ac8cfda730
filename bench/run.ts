/**
 * `npm run bench`: activation-guide's turn throughput, turn latency and memory, side by side with
 * an echo bot on the same botbuilder + restify (the floor we can approach but not beat).
 *
 * One run, all on 127.0.0.1, each bot in its own child process:
 *   1. echo bot (bench/echo-bot.js), 2. activation-guide on the embedded file store,
 *   3. activation-guide on Redis (a throwaway redis-server).
 * Per bot: warm-up, the load phase (N concurrent conversations of 8 turns), a latency sweep over
 * 1…256 concurrent conversations, then 10,000 one-turn conversations and the child's RSS.
 *
 * Options: --json (also print one JSON line), --concurrency N (default 64),
 * --bots echo,file,redis (default all three), --profile DIR (children run with --cpu-prof there),
 * --no-sweep, --memory-conversations N (default 10000), --load-conversations N (default
 * max(640, 10 × concurrency)), --server PATH (another build's dist/src/server.js, to compare a change).
 * Exits 0 when it ran, whether or not the targets were met; 1 only if the benchmark itself failed.
 */
import { mkdtempSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { killAll, sleep, startBot, type BotProcess, type BotSpec } from './children';
import { startConnector, type Connector } from './connector';
import { createAgent, ECHO_BRANCH, firstTurnOnly, GUIDE_BRANCH, runPhase, type PhaseResult, type Scenario } from './load';
import { startRedisServer, type RedisServer } from '../test/support/redis-server';

const ROOT = path.resolve(__dirname, '..');
const DEFAULT_SERVER_JS = path.join(ROOT, 'dist/src/server.js');
const ECHO_JS = path.join(ROOT, 'bench/echo-bot.js');

/** As `npm start` runs the server; the echo bot gets the same (restify triggers DEP0111). */
const NODE_FLAGS = ['--disable-warning=DEP0111'];

const SWEEP_LEVELS = [1, 4, 16, 64, 256] as const;
const MB = 1024 * 1024;
/** The scratch directory (data dirs of the bots), removed on exit, also when interrupted. */
let cleanupDir: string | undefined;
process.once('exit', () => {
  if (cleanupDir) rmSync(cleanupDir, { recursive: true, force: true });
});

const TARGETS = {
  throughputFile: 0.8,
  throughputRedis: 0.6,
  p99: 2,
  rssMb: 150,
};

type BotId = 'echo' | 'file' | 'redis';
const LABELS: Record<BotId, string> = {
  echo: 'echo bot (floor)',
  file: 'activation-guide, embedded store',
  redis: 'activation-guide, Redis',
};

interface Options {
  json: boolean;
  concurrency: number;
  bots: BotId[];
  profileDir?: string;
  sweep: boolean;
  memoryConversations: number;
  loadConversations: number;
  /** The built server to measure (default dist/src/server.js; another checkout's, to compare a change). */
  server: string;
}

interface BotResult {
  id: BotId;
  label: string;
  load: PhaseResult;
  sweep: { concurrency: number; p50: number; p99: number; turnsPerSecond: number; turns: number }[];
  memory: { conversations: number; turnsPerSecond: number; rssMb: number; peakMb: number; errors: number };
  errors: number;
  firstError?: string;
  seconds: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { json: false, concurrency: 64, bots: ['echo', 'file', 'redis'], sweep: true, memoryConversations: 10_000, loadConversations: 0, server: DEFAULT_SERVER_JS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const count = (min: number, max: number): number => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${arg} must be a whole number from ${min} to ${max}`);
      return n;
    };
    if (arg === '--json') options.json = true;
    else if (arg === '--concurrency') options.concurrency = count(1, 1024);
    else if (arg === '--memory-conversations') options.memoryConversations = count(0, 100_000);
    else if (arg === '--load-conversations') options.loadConversations = count(1, 100_000);
    else if (arg === '--no-sweep') options.sweep = false;
    else if (arg === '--profile') options.profileDir = path.resolve(value());
    else if (arg === '--server') options.server = path.resolve(value());
    else if (arg === '--bots') {
      const bots = value().split(',').map((b) => b.trim()) as BotId[];
      const unknown = bots.filter((b) => !(b in LABELS));
      if (unknown.length || bots.length === 0) throw new Error(`--bots takes echo,file,redis (got ${unknown.join(',')})`);
      options.bots = bots;
    } else throw new Error(`unknown option ${arg}`);
  }
  // A fixed amount of work: 10 conversations per concurrent slot, at least 640 (5,120 turns).
  if (!options.loadConversations) options.loadConversations = Math.max(640, options.concurrency * 10);
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(options.server)) throw new Error(`${options.server} is missing: run \`npm run build\` first (npm run bench does)`);
  if (options.profileDir) mkdirSync(options.profileDir, { recursive: true });

  const started = performance.now();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'ag-bench-'));
  cleanupDir = scratch;
  const connector = await startConnector();
  let redis: RedisServer | undefined;
  const results: BotResult[] = [];
  try {
    for (const id of options.bots) {
      let spec: BotSpec;
      if (id === 'echo') {
        spec = { name: id, args: [...NODE_FLAGS, ...profileArgs(options, id), ECHO_JS], env: {}, readyPath: '/healthz', cwd: ROOT };
      } else {
        const dataDir = mkdtempSync(path.join(scratch, `${id}-`));
        const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: 'warn', HOST: '127.0.0.1' };
        if (id === 'redis') {
          redis ??= await startRedisServer();
          env.REDIS_URL = redis.url;
        }
        spec = { name: id, args: [...NODE_FLAGS, ...profileArgs(options, id), options.server], env, readyPath: '/readyz', cwd: ROOT };
      }
      const bot = await startBot(spec);
      try {
        results.push(await measure(id, bot, connector, options));
      } finally {
        await bot.stop();
      }
    }
  } finally {
    await connector.close();
    await redis?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  report(results, options, seconds);
}

function profileArgs(options: Options, id: BotId): string[] {
  return options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${id}-${Date.now()}.cpuprofile`] : [];
}

async function measure(id: BotId, bot: BotProcess, connector: Connector, options: Options): Promise<BotResult> {
  const t0 = performance.now();
  const scenario: Scenario = id === 'echo' ? ECHO_BRANCH : GUIDE_BRANCH;
  const agent = createAgent(Math.max(...SWEEP_LEVELS, options.concurrency));
  const phase = (name: string, concurrency: number, conversations: number, s: Scenario = scenario) =>
    runPhase({ botUrl: bot.url, connector, agent, scenario: s, concurrency, conversations, idPrefix: `${id}-${name}` });
  let errors = 0;
  let firstError: string | undefined;
  const tally = (r: PhaseResult): PhaseResult => {
    errors += r.errors;
    firstError ??= r.firstError;
    return r;
  };
  try {
    // Warm-up: JIT, connection pools, the store's first files. Not measured.
    tally(await phase('warmup', options.concurrency, options.concurrency * 2));
    const load = tally(await phase('load', options.concurrency, options.loadConversations));

    const sweep: BotResult['sweep'] = [];
    if (options.sweep) {
      for (const level of SWEEP_LEVELS) {
        // Short runs: enough turns for a p99 (≥ 256), at most two conversations per slot.
        const r = tally(await phase(`sweep${level}`, level, Math.max(32, level * 2)));
        sweep.push({ concurrency: level, p50: r.latency.p50, p99: r.latency.p99, turnsPerSecond: r.turnsPerSecond, turns: r.turns });
      }
    }

    const fill = tally(await phase('memory', options.concurrency, options.memoryConversations, firstTurnOnly(scenario)));
    await sleep(250);
    const mem = bot.memory();
    return {
      id,
      label: LABELS[id],
      load,
      sweep,
      memory: { conversations: options.memoryConversations, turnsPerSecond: fill.turnsPerSecond, rssMb: mem.rss / MB, peakMb: mem.peak / MB, errors: fill.errors },
      errors,
      firstError,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    agent.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function report(results: BotResult[], options: Options, seconds: number): void {
  const echo = results.find((r) => r.id === 'echo');
  const ratio = (value: number, floor: number | undefined) => (floor ? value / floor : NaN);
  const lines: string[] = [];
  const cpu = os.cpus();
  lines.push(
    `activation-guide bench: ${options.concurrency} concurrent conversations × ${GUIDE_BRANCH.turns.length} turns, ` +
      `${results[0]?.load.turns ?? 0} measured turns per bot, loopback; node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}`,
  );
  lines.push('');
  const head = ['', 'turns/s', '×floor', 'p50 ms', 'p95 ms', 'p99 ms', '×floor', `RSS MB @${fmtInt(options.memoryConversations)}`, '×floor'];
  const rows: string[][] = results.map((r) => [
    r.label,
    fmtInt(r.load.turnsPerSecond),
    r.id === 'echo' ? '1.00' : fmt(ratio(r.load.turnsPerSecond, echo?.load.turnsPerSecond), 2),
    fmt(r.load.latency.p50, 2),
    fmt(r.load.latency.p95, 2),
    fmt(r.load.latency.p99, 2),
    r.id === 'echo' ? '1.00' : fmt(ratio(r.load.latency.p99, echo?.load.latency.p99), 2),
    fmt(r.memory.rssMb, 0),
    r.id === 'echo' ? '1.00' : fmt(ratio(r.memory.rssMb, echo?.memory.rssMb), 2),
  ]);
  lines.push(...table([head, ...rows]));

  if (options.sweep) {
    lines.push('');
    lines.push('Turn latency by concurrent conversations, p50 / p99 ms (short runs):');
    const sweepHead = ['concurrent', ...results.map((r) => r.label)];
    const sweepRows = SWEEP_LEVELS.map((level) => [
      String(level),
      ...results.map((r) => {
        const s = r.sweep.find((x) => x.concurrency === level);
        return s ? `${fmt(s.p50, 2)} / ${fmt(s.p99, 2)}` : '-';
      }),
    ]);
    lines.push(...table([sweepHead, ...sweepRows]));
  }

  const checks: { target: string; value: string; pass: boolean }[] = [];
  const file = results.find((r) => r.id === 'file');
  const redisResult = results.find((r) => r.id === 'redis');
  if (echo && file) {
    const x = ratio(file.load.turnsPerSecond, echo.load.turnsPerSecond);
    checks.push({ target: `throughput, embedded store ≥ ${TARGETS.throughputFile}× floor`, value: `${fmt(x, 2)}×`, pass: x >= TARGETS.throughputFile });
  }
  if (echo && redisResult) {
    const x = ratio(redisResult.load.turnsPerSecond, echo.load.turnsPerSecond);
    checks.push({ target: `throughput, Redis ≥ ${TARGETS.throughputRedis}× floor`, value: `${fmt(x, 2)}×`, pass: x >= TARGETS.throughputRedis });
  }
  for (const r of [file, redisResult]) {
    if (!r) continue;
    if (echo) {
      const x = ratio(r.load.latency.p99, echo.load.latency.p99);
      checks.push({ target: `p99 latency, ${r.id === 'file' ? 'embedded store' : 'Redis'} ≤ ${TARGETS.p99}× floor`, value: `${fmt(x, 2)}×`, pass: x <= TARGETS.p99 });
    }
    checks.push({
      target: `RSS with ${fmtInt(options.memoryConversations)} conversations, ${r.id === 'file' ? 'embedded store' : 'Redis'} ≤ ${TARGETS.rssMb} MB`,
      value: `${fmt(r.memory.rssMb, 0)} MB`,
      pass: r.memory.rssMb <= TARGETS.rssMb,
    });
  }
  if (checks.length) {
    lines.push('');
    for (const c of checks) lines.push(`${c.pass ? 'PASS' : 'MISS'}  ${c.target}: ${c.value}`);
  }
  const errors = results.reduce((n, r) => n + r.errors, 0);
  lines.push('');
  if (errors) {
    lines.push(`ERRORS: ${errors} turns failed (${results.filter((r) => r.errors).map((r) => `${r.id}: ${r.firstError}`).join('; ')})`);
  }
  const late = results.reduce((n, r) => n + r.load.repliesAfterResponse, 0);
  lines.push(
    `${fmt(seconds, 1)} s in total (${results.map((r) => `${r.id} ${fmt(r.seconds, 1)} s`).join(', ')}); ` +
      `latency = POST sent → response ended and reply received (replies after the response: ${late}).`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);

  if (options.json) {
    const round = (n: number, d = 3) => (Number.isFinite(n) ? Number(n.toFixed(d)) : null);
    const json = {
      bench: 'activation-guide',
      node: process.version,
      cpus: cpu.length,
      concurrency: options.concurrency,
      turnsPerConversation: GUIDE_BRANCH.turns.length,
      seconds: round(seconds, 1),
      bots: Object.fromEntries(
        results.map((r) => [
          r.id,
          {
            turnsPerSecond: round(r.load.turnsPerSecond, 1),
            turns: r.load.turns,
            latencyMs: { p50: round(r.load.latency.p50), p95: round(r.load.latency.p95), p99: round(r.load.latency.p99), max: round(r.load.latency.max) },
            rssMb: round(r.memory.rssMb, 1),
            peakRssMb: round(r.memory.peakMb, 1),
            memoryConversations: r.memory.conversations,
            errors: r.errors,
            ratios: echo && r.id !== 'echo'
              ? {
                  turnsPerSecond: round(ratio(r.load.turnsPerSecond, echo.load.turnsPerSecond)),
                  p50: round(ratio(r.load.latency.p50, echo.load.latency.p50)),
                  p95: round(ratio(r.load.latency.p95, echo.load.latency.p95)),
                  p99: round(ratio(r.load.latency.p99, echo.load.latency.p99)),
                  rss: round(ratio(r.memory.rssMb, echo.memory.rssMb)),
                }
              : undefined,
            sweep: r.sweep.map((s) => ({ concurrency: s.concurrency, p50: round(s.p50), p99: round(s.p99), turnsPerSecond: round(s.turnsPerSecond, 1) })),
          },
        ]),
      ),
      targets: checks.map((c) => ({ target: c.target, value: c.value, pass: c.pass })),
    };
    process.stdout.write(`${JSON.stringify(json)}\n`);
  }
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd());
}

function fmt(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-';
}

// ---------------------------------------------------------------------------------------------

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.stderr.write(`bench: interrupted (${signal})\n`);
    process.exit(130);
  });
}

main().catch((err) => {
  killAll();
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
