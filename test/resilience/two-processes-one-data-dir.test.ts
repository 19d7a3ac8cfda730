import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';
import { SharedConversation, copy, type Endpoint, type TurnResult } from '../support/shared-conversation';
import { storedState } from '../support/stored-state';

/**
 * Two bot processes on one DATA_DIR, as two containers on one volume during a rolling update:
 * both serve, and SQLite's file locks (not pids) keep every turn. Once on one host, once with
 * each process in a PID namespace of its own, where both are pid 1. Then a zero-downtime restart:
 * the new process starts, the old one gets SIGTERM while conversations go on through both.
 */

// Real processes started and stopped several times: slow on a busy machine, so more than jest's 30 s.
jest.setTimeout(120_000);

const UNSHARE = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child'];

let dataDir: string;
let connector: FakeConnector;
const servers: ServerProcess[] = [];

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ag-two-processes-'));
  connector ??= await startFakeConnector();
});

afterEach(async () => {
  for (const s of servers.splice(0)) await s.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

afterAll(async () => {
  await connector?.close();
});

const t = (ref: string) => copy('en-US', ref);

async function start(name: string, launcher: string[] = []): Promise<{ endpoint: Endpoint; server: ServerProcess }> {
  const server = await startServerProcess({ PORT: String(await freePort()), DATA_DIR: dataDir, LOG_LEVEL: 'info' }, 'source', launcher);
  servers.push(server);
  return { endpoint: { name, url: server.url, connector }, server };
}

/** The node process's pid as it sees it itself (the last NSpid): 1 inside a PID namespace of its own. */
function pidInItsNamespace(server: ServerProcess): number {
  const status = readFileSync(`/proc/${innerPid(server)}/status`, 'utf8');
  const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/);
  if (!nspid || nspid.length < 2) throw new Error(`no PID namespace of its own: NSpid ${nspid?.join(' ')}`);
  return Number(nspid.at(-1));
}

/** The node process that `unshare --fork` started: the one to send SIGTERM to. */
function innerPid(server: ServerProcess): number {
  const pid = server.child.pid!;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  if (children.length !== 1 || !children[0]) throw new Error(`unshare ${pid} has children "${children.join(' ')}"`);
  return children[0];
}

/** Waits for the process to end by itself; its exit code (unshare passes on node's). */
function exited(server: ServerProcess): Promise<number | null> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

const STEPS = ['activate.license', 'activate.apps', 'activate.signIn', 'resolved'];

test('on one host: conversations alternating between two processes lose no turn', async () => {
  const a = await start('A');
  const b = await start('B');
  const chats = Array.from({ length: 12 }, () => new SharedConversation());

  await Promise.all(
    chats.map(async (chat, i) => {
      const first = i % 2 ? b.endpoint : a.endpoint;
      const second = i % 2 ? a.endpoint : b.endpoint;
      const steps = [
        (await chat.say(first, 'activate office')).step,
        (await chat.say(second, 'yes')).step,
        (await chat.say(first, 'yes')).step,
        (await chat.say(second, 'yes')).step,
      ];
      expect({ chat: i, steps }).toEqual({ chat: i, steps: STEPS });
    }),
  );

  await a.server.kill('SIGTERM');
  await b.server.kill('SIGTERM');
  const stored = await storedState(dataDir);
  for (const chat of chats) expect(stored[chat.key]).toBeDefined();
});

test('in separate PID namespaces (both pid 1), with a zero-downtime restart: the new process starts, the old one gets SIGTERM mid-conversation, no acknowledged turn is lost', async () => {
  const old = await start('old', UNSHARE);
  expect(pidInItsNamespace(old.server)).toBe(1);
  const chats = Array.from({ length: 8 }, () => new SharedConversation());
  for (const chat of chats) expect((await chat.say(old.endpoint, 'activate office')).step).toBe('activate.license');

  // The new process comes up beside the old one, on the same directory, also as pid 1.
  const next = await start('new', UNSHARE);
  expect(pidInItsNamespace(next.server)).toBe(1);

  // Half the conversations go on through the new process, half through the old one.
  for (const [i, chat] of chats.entries()) expect((await chat.say(i % 2 ? next.endpoint : old.endpoint, 'yes')).step).toBe('activate.apps');

  // A wave of turns on the old process; SIGTERM reaches it while they are in flight.
  const inFlight = chats.map((chat) => chat.say(old.endpoint, 'yes').catch((): TurnResult | undefined => undefined));
  await Promise.race(inFlight);
  process.kill(innerPid(old.server), 'SIGTERM');
  const results = await Promise.all(inFlight);
  expect(await exited(old.server)).toBe(0);
  expect(old.server.output()).toContain('"msg":"stopped"');

  // The load balancer now sends everything to the new process. A turn the old one answered was
  // stored; one it refused (503, or no connection) was not, and the user sends it again.
  for (const [i, chat] of chats.entries()) {
    const answered = results[i]?.status === 200 && results[i]?.step === 'activate.signIn';
    if (!answered) expect((await chat.say(next.endpoint, 'yes')).step).toBe('activate.signIn');
    const last = await chat.say(next.endpoint, 'yes');
    expect({ chat: i, answeredByOld: answered, step: last.step }).toEqual({ chat: i, answeredByOld: answered, step: 'resolved' });
  }
  expect(results.filter((r) => r?.step === 'activate.signIn').length).toBeGreaterThanOrEqual(1);

  process.kill(innerPid(next.server), 'SIGTERM');
  expect(await exited(next.server)).toBe(0);
});
