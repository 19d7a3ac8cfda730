import { AuthenticationError } from 'botframework-connector';
import { checkBearer, guardAuthentication } from '../../src/http/auth';
import { startHarness, type Harness } from '../support/bot-harness';
import { storedKeys } from '../support/stored-state';
import { jwt } from './tokens';

/**
 * With MicrosoftAppId/MicrosoftAppPassword set, /api/messages needs a valid Bot Framework token.
 * Nothing here may reach a real host: every refusal below happens before botbuilder would fetch
 * Microsoft's signing keys. Tokens checked against real signing keys, and a turn that gets through,
 * are in authenticated-turn.test.ts.
 */
const APP_ID = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const now = () => Math.floor(Date.now() / 1000);
const channelClaims = (serviceUrl: string, extra: Record<string, unknown> = {}) => ({
  iss: 'https://api.botframework.com',
  aud: APP_ID,
  exp: now() + 600,
  nbf: now() - 10,
  serviceurl: serviceUrl,
  ...extra,
});

let h: Harness;
let consoleError: jest.SpyInstance;
beforeAll(async () => {
  h = await startHarness({ env: { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret-just-for-tests' } });
});
afterAll(() => h.close());
// botbuilder prints every rejected token to stderr with console.error; keep the test output readable.
beforeEach(() => (consoleError = jest.spyOn(console, 'error').mockImplementation(() => {})));
afterEach(() => consoleError.mockRestore());

/** Every stored key: a refused request stores nothing. */
const storedKeysNow = () => storedKeys(h.app.store);

async function postWith(authorization: string | undefined): Promise<{ status: number; body: string; ms: number }> {
  const chat = h.conversation();
  const started = Date.now();
  const res = await h.post(chat.activity({ text: 'hello' }), authorization === undefined ? {} : { authorization });
  return { ...res, ms: Date.now() - started };
}

describe('with credentials, /api/messages', () => {
  test('refuses a request without a token with 401, before any turn runs', async () => {
    const res = await postWith(undefined);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'Unauthorized', message: expect.stringContaining('Authorization') } });
    expect(h.connector.requests).toBe(0);
    expect(storedKeysNow()).toEqual([]);
  });

  const garbage: [string, () => string][] = [
    ['an empty header', () => ''],
    ['a word', () => 'garbage'],
    ['Basic credentials', () => 'Basic dXNlcjpwYXNz'],
    ['Bearer and nothing', () => 'Bearer '],
    ['Bearer garbage', () => 'Bearer garbage'],
    ['lowercase bearer', () => `bearer ${jwt(channelClaims(h.connector.url))}`],
    ['a three-part non-JWT', () => 'Bearer a.b.c'],
    ['a JWT with alg none', () => `Bearer ${jwt(channelClaims(h.connector.url), { alg: 'none', kid: 'x' })}`],
    ['a JWT signed with HS256', () => `Bearer ${jwt(channelClaims(h.connector.url), { alg: 'HS256', kid: 'x' })}`],
    ['a JWT without a key id', () => `Bearer ${jwt(channelClaims(h.connector.url), { alg: 'RS256' })}`],
    ['an expired JWT', () => `Bearer ${jwt(channelClaims(h.connector.url, { exp: now() - 3600 }))}`],
    ['a JWT not valid yet', () => `Bearer ${jwt(channelClaims(h.connector.url, { nbf: now() + 3600 }))}`],
    ['a channel JWT for another bot', () => `Bearer ${jwt(channelClaims(h.connector.url, { aud: '00000000-0000-0000-0000-000000000000' }))}`],
    ['a JWT from an unknown issuer', () => `Bearer ${jwt(channelClaims(h.connector.url, { iss: 'https://evil.example.invalid' }))}`],
    ['a header of 100 kB', () => `Bearer ${'a'.repeat(100_000)}`],
  ];
  test.each(garbage)('refuses %s with 401, quickly and without a turn', async (_name, header) => {
    const value = header();
    const res = await postWith(value);
    expect(res.status).toBe(value.length > 16_000 ? 431 : 401);
    expect(res.ms).toBeLessThan(2000);
    expect(h.connector.requests).toBe(0);
    expect(storedKeysNow()).toEqual([]);
  });

  test('the health probes need no token', async () => {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
  });

  test('the local Direct Line is off with credentials', async () => {
    const res = await fetch(`${h.url}/v3/directline/tokens/generate`, { method: 'POST' });
    expect(res.status).toBe(404);
  });
});

describe('checkBearer', () => {
  const serviceUrl = 'https://smba.trafficmanager.net/emea/';
  test('lets a plausible channel token through to the real check', () => {
    expect(checkBearer(`Bearer ${jwt(channelClaims(serviceUrl))}`, APP_ID)).toEqual({ ok: true });
  });
  test('lets an Emulator (Entra) token through whatever its audience', () => {
    const claims = { iss: 'https://login.microsoftonline.com/d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0', aud: 'api://something', exp: now() + 600 };
    expect(checkBearer(`Bearer ${jwt(claims)}`, APP_ID)).toEqual({ ok: true });
  });
  test('tolerates five minutes of clock skew, like botbuilder', () => {
    expect(checkBearer(`Bearer ${jwt(channelClaims(serviceUrl, { exp: now() - 200 }))}`, APP_ID).ok).toBe(true);
    expect(checkBearer(`Bearer ${jwt(channelClaims(serviceUrl, { exp: now() - 400 }))}`, APP_ID).ok).toBe(false);
  });
  test.each([undefined, null, 42, {}, ['Bearer x.y.z']])('refuses a header of type %p', (value) => {
    expect(checkBearer(value, APP_ID).ok).toBe(false);
  });
});

describe('guardAuthentication', () => {
  const activity = { type: 'message' } as never;
  const token = `Bearer ${jwt(channelClaims('https://smba.trafficmanager.net/emea/'))}`;
  const failingWith = (err: Error) =>
    ({
      authenticateRequest: async () => {
        throw err;
      },
      getOriginatingAudience: () => 'aud',
    }) as never;

  test('turns jsonwebtoken’s errors into AuthenticationError (401)', async () => {
    for (const name of ['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']) {
      const err = Object.assign(new Error('invalid signature'), { name });
      const guarded = guardAuthentication(failingWith(err), APP_ID) as { authenticateRequest(a: unknown, h: string): Promise<unknown> };
      await expect(guarded.authenticateRequest(activity, token)).rejects.toBeInstanceOf(AuthenticationError);
    }
  });

  test('leaves other failures (key download) as they are; a malformed header never gets here (requireChannelToken refuses it first)', async () => {
    const fetchFailed = new Error('request to https://login.botframework.com failed');
    const guarded = guardAuthentication(failingWith(fetchFailed), APP_ID) as {
      authenticateRequest(a: unknown, h: string): Promise<unknown>;
      getOriginatingAudience(): string;
    };
    await expect(guarded.authenticateRequest(activity, token)).rejects.toBe(fetchFailed);
    expect(guarded.getOriginatingAudience()).toBe('aud');
  });

  test('is a no-op without an app id (anonymous mode)', () => {
    const auth = failingWith(new Error('x'));
    expect(guardAuthentication(auth, undefined)).toBe(auth);
  });
});
