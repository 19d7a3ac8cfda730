/**
 * `npm run bench:store`: the embedded store's cost, in two parts.
 *
 * 1. Candidates (`--part candidates`): SQLite (src/storage/sqlite-store.ts, better-sqlite3) and
 *    LMDB (the `lmdb` package, opened with `useVersions: true`; a minimal eTag store written here,
 *    bench-only), each in fresh child processes on a temp directory:
 *    - a turn (read a key, write it back with its eTag), one at a time and 64 at a time, with
 *      the longest the event loop was blocked;
 *    - heap after a full GC and RssAnon of a process that opened the store holding 10,000 and
 *      100,000 items (~430 bytes each) and served 2,000 turns on random keys;
 *    - opening a store of 1,000,000 items and reading one.
 * 2. The bot (`--part server`, needs `npm run build`): dist/src/server.js with the flags of
 *    `npm start` on a DATA_DIR holding 10,000, 100,000 and 1,000,000 conversations (the first
 *    10,000 real one-turn conversations through /api/messages, the rest copies of their state
 *    rows under new conversation ids). For each: the time from spawn to /healthz answering 200, then
 *    2,000 new one-turn conversations (64 at a time), then heap after a full GC and RssAnon.
 *
 * Prints a table per part on stdout; `--json` also prints one JSON line. Everything on 127.0.0.1
 * and in temp directories, removed at the end. Options: --part candidates|server|all (default
 * all), --keep (leave the temp directories).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { Storage, StoreItems } from 'botbuilder';
import { killAll, sleep, startBot } from './children';
import { startConnector } from './connector';
import { createAgent, firstTurnOnly, GUIDE_BRANCH, runPhase } from './load';
import { startScriptFlags } from '../scripts/start-flags';

const ROOT = path.resolve(__dirname, '..');
const MB = 1024 * 1024;
const SIZES = [10_000, 100_000] as const;
const STARTUP_ROWS = 1_000_000;

type Candidate = 'sqlite' | 'lmdb';

/** What one stored conversation's state looks like, give or take: about 430 bytes of JSON. */
function item(i: number): Record<string, unknown> {
  return {
    v: 7,
    snapshot: {
      status: 'active',
      value: { reactivate: 'billing' },
      context: { locale: i % 2 ? 'nl-NL' : 'en-US', branch: 'reactivate', reason: 'EXPIRED', attempts: i % 5, errorId: null, rating: null },
      historyValue: {},
      children: {},
    },
    lastActivity: 1_764_000_000_000 + i,
    seen: [`activity-${i}-a`, `activity-${i}-b`],
    pad: 'x'.repeat(120),
  };
}
const keyOf = (i: number) => `webchat/conversations/bench-${i}`;

// ---------------------------------------------------------------------------------------------
// The LMDB candidate: only what the measurement needs, with the same eTag rules as our stores.

/** The part of lmdb's API used here, declared locally so that the bench type-checks without lmdb installed. */
interface LmdbDatabase {
  getEntry(key: string): { value: Record<string, unknown>; version?: number } | undefined;
  put(key: string, value: unknown, version?: number, ifVersion?: number): Promise<boolean>;
  ifNoExists(key: string, callback: () => void): Promise<boolean>;
  remove(key: string): Promise<boolean>;
  transaction<T>(callback: () => T): Promise<T>;
  close(): Promise<void>;
}

class LmdbCandidate implements Storage {
  private version = Date.now() * 1000;
  constructor(private readonly db: LmdbDatabase) {}
  static open(dir: string): LmdbCandidate {
    // Loaded here only: lmdb is a candidate that was measured, not a dependency of the bot.
    const { open } = require('lmdb') as { open(options: object): LmdbDatabase };
    return new LmdbCandidate(open({ path: path.join(dir, 'lmdb'), useVersions: true, compression: false }));
  }
  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    for (const key of keys) {
      const entry = this.db.getEntry(key);
      if (entry) items[key] = { ...entry.value, eTag: String(entry.version) };
    }
    return items;
  }
  async write(changes: StoreItems): Promise<void> {
    for (const [key, value] of Object.entries(changes)) {
      const { eTag, ...rest } = value as Record<string, unknown>;
      const version = ++this.version;
      const ok =
        typeof eTag === 'string' && eTag !== '*'
          ? this.db.getEntry(key)
            ? await this.db.put(key, rest, version, Number(eTag))
            : await this.db.ifNoExists(key, () => void this.db.put(key, rest, version))
          : await this.db.put(key, rest, version);
      if (!ok) throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
    }
  }
  async delete(keys: string[]): Promise<void> {
    for (const key of keys) await this.db.remove(key);
  }
  fill(from: number, to: number): Promise<boolean> {
    return this.db.transaction(() => {
      for (let i = from; i < to; i++) this.db.put(keyOf(i), item(i), ++this.version);
      return true;
    });
  }
  close(): Promise<void> {
    return this.db.close();
  }
}

async function openCandidate(candidate: Candidate, dir: string): Promise<Storage & { close(): Promise<void> }> {
  if (candidate === 'lmdb') return LmdbCandidate.open(dir);
  const { SqliteStore } = await import('../src/storage/sqlite-store');
  return new SqliteStore(dir);
}

