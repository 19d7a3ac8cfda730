import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';
import { startScriptFlags } from '../../scripts/start-flags';
import { expected } from '../support/transcript';

/**
 * The quick start as a new user runs it: `npm start` builds and runs dist/src/server.js with no
 * configuration at all. It must answer a real Bot Framework activity and serve the web chat page.
 */
const ROOT = join(__dirname, '..', '..');
let server: ServerProcess;
let connector: FakeConnector;
let dataDir: string;

beforeAll(async () => {
  const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start as string;
  expect(start).toContain('npm run --silent build');
  expect(start).toContain('dist/src/server.js');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'pipe' });
  dataDir = mkdtempSync(join(tmpdir(), 'ag-quickstart-'));
  connector = await startFakeConnector();
  server = await startServerProcess({ PORT: String(await freePort()), DATA_DIR: dataDir }, 'built');
}, 120_000);

afterAll(async () => {
  await server?.kill('SIGKILL');
  await connector?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('the build trains the intent models once, and the server loads them instead of training', () => {
  expect(readdirSync(join(ROOT, 'dist', 'models')).filter((f) => f.endsWith('.json'))).toHaveLength(4);
  const ready = server
    .output()
    .split('\n')
    .filter((line) => line.includes('intent models ready'))
    .map((line) => JSON.parse(line) as { loaded: number; trained: number });
  expect(ready).toEqual([expect.objectContaining({ loaded: 4, trained: 0 })]);
});

test('a message activity with a loopback serviceUrl gets its reply there', async () => {
  const res = await fetch(`${server.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      id: 'quick-1',
      channelId: 'emulator',
      serviceUrl: connector.url,
      conversation: { id: 'quick-start' },
      from: { id: 'user-1' },
      recipient: { id: 'bot' },
      locale: 'nl-NL',
      text: 'mijn abonnement werkt niet meer',
    }),
  });
  expect(res.status).toBe(200);
  const [reply] = connector.repliesTo('quick-start');
  expect(reply.replyToId).toBe('quick-1');
  expect(reply.text).toContain(expected('nl-NL', 'reactivate:ask.reason'));
});

test('the web chat page and its bundle are served from the same server', async () => {
  const page = await fetch(`${server.url}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('/webchat/webchat.js');
  const bundle = await fetch(`${server.url}/webchat/webchat.js`);
  expect(bundle.status).toBe(200);
  expect(bundle.headers.get('content-type')).toMatch(/javascript/);
});

/** The web chat's own path: the built-in Direct Line, typed turns, the replies read back by watermark. */
async function directLine(url: string) {
  const started = await fetch(`${url}/v3/directline/conversations`, { method: 'POST' });
  expect(started.status).toBe(201);
  const { conversationId, token } = (await started.json()) as { conversationId: string; token: string };
  const auth = { authorization: `Bearer ${token}` };
  let watermark = '';
  return {
    async say(text: string): Promise<string> {
      const posted = await fetch(`${url}/v3/directline/conversations/${conversationId}/activities`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', from: { id: 'visitor-1' }, locale: 'en-US', text }),
      });
      expect(posted.status).toBe(200);
      const polled = await fetch(`${url}/v3/directline/conversations/${conversationId}/activities?watermark=${watermark}`, { headers: auth });
      const body = (await polled.json()) as { activities: { from: { id: string }; text?: string }[]; watermark: string };
      watermark = body.watermark;
      return body.activities
        .filter((a) => a.from.id !== 'visitor-1')
        .map((a) => a.text ?? '')
        .join('\n');
    },
  };
}

test('a visitor types a whole reactivation in the web chat, in words of their own', async () => {
  const chat = await directLine(server.url);
  expect(await chat.say('hi, our office 365 plan ran out last week and nobody can save files')).toContain(
    expected('en-US', 'guide:reactivate.expired'),
  );
  expect(await chat.say('ok lets do it')).toContain(expected('en-US', 'reactivate:ask.offered'));
  expect(await chat.say('yep its there')).toContain(expected('en-US', 'common:ask.helped'));
});

test('node prints no warning while it starts and serves: nothing deprecated is called, and nothing is silenced', () => {
  const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start as string;
  expect(start).not.toMatch(/--(?:no-warnings|no-deprecation|disable-warning)/);
  // stdout carries the JSON log; stderr is node's own channel for warnings, and the turns above
  // ran botbuilder's whole reply path (CloudAdapter, the connector client) in this process.
  expect(server.stderr()).toBe('');
});

test('it runs with the heap limits of the start script: 512 MB old generation, 32 MB semi-spaces, unless NODE_HEAP_MB / NODE_SEMI_SPACE_MB say otherwise', () => {
  expect(startScriptFlags({})).toEqual(expect.arrayContaining(['--max-old-space-size=512', '--max-semi-space-size=32']));
  expect(startScriptFlags({ NODE_HEAP_MB: '2048', NODE_SEMI_SPACE_MB: '16' })).toEqual(
    expect.arrayContaining(['--max-old-space-size=2048', '--max-semi-space-size=16']),
  );
  // V8's limit, as the startup log reports it, is the old generation plus the young one (two or
  // three semi-spaces by V8 version): 608 on node 24 and 22, against 4,000+ MB with node's defaults here.
  const limit = Number(/"heapLimitMb":(\d+)/.exec(server.output())?.[1]);
  expect(limit).toBeGreaterThanOrEqual(512 + 2 * 32);
  expect(limit).toBeLessThanOrEqual(512 + 3 * 32);
});

test('SIGTERM stops it cleanly', async () => {
  expect(await server.kill('SIGTERM')).toEqual({ code: 0, signal: null });
});
