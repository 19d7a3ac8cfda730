import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { checkServiceUrl, isLoopbackHost } from '../../src/web/service-url';
import { startHarness, type Harness } from '../support/bot-harness';
import { freePort, startServerProcess } from '../support/server-process';

/**
 * Issue 9: without credentials botbuilder posts replies to whatever `serviceUrl` an activity
 * names. An anonymous bot therefore only serves loopback and ALLOWED_SERVICE_URLS, listens on
 * loopback unless told otherwise, and refuses to start on a public interface by accident.
 */


describe('checkServiceUrl', () => {
  test.each([
    'http://127.0.0.1:3978/',
    'http://127.8.9.10/',
    'http://localhost:1234/x',
    'http://bot.localhost/',
    'http://[::1]:80/',
    'https://127.0.0.1/',
    'http://0x7f000001/', // the URL parser reads this as 127.0.0.1
  ])('accepts the loopback URL %s', (url) => {
    expect(checkServiceUrl(url, [])).toEqual({ ok: true });
  });

  test.each([
    'http://bots.example.invalid/',
    'https://smba.trafficmanager.net/emea/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'http://127.0.0.1.nip.io/',
    'http://localhost.example.invalid/',
    'http://example.invalid#@127.0.0.1/',
    'http://[::ffff:7f00:1]/',
  ])('refuses the external URL %s', (url) => {
    expect(checkServiceUrl(url, [])).toMatchObject({ ok: false });
  });

  test.each([undefined, null, 42, {}, '', 'not a url', 'file:///etc/passwd', 'javascript:alert(1)', 'ftp://127.0.0.1/', 'http://user:pw@127.0.0.1/'])(
    'refuses %p',
    (value) => {
      expect(checkServiceUrl(value, []).ok).toBe(false);
    },
  );

  test('admits a listed origin, and only that origin', () => {
    const config = loadConfig({ ALLOWED_SERVICE_URLS: ' http://bots.example.invalid , https://other.example.invalid:8443/path ' });
    expect(config.allowedServiceUrls).toEqual(['http://bots.example.invalid', 'https://other.example.invalid:8443']);
    expect(checkServiceUrl('http://bots.example.invalid/x', config.allowedServiceUrls)).toEqual({ ok: true });
    expect(checkServiceUrl('https://other.example.invalid:8443/v3/', config.allowedServiceUrls)).toEqual({ ok: true });
    expect(checkServiceUrl('https://bots.example.invalid/x', config.allowedServiceUrls).ok).toBe(false); // other scheme
    expect(checkServiceUrl('http://bots.example.invalid:8080/x', config.allowedServiceUrls).ok).toBe(false); // other port
    expect(checkServiceUrl('http://evil.bots.example.invalid/x', config.allowedServiceUrls).ok).toBe(false);
  });

  test('isLoopbackHost knows 127.0.0.0/8, ::1 and localhost only', () => {
    expect(['127.0.0.1', '127.255.0.1', '::1', '[::1]', 'localhost', 'LOCALHOST', 'a.localhost'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'localhost.com', 'bots.example.invalid'].some(isLoopbackHost)).toBe(false);
  });
});

describe('configuration', () => {
  test('without credentials the bot listens on loopback', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
  });

  test('ALLOWED_SERVICE_URLS must hold http(s) origins', () => {
    expect(() => loadConfig({ ALLOWED_SERVICE_URLS: 'ftp://x.example' })).toThrow(ConfigError);
    expect(() => loadConfig({ ALLOWED_SERVICE_URLS: 'not a url' })).toThrow(/ALLOWED_SERVICE_URLS/);
  });

  test('a public HOST without credentials needs ALLOW_ANONYMOUS_PUBLIC', () => {
    for (const HOST of ['0.0.0.0', '::']) {
      expect(() => loadConfig({ HOST })).toThrow(/ALLOW_ANONYMOUS_PUBLIC/);
      expect(loadConfig({ HOST, ALLOW_ANONYMOUS_PUBLIC: 'true' }).host).toBe(HOST);
    }
    expect(loadConfig({ HOST: 'localhost' }).host).toBe('localhost');
    expect(loadConfig({ ALLOW_ANONYMOUS_PUBLIC: 'true' }).host).toBe('0.0.0.0');
  });
});

describe('anonymous /api/messages', () => {
  let h: Harness;
  beforeAll(async () => (h = await startHarness()));
  afterAll(() => h.close());

  test('serves an activity whose serviceUrl is loopback', async () => {
    const chat = h.conversation();
    const replies = await chat.say('hello');
    expect(replies.length).toBeGreaterThan(0);
  });

  test('refuses an external serviceUrl with 403: no turn, no outbound request, nothing stored', async () => {
    const chat = h.conversation();
    const before = h.connector.requests;
    const res = await h.post(chat.activity({ text: 'hello', serviceUrl: 'http://bots.example.invalid/' }));
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error.message).toMatch(/ALLOWED_SERVICE_URLS/);
    expect(h.connector.requests).toBe(before);
    const key = `emulator/conversations/${chat.id}`;
    // Neither the conversation's state nor the agent desk's transcript or case for it exists.
    expect(await h.app.store.read([key, `agent/transcripts/${key}`, `agent/cases/${key}`])).toEqual({});
  });

  test('refuses a serviceUrl that is missing, not a URL or not http(s), with 400 or 403', async () => {
    for (const serviceUrl of ['not a url', 'file:///etc/passwd', 'gopher://127.0.0.1/']) {
      const res = await h.post(h.conversation().activity({ text: 'hi', serviceUrl }));
      expect(res.status).toBe(403);
    }
    const { serviceUrl: _drop, ...withoutUrl } = h.conversation().activity({ text: 'hi' });
    expect((await h.post(withoutUrl)).status).toBe(400);
  });

  test('a listed origin passes the guard (the reply then fails to resolve, which is not a 403)', async () => {
    const listed = await startHarness({ env: { ALLOWED_SERVICE_URLS: 'http://bots.example.invalid' } });
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const res = await listed.post(listed.conversation().activity({ text: 'hello', serviceUrl: 'http://bots.example.invalid/x' }));
      expect(res.status).not.toBe(403);
      expect(res.status).toBeLessThan(500);
    } finally {
      quiet.mockRestore();
      await listed.close();
    }
  });
});

describe('startup', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ag-startup-'));
    dirs.push(dir);
    return dir;
  };

  test('HOST=0.0.0.0 without credentials or ALLOW_ANONYMOUS_PUBLIC refuses to start (exit 78), naming the setting', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/server.ts'], {
      cwd: join(__dirname, '..', '..'),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '0.0.0.0', PORT: '0', DATA_DIR: dataDir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(78);
    expect(stderr).toMatch(/HOST: .*ALLOW_ANONYMOUS_PUBLIC=true/);
  });

  test('with ALLOW_ANONYMOUS_PUBLIC=true it starts on 0.0.0.0 and warns loudly', async () => {
    const port = await freePort();
    const server = await startServerProcess({ PORT: String(port), DATA_DIR: dataDir(), HOST: '0.0.0.0', ALLOW_ANONYMOUS_PUBLIC: 'true' });
    try {
      const warning = server
        .output()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { level: number; msg: string; host?: string })
        .find((line) => /ANONYMOUS MODE ON A PUBLIC INTERFACE/.test(line.msg));
      expect(warning).toMatchObject({ level: 40, host: '0.0.0.0' });
    } finally {
      expect(await server.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    }
  });
});