async function fillCandidate(candidate: Candidate, dir: string, from: number, to: number): Promise<void> {
  if (candidate === 'lmdb') {
    const store = LmdbCandidate.open(dir);
    await store.fill(from, to);
    await store.close();
    return;
  }
  const store = await openCandidate('sqlite', dir);
  await store.close();
  const db = new Database(path.join(dir, 'conversations.db'));
  const insert = db.prepare('INSERT OR REPLACE INTO items (key, value, expires_at) VALUES (?, ?, NULL)');
  db.transaction(() => {
    for (let i = from; i < to; i++) insert.run(keyOf(i), JSON.stringify(item(i)));
  })();
  db.close();
}

/** One turn: read the conversation, write it back with the eTag read. */
async function turn(store: Storage, key: string, i: number): Promise<void> {
  const current = (await store.read([key]))[key] ?? item(i);
  await store.write({ [key]: { ...current, lastActivity: Date.now(), eTag: current.eTag ?? 'ag:absent' } });
}

/** Runs in a child: the measurement `mode` on the store in `dir`; prints one JSON line. */
async function child(candidate: Candidate, mode: string, dir: string, rows: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const started = performance.now();
  const store = await openCandidate(candidate, dir);
  const first = await store.read([keyOf(rows - 1)]);
  const openMs = performance.now() - started;
  const result: Record<string, number> = { openMs, found: Object.keys(first).length };
  if (mode === 'turns') {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    let t = performance.now();
    for (let i = 0; i < 500; i++) await turn(store, keyOf(i % 100), i);
    result.sequentialUsPerTurn = ((performance.now() - t) / 500) * 1000;
    t = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < 6400) {
          const i = next++;
          await turn(store, keyOf(1000 + (i % 640)), i);
        }
      }),
    );
    result.concurrentTurnsPerSecond = 6400 / ((performance.now() - t) / 1000);
    delay.disable();
    result.eventLoopMaxBlockMs = delay.max / 1e6;
    result.eventLoopP99BlockMs = delay.percentile(99) / 1e6;
  } else {
    for (let i = 0; i < 2000; i++) await turn(store, keyOf(Math.floor(Math.random() * rows)), i);
    gc?.();
    gc?.();
    result.heapUsedMb = process.memoryUsage().heapUsed / MB;
    result.rssAnonMb = rssAnon(process.pid) / MB;
  }
  await store.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(candidate: Candidate, mode: string, dir: string, rows: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ['--expose-gc', '--max-old-space-size=512', '-r', 'ts-node/register/transpile-only', __filename, '--child', candidate, mode, dir, String(rows)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as Record<string, number>);
      else reject(new Error(`${candidate} ${mode} child exited ${code}: ${out}`));
    });
  });
}

