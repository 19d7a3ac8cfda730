import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { startScriptFlags } from '../../scripts/start-flags';

const ROOT = path.resolve(__dirname, '..', '..');
const STARTUP_TIMEOUT_MS = 30_000;

/** The real server (src/server.ts) as a child process, for tests that kill it. */
export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** What it wrote to stdout and stderr so far (the tail), for failure messages. */
  output(): string;
  /** What it wrote to stderr alone (the tail): node's warnings land here, the structured log does not. */
  stderr(): string;
  /** Sends a signal and waits until the process is gone. Returns how it ended. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every child still running, so that a failing test run does not leave servers behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts `node -r ts-node/register/transpile-only src/server.ts` on loopback with exactly the
 * given environment (plus PATH and HOME, nothing else from the test run, so no REDIS_URL or
 * credentials leak in) and waits until GET /healthz answers.
 */
export async function startServerProcess(
  env: Record<string, string> & { PORT: string; DATA_DIR: string },
  /** `built` runs dist/src/server.js with the node flags of `npm start` (build it first with `npm run build`). */
  entry: 'source' | 'built' = 'source',
  /** A command that runs node, e.g. `['unshare', '--pid', '--fork', '--mount-proc']` for a PID namespace of its own. */
  launcher: string[] = [],
): Promise<ServerProcess> {
  const args =
    entry === 'built' ? [...startScriptFlags(env), 'dist/src/server.js'] : ['-r', 'ts-node/register/transpile-only', 'src/server.ts'];
  // Otherwise /healthz could be answered by a server still on the port while this one fails to bind.
  if (await answers(`http://127.0.0.1:${env.PORT}/healthz`)) throw new Error(`port ${env.PORT} already has a server on it; stop it first`);
  const [command, ...commandArgs] = [...launcher, process.execPath, ...args];
  const child = spawn(command!, commandArgs, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  let stderr = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });

  const url = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server exited during startup (${child.exitCode ?? child.signalCode}):\n${output}`);
    }
    if (await answers(`${url}/healthz`)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer /healthz within ${STARTUP_TIMEOUT_MS} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    url,
    port: Number(env.PORT),
    child,
    output: () => output,
    stderr: () => stderr,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
