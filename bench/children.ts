/**
 * Each bot runs in its own child process, so its RSS is its own and the load generator's CPU is
 * not counted against it. Every child started here is killed when the benchmark exits, however
 * it exits (normal end, error, SIGINT/SIGTERM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { freePort } from '../test/support/server-process';

export { freePort };

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface BotProcess {
  readonly pid: number;
  readonly url: string;
  /** Resident set size and its peak, in bytes, from /proc/<pid>/status. */
  memory(): { rss: number; peak: number };
  /** Warnings and errors the bot logged so far, by message. */
  logs(): LogSummary;
  /** Heap in use after a full GC, in bytes, if the child was started with bench/heap-probe.js. */
  heapAfterGc(): Promise<HeapReport>;
  /** SIGTERM (so --cpu-prof gets written), SIGKILL after a grace period. */
  stop(): Promise<void>;
}

export interface LogSummary {
  warn: number;
  error: number;
  /** How often each message was logged at warn or above. */
  messages: Record<string, number>;
}

function countLogLine(line: string, logs: LogSummary): void {
  if (!line.startsWith('{')) return;
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
    if (typeof entry.level !== 'number' || entry.level < 40) return;
    if (entry.level >= 50) logs.error++;
    else logs.warn++;
    const msg = `${String(entry.msg ?? '')}${entry.err?.message ? ` (${entry.err.message})` : ''}`.slice(0, 160);
    logs.messages[msg] = (logs.messages[msg] ?? 0) + 1;
  } catch {
    // not a log line
  }
}

export interface HeapReport {
  heapUsed: number;
  heapTotal: number;
  rss: number;
  external: number;
  /** False if the child ran without --expose-gc (then heapUsed includes garbage). */
  gc: boolean;
}

export interface BotSpec {
  name: string;
  /** Node arguments: the script and anything before it (e.g. --cpu-prof). */
  args: string[];
  env: Record<string, string>;
  /** Path that answers 200 once the bot can take turns. */
  readyPath: string;
  cwd: string;
}

export async function startBot(spec: BotSpec): Promise<BotProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, spec.args, {
    cwd: spec.cwd,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...spec.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  running.add(child);
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  // The server logs JSON lines (pino) at LOG_LEVEL=warn: count them, keep the first of each message.
  const logs: LogSummary = { warn: 0, error: 0, messages: {} };
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    collect(chunk);
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) countLogLine(line, logs);
  });
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await answers200(`${url}${spec.readyPath}`))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${spec.name} did not become ready on ${url}${spec.readyPath}:\n${output}`);
    }
    await sleep(50);
  }

  return {
    pid: child.pid ?? -1,
    url,
    memory: () => readMemory(child.pid ?? -1),
    logs: () => logs,
    heapAfterGc: () =>
      new Promise<HeapReport>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${spec.name} did not report its heap`)), 10_000);
        child.once('message', (message) => {
          clearTimeout(timer);
          resolve(message as HeapReport);
        });
        child.send('heap');
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Kills every child still running (used on SIGINT before exiting). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}

function readMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : NaN;
  };
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

function answers200(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