function rssAnon(pid: number): number {
  const match = /^RssAnon:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

async function candidates(keep: boolean): Promise<Record<string, Record<string, number>>> {
  const results: Record<string, Record<string, number>> = {};
  const lineup: Candidate[] = ['sqlite'];
  try {
    require.resolve('lmdb');
    lineup.push('lmdb');
  } catch {
    process.stderr.write('lmdb is not installed: the LMDB column is left out (npm install --no-save lmdb to compare)\n');
  }
  for (const candidate of lineup) {
    const dir = mkdtempSync(path.join(os.tmpdir(), `ag-bench-${candidate}-`));
    try {
      await fillCandidate(candidate, dir, 0, 2000);
      const turns = await runChild(candidate, 'turns', dir, 2000);
      const r: Record<string, number> = {
        sequentialUsPerTurn: turns.sequentialUsPerTurn,
        concurrentTurnsPerSecond: turns.concurrentTurnsPerSecond,
        eventLoopMaxBlockMs: turns.eventLoopMaxBlockMs,
        eventLoopP99BlockMs: turns.eventLoopP99BlockMs,
      };
      let filled = 2000;
      for (const size of SIZES) {
        await fillCandidate(candidate, dir, filled, size);
        filled = size;
        const m = await runChild(candidate, 'memory', dir, size);
        r[`heapMb@${size}`] = m.heapUsedMb;
        r[`rssAnonMb@${size}`] = m.rssAnonMb;
      }
      const t = performance.now();
      await fillCandidate(candidate, dir, filled, STARTUP_ROWS);
      r.fill1MSeconds = (performance.now() - t) / 1000;
      const s = await runChild(candidate, 'memory', dir, STARTUP_ROWS);
      r['openMs@1000000'] = s.openMs;
      r['heapMb@1000000'] = s.heapUsedMb;
      r['rssAnonMb@1000000'] = s.rssAnonMb;
      results[candidate] = r;
      process.stderr.write(`${candidate}: ${JSON.stringify(r)}\n`);
    } finally {
      if (!keep) rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// The bot on the SQLite store.

interface ServerFigures {
  conversations: number;
  startToHealthzMs: number;
  heapAfterGcMb: number;
  rssAnonMb: number;
  turnsPerSecond: number;
  errors: number;
}

async function server(keep: boolean): Promise<ServerFigures[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ag-bench-server-'));
  const connector = await startConnector();
  const figures: ServerFigures[] = [];
  let stored = 0;
  try {
    const start = async () => {
      const t = performance.now();
      const bot = await startBot({
        name: 'sqlite',
        args: [...startScriptFlags(), '--expose-gc', '-r', path.join(ROOT, 'bench/heap-probe.js'), path.join(ROOT, 'dist/src/server.js')],
        env: { DATA_DIR: dataDir, LOG_LEVEL: 'warn', HOST: '127.0.0.1' },
        readyPath: '/healthz',
        cwd: ROOT,
      });
      return { bot, ms: performance.now() - t };
    };
    const converse = (url: string, conversations: number, prefix: string) =>
      runPhase({ botUrl: url, connector, agent: createAgent(64), scenario: firstTurnOnly(GUIDE_BRANCH), concurrency: 64, conversations, idPrefix: prefix });

    // The same start on an empty DATA_DIR: what node, the bot's modules and a new database cost.
    {
      const { bot, ms } = await start();
      const heap = await bot.heapAfterGc();
      figures.push({ conversations: 0, startToHealthzMs: ms, heapAfterGcMb: heap.heapUsed / MB, rssAnonMb: rssAnon(bot.pid) / MB, turnsPerSecond: NaN, errors: 0 });
      await bot.stop();
      rmSync(path.join(dataDir, 'state'), { recursive: true, force: true });
    }
    for (const target of [10_000, 100_000, 1_000_000]) {
      if (stored === 0) {
        // The first 10,000 are real conversations; they are the rows copied later.
        const { bot } = await start();
        const r = await converse(bot.url, target, 'fill');
        if (r.errors) throw new Error(`filling: ${r.errors} errors, first: ${r.firstError}`);
        await bot.stop();
      } else {
        copyConversations(path.join(dataDir, 'state', 'conversations.db'), stored, target);
      }
      stored = target;
      const { bot, ms } = await start();
      const r = await converse(bot.url, 2000, `after${target}`);
      await sleep(1500); // the agent desk writes its transcripts a second behind the turn
      const heap = await bot.heapAfterGc();
      figures.push({
        conversations: target,
        startToHealthzMs: ms,
        heapAfterGcMb: heap.heapUsed / MB,
        rssAnonMb: rssAnon(bot.pid) / MB,
        turnsPerSecond: r.turnsPerSecond,
        errors: r.errors,
      });
      process.stderr.write(`server: ${JSON.stringify(figures.at(-1))}\n`);
      await bot.stop();
    }
  } finally {
    await connector.close();
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  }
  return figures;
}

/**
 * Copies the state rows of the real conversations under new conversation ids until `to` are
 * stored. Only the state: the agent desk keeps the cases and transcripts of the newest 1,000
 * conversations (`CaseLog`'s maxCases) and deletes older ones, so those do not grow with traffic.
 */
function copyConversations(file: string, from: number, to: number): void {
  const db = new Database(file);
  const rows = db
    .prepare("SELECT key, value, expires_at FROM items WHERE key LIKE '%/conversations/fill-%' AND key NOT LIKE 'agent/%'")
    .all() as Array<{ key: string; value: string; expires_at: number | null }>;
  if (rows.length === 0) throw new Error('no stored conversations to copy');
  const insert = db.prepare('INSERT OR REPLACE INTO items (key, value, expires_at) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let n = 0; n < to - from; n++) {
      const row = rows[n % rows.length]!;
      insert.run(`${row.key}~${from}-${n}`, row.value, row.expires_at);
    }
  })();
  db.close();
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[1] as Candidate, args[2]!, args[3]!, Number(args[4]));
    return;
  }
  const part = args.includes('--part') ? args[args.indexOf('--part') + 1] : 'all';
  const keep = args.includes('--keep');
  const out: Record<string, unknown> = {};
  if (part === 'candidates' || part === 'all') {
    const c = await candidates(keep);
    out.candidates = c;
    const rows = Object.keys(c.sqlite ?? {});
    console.log(`\n| figure | SQLite | LMDB |\n|---|---:|---:|`);
    for (const row of rows) console.log(`| ${row} | ${fmt(c.sqlite?.[row])} | ${fmt(c.lmdb?.[row])} |`);
  }
  if (part === 'server' || part === 'all') {
    const s = await server(keep);
    out.server = s;
    console.log(`\n| stored conversations | start → /healthz ms | heap after GC MB | RssAnon MB | turns/s (2,000 new) | errors |\n|---:|---:|---:|---:|---:|---:|`);
    for (const f of s) {
      console.log(`| ${f.conversations.toLocaleString('en-US')} | ${fmt(f.startToHealthzMs)} | ${fmt(f.heapAfterGcMb)} | ${fmt(f.rssAnonMb)} | ${fmt(f.turnsPerSecond)} | ${f.errors} |`);
    }
  }
  if (args.includes('--json')) console.log(JSON.stringify(out));
}

function fmt(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:store failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    killAll();
    process.exit(1);
  },
);
