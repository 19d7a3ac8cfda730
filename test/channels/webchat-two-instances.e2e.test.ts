/**
 * Production web chat without Azure (issue 26), end to end: two real server processes on one real
 * redis-server, behind a round-robin proxy on loopback, and Web Chat from node_modules in real
 * headless Chromium in its default WebSocket mode.
 *
 *   the visitor clicks through the reactivate branch while the posts alternate between the
 *   instances → the instance that started the conversation stops → the conversation goes on, no
 *   message lost or shown twice → Redis restarts empty → the visitor is told plainly that the
 *   conversation was lost, as on /api/messages.
 *
 * The steps share one page and run in order; once a step fails, the later ones are reported as not run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { artifactPath, launchBrowser, loopbackPage } from '../support/browser';
import { block, normalize, t } from '../support/expected-text';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { startRoundRobinProxy, type RoundRobinProxy } from '../support/round-robin-proxy';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';
import { USER_MESSAGE, webChatDriver, type WebChatDriver } from '../support/webchat-driver';

/** A lost socket is reopened after 3 to 15 s (directlinejs), then the turn runs: generous on a loaded machine. */
const REPLY_TIMEOUT = 60_000;
const STEP_TIMEOUT = 180_000;
const TOKEN_KEY = 'two-instances-e2e-signing-key-0123456789abcdef';

let redis: RedisServer;
const instances: ServerProcess[] = [];
const dataDirs: string[] = [];
let proxy: RoundRobinProxy;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let chat: WebChatDriver;
const problems: string[] = [];

const en = (ref: string) => t('en-US', ref);
const choice = (name: string) => en(`common:choice.${name}`);

let failed = false;
function step(name: string, fn: () => Promise<void>): void {
  test(
    name,
    async () => {
      if (failed) throw new Error('not run: an earlier step failed');
      try {
        await fn();
      } catch (err) {
        failed = true;
        await page?.screenshot({ path: artifactPath('webchat-two-instances-failure.png'), fullPage: true }).catch(() => undefined);
        throw err;
      }
    },
    STEP_TIMEOUT,
  );
}

async function startInstance(): Promise<ServerProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ag-dl-two-'));
  dataDirs.push(dataDir);
  return startServerProcess({
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    REDIS_URL: redis.url,
    DIRECTLINE_TOKEN_KEY: TOKEN_KEY,
    LOG_LEVEL: 'warn',
  });
}

async function readyAgain(server: ServerProcess): Promise<void> {
  for (;;) {
    const res = await fetch(`${server.url}/readyz`).catch(() => undefined);
    if (res?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The user's messages in the transcript, as shown. */
async function userMessages(): Promise<string[]> {
  return (await page.locator(USER_MESSAGE).allInnerTexts()).map(normalize);
}

/** Which instance (0 or 1) took each Direct Line post so far. */
function postsServed(): number[] {
  return proxy.served.filter(([what]) => what.startsWith('POST /v3/directline/conversations/') && what.endsWith('/activities')).map(([, index]) => index);
}

beforeAll(async () => {
  redis = await startRedisServer();
  instances.push(await startInstance(), await startInstance());
  proxy = await startRoundRobinProxy(instances.map((i) => i.port));
  browser = await launchBrowser();
  ({ context, page } = await loopbackPage(browser, { locale: 'en-US', viewport: { width: 1280, height: 900 } }, problems, REPLY_TIMEOUT));
  chat = webChatDriver(page, REPLY_TIMEOUT);
}, STEP_TIMEOUT);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await proxy?.close();
  for (const instance of instances) await instance.kill('SIGKILL');
  await redis?.dispose();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}, STEP_TIMEOUT);

describe('Web Chat over WebSocket on two instances sharing Redis (headless Chromium)', () => {
  step('holds the conversation while its posts alternate between the instances', async () => {
    await page.goto(`${proxy.url}/`);
    await chat.waitForBotMessage(0, [block('en-US', 'start.welcome')[0]!, en('common:ask.start')]);
    await chat.click(choice('REACTIVATE'), [...block('en-US', 'reactivate.intro'), en('reactivate:ask.reason')]);
    await chat.click(choice('EXPIRED'), [...block('en-US', 'reactivate.expired'), en('reactivate:ask.continue')]);
    expect(new Set(postsServed())).toEqual(new Set([0, 1]));
    // Pushed over the stream: the page never polled.
    expect(proxy.served.some(([what]) => what.startsWith('GET') && what.endsWith('/activities'))).toBe(false);
    expect(proxy.served.some(([what]) => what.startsWith('UPGRADE'))).toBe(true);
  });

  step('goes on through the other instance when the one that started it stops: nothing lost, nothing twice', async () => {
    // The page's token request created the conversation; here that instance also holds its socket.
    const starter = proxy.served.find(([what]) => what === 'POST /v3/directline/tokens/generate')![1];
    const sockets = () => proxy.served.filter(([what]) => what.startsWith('UPGRADE'));
    const stopped = await instances[starter]!.kill('SIGTERM');
    expect(stopped.code).toBe(0);

    await chat.click(choice('CONTINUE'), [...block('en-US', 'reactivate.billing'), en('reactivate:ask.offered')]);
    await chat.click(choice('YES'), [...block('en-US', 'reactivate.payment'), en('common:ask.helped')]);
    // The page opened its stream again, on the other instance, and read on from its watermark.
    expect(sockets().length).toBeGreaterThanOrEqual(2);
    expect(sockets().at(-1)![1]).not.toBe(starter);
    // Welcome, intro, expired, billing, payment: each once.
    expect(await chat.botMessages().count()).toBe(5);
    const sent = [choice('REACTIVATE'), choice('EXPIRED'), choice('CONTINUE'), choice('YES')].map(normalize);
    const shown = await userMessages();
    expect(shown).toHaveLength(sent.length);
    shown.forEach((message, i) => expect(message).toContain(sent[i]));
  });

  step('tells the visitor plainly that the conversation was lost when Redis comes back empty', async () => {
    await redis.stop();
    await redis.start();
    const survivor = instances.find((i) => i.child.exitCode === null && i.child.signalCode === null)!;
    await readyAgain(survivor);

    const before = await chat.botMessages().count();
    await chat.lastBotMessage().getByRole('button', { name: choice('YES'), exact: true }).click();
    await chat.waitForBotMessage(before, [en('common:notice.conversationLost')]);
    await page.screenshot({ path: artifactPath('webchat-two-instances.png'), fullPage: true });
  });

  step('loads nothing from off this machine and throws no errors in the page', async () => {
    // A socket closed by a stopping server is reported on the console by Chromium; that is expected.
    expect(problems.filter((p) => !p.startsWith('console: WebSocket connection'))).toEqual([]);
  });
});
