import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';
import { SharedConversation, copy, eventually, type Endpoint, type TurnResult } from '../support/shared-conversation';
import { storedState } from '../support/stored-state';

/**
 * DATA_DIR on a 1 MiB tmpfs that fills up in the middle of twenty conversations, and once more
 * while the server is stopped (it starts not ready, and becomes ready once there is room). While nothing
 * can be written, users hear "try again in a minute" (never a 5xx), /readyz says 503 and /healthz
 * 200. Once space is back, /readyz turns 200 by itself and the conversations go on; after a
 * restart every turn whose answer the user saw is still there.
 */

// Real processes started and stopped several times: slow on a busy machine, so more than jest's 30 s.
jest.setTimeout(120_000);

let mountPoint: string;
let mounted = false;
let connector: FakeConnector;
let server: ServerProcess | undefined;
let port: number;

const t = (ref: string) => copy('en-US', ref);
const filler = () => join(mountPoint, 'filler');

beforeAll(async () => {
  mountPoint = mkdtempSync(join(tmpdir(), 'ag-full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    mounted = true;
  } catch (err) {
    throw new Error(
      `This test needs a 1 MiB tmpfs as DATA_DIR and could not mount one at ${mountPoint} (run the tests as root, or with CAP_SYS_ADMIN): ${String((err as { stderr?: Buffer }).stderr ?? err)}`,
    );
  }
  connector = await startFakeConnector();
  port = await freePort();
});

afterAll(async () => {
  await server?.kill('SIGKILL');
  await connector?.close();
  if (mounted) execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

async function start(): Promise<Endpoint> {
  server = await startServerProcess({ PORT: String(port), DATA_DIR: mountPoint, LOG_LEVEL: 'warn' });
  return { name: `pid ${server.child.pid}`, url: server.url, connector };
}

const status = async (url: string, path: string) => (await fetch(`${url}${path}`)).status;

/** Writes to the filler file until the disk refuses; returns how much it took. */
function fillDisk(): number {
  const fd = openSync(filler(), 'a');
  const chunk = Buffer.alloc(4096, 0x61);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return written;
}

/** A turn's answer while the disk is full: the short notice in a 2xx, never an error status. */
function isUnavailableNotice(turn: TurnResult): boolean {
  expect(turn.status).toBeGreaterThanOrEqual(200);
  expect(turn.status).toBeLessThan(300);
  return turn.text === t('common:notice.unavailable');
}

test('a full disk: "try again" and /readyz 503 while writes fail; afterwards, and after a restart, every acknowledged turn is there', async () => {
  let bot = await start();
  const chats = Array.from({ length: 20 }, () => new SharedConversation());
  /** The step each conversation's user last saw an answer for. */
  const acknowledged = new Map<SharedConversation, string>();
  for (const chat of chats) {
    const turn = await chat.say(bot, 'activate office');
    expect(turn.step).toBe('activate.license');
    acknowledged.set(chat, 'activate.license');
  }

  expect(fillDisk()).toBeGreaterThan(0);

  // Every conversation answers the license question; none of these answers can be stored.
  let notices = 0;
  for (const chat of chats) {
    const turn = await chat.click(bot, t('common:choice.YES'));
    if (isUnavailableNotice(turn)) notices++;
    else if (turn.step) acknowledged.set(chat, turn.step);
  }
  expect(notices).toBe(chats.length);
  expect(await status(bot.url, '/readyz')).toBe(503);
  expect(await status(bot.url, '/healthz')).toBe(200);

  // Space comes back: readiness recovers by itself, and the same answer now goes through.
  rmSync(filler());
  await eventually('/readyz to answer 200 again', async () => (await status(bot.url, '/readyz')) === 200);
  for (const chat of chats) {
    // Typed, since the last thing the user saw was the notice, which has no buttons.
    const turn = await chat.say(bot, 'yes');
    expect({ id: chat.id, step: turn.step }).toEqual({ id: chat.id, step: 'activate.apps' });
    acknowledged.set(chat, 'activate.apps');
  }

  // A restart finds every acknowledged step, and each conversation goes on from there.
  await server!.kill('SIGTERM');
  const stored = await storedState(mountPoint);
  for (const chat of chats) {
    const record = stored[chat.key] as { snapshot?: { value?: unknown } } | undefined;
    expect({ id: chat.id, stored: record !== undefined }).toEqual({ id: chat.id, stored: true });
  }
  bot = await start();
  for (const chat of chats) {
    const turn = await chat.say(bot, 'yes');
    // The reply's start is in the comparison, so that a failure says what the user was told instead.
    expect({ id: chat.id, was: acknowledged.get(chat), step: turn.step, said: turn.step ? '' : turn.text.slice(0, 80) }).toEqual({
      id: chat.id,
      was: 'activate.apps',
      step: 'activate.signIn',
      said: '',
    });
    expect(turn.text).not.toContain(t('common:notice.restarted'));
  }
});

test('a full disk at start-up, after a clean stop: the server starts not ready, says why, and becomes ready by itself once there is room', async () => {
  await server?.kill('SIGTERM');
  let bot = await start();
  const chat = new SharedConversation();
  expect((await chat.say(bot, 'my office needs activating')).step).toBe('activate.license');
  expect(await server!.kill('SIGTERM')).toEqual({ code: 0, signal: null });

  expect(fillDisk()).toBeGreaterThan(0);
  bot = await start();
  const notReady = await fetch(`${bot.url}/readyz`);
  expect({ status: notReady.status, body: await notReady.json() }).toEqual({
    status: 503,
    body: { status: 'unavailable', reason: 'storage does not answer: the disk is full' },
  });
  expect(await status(bot.url, '/healthz')).toBe(200);
  expect(isUnavailableNotice(await chat.click(bot, t('common:choice.YES')))).toBe(true);
  expect(server!.output()).toMatch(/cannot open .*conversations\.db yet, the disk is full/);

  rmSync(filler());
  await eventually('/readyz to answer 200 once there is room', async () => (await status(bot.url, '/readyz')) === 200);
  // The store opened the file as it was: the conversation goes on from the license question.
  // Typed, as in the test above: the last thing the user saw was the notice, which has no buttons.
  expect((await chat.say(bot, 'yes')).step).toBe('activate.apps');
});
