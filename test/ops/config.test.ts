import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, ENV_VARIABLES, loadConfig } from '../../src/config';
import { botCloud } from '../../src/http/bot-cloud';

/** Configuration is checked at startup, with a message that names the setting. */
const ROOT = join(__dirname, '..', '..');
const APP_ID = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('.env.example', () => {
  const text = readFileSync(join(ROOT, '.env.example'), 'utf8');
  const entries = text
    .split('\n')
    .filter((line) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);

  test('lists every variable the service reads, once, each with a comment', () => {
    const names = entries.map(([name]) => name);
    expect([...names].sort()).toEqual([...ENV_VARIABLES].sort());
    const lines = text.split('\n');
    for (const name of names) {
      const at = lines.findIndex((l) => l.startsWith(`${name}=`));
      expect({ name, comment: lines[at - 1]?.startsWith('#') }).toEqual({ name, comment: true });
    }
  });

  test('holds the defaults: loading it gives the same configuration as an empty environment', () => {
    expect(loadConfig(Object.fromEntries(entries))).toEqual(loadConfig({}));
  });
});

describe('validation', () => {
  test.each<[string, Record<string, string>, RegExp]>([
    ['an app id without a password', { MicrosoftAppId: APP_ID }, /^MicrosoftAppPassword: is required when MicrosoftAppId is set$/],
    ['a password without an app id', { MicrosoftAppPassword: 'secret' }, /^MicrosoftAppId: is required/],
    ['an app id that is not a GUID', { MicrosoftAppId: 'my-bot', MicrosoftAppPassword: 'secret' }, /^MicrosoftAppId: must be a GUID/],
    ['a single-tenant app without a tenant', { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 's', MicrosoftAppType: 'SingleTenant' }, /^MicrosoftAppTenantId: is required for a SingleTenant app$/],
    ['a managed identity without a tenant', { MicrosoftAppId: APP_ID, MicrosoftAppType: 'UserAssignedMSI' }, /^MicrosoftAppTenantId: is required for a UserAssignedMSI app$/],
    ['an unknown app type', { MicrosoftAppType: 'Personal' }, /^MicrosoftAppType: /],
    ['a public interface without credentials', { HOST: '0.0.0.0' }, /^HOST: .*ALLOW_ANONYMOUS_PUBLIC/],
    ['a port out of range', { PORT: '70000' }, /^PORT: /],
    ['a tiny body limit', { MAX_BODY_BYTES: '10' }, /^MAX_BODY_BYTES: /],
    ['a zero rate', { RATE_LIMIT_CONVERSATION_RPS: '0' }, /^RATE_LIMIT_CONVERSATION_RPS: /],
    ['a fractional burst', { RATE_LIMIT_CLIENT_BURST: '2.5' }, /^RATE_LIMIT_CLIENT_BURST: /],
    ['a yes/no that is neither', { RATE_LIMIT: 'maybe' }, /^RATE_LIMIT: /],
    ['a short metrics token', { METRICS_TOKEN: 'short' }, /^METRICS_TOKEN: must be at least 16 characters$/],
    ['a metrics token no Bearer header can carry', { METRICS_TOKEN: 'correct horse battery staple' }, /^METRICS_TOKEN: may hold only letters, digits/],
    ['an agent token no Bearer header can carry', { AGENT_TOKEN: 'p@ss#word!' }, /^AGENT_TOKEN: may hold only letters, digits/],
    ['a Redis URL that is not one', { REDIS_URL: 'http://localhost:6379' }, /^REDIS_URL: must start with redis:\/\//],
    ['a log level that does not exist', { LOG_LEVEL: 'verbose' }, /^LOG_LEVEL: /],
    ['a negative state TTL', { STATE_TTL_DAYS: '-1' }, /^STATE_TTL_DAYS: /],
    ['a state TTL that is not a number', { STATE_TTL_DAYS: 'month' }, /^STATE_TTL_DAYS: /],
    ['a heap too small to run in', { NODE_HEAP_MB: '64' }, /^NODE_HEAP_MB: /],
    ['a heap size that is not a whole number', { NODE_HEAP_MB: '512MB' }, /^NODE_HEAP_MB: /],
    ['a semi-space of zero', { NODE_SEMI_SPACE_MB: '0' }, /^NODE_SEMI_SPACE_MB: /],
    ['a cloud botbuilder does not know', { ChannelService: 'https://botframework.example.invalid' }, /^ChannelService: must be empty \(public Azure\) or https:\/\/botframework\.azure\.us/],
    ['signing keys over plain http to another host', { ToBotFromChannelOpenIdMetadataUrl: 'http://login.example.invalid/keys' }, /^ToBotFromChannelOpenIdMetadataUrl: must be an https:\/\/ URL/],
    ['a login URL that is not a URL', { ToChannelFromBotLoginUrl: 'login.example.invalid' }, /^ToChannelFromBotLoginUrl: /],
    ['two different channel metadata URLs', { ToBotFromChannelOpenIdMetadataUrl: 'https://a.example.invalid/m', BotOpenIdMetadata: 'https://b.example.invalid/m' }, /^BotOpenIdMetadata: is the older name/],
    ['ValidateAuthority=false for Microsoft’s own login', { ValidateAuthority: 'false' }, /^ValidateAuthority: is false, which only applies to a login URL of your own/],
    ['a Direct Line token key too short to sign with', { DIRECTLINE_TOKEN_KEY: 'short-key' }, /^DIRECTLINE_TOKEN_KEY: must be at least 32 characters/],
    ['no room for a single web chat', { DIRECTLINE_MAX_CONVERSATIONS: '0' }, /^DIRECTLINE_MAX_CONVERSATIONS: /],
  ])('refuses %s, naming the setting', (_name, env, message) => {
    expect(problems(env)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  test('accepts the credential combinations botbuilder supports', () => {
    expect(loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 's' }).auth).toEqual({
      appId: APP_ID,
      appPassword: 's',
      appType: 'MultiTenant',
      tenantId: undefined,
      cloud: { validateAuthority: true },
    });
    expect(loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: 't' }).auth?.appType).toBe('UserAssignedMSI');
    const withCredentials = loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 's' });
    expect(withCredentials.host).toBe('0.0.0.0');
    expect(withCredentials.localDirectLine).toBe(false);
    // Its turns run in process, so credentials do not stand in its way when it is asked for.
    expect(loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 's', LOCAL_DIRECTLINE: 'true' }).localDirectLine).toBe(true);
  });

  test('the cloud settings: each one set replaces only itself; the rest are the cloud ChannelService names', () => {
    const gov = loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 's', ChannelService: 'https://botframework.azure.us', ToChannelFromBotOAuthScope: 'api://mine' });
    expect(botCloud(gov.auth?.cloud)).toMatchObject({
      ToChannelFromBotOAuthScope: 'api://mine',
      ToChannelFromBotLoginUrl: 'https://login.microsoftonline.us/MicrosoftServices.onmicrosoft.us',
      ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.azure.us/v1/.well-known/openidconfiguration',
      ToBotFromChannelTokenIssuer: 'https://api.botframework.us',
      CallerId: 'urn:botframework:azureusgov',
    });
    const older = loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 's', BotOpenIdMetadata: 'http://127.0.0.1:9/keys' });
    expect(botCloud(older.auth?.cloud)).toMatchObject({
      ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:9/keys',
      ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
      ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
      ValidateAuthority: true,
    });
  });

  test('rate limits and operations settings have safe defaults', () => {
    expect(loadConfig({})).toMatchObject({
      rateLimit: { enabled: true, client: { perSecond: 50, burst: 200 }, conversation: { perSecond: 5, burst: 30 } },
      trustProxy: false,
      metricsToken: undefined,
      maxBodyBytes: 262144,
      stateTtlSeconds: 30 * 86_400,
    });
    expect(loadConfig({ STATE_TTL_DAYS: '0' }).stateTtlSeconds).toBe(0);
    expect(loadConfig({ STATE_TTL_DAYS: '0.5' }).stateTtlSeconds).toBe(43_200);
  });
});

test('the server refuses to start on a bad configuration: exit 78 and a message naming the setting', async () => {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/server.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', MicrosoftAppId: APP_ID },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(78);
  expect(stderr).toContain('activation-guide: Invalid configuration:\n  - MicrosoftAppPassword: is required when MicrosoftAppId is set');
  expect(stdout).not.toContain('listening');
});
