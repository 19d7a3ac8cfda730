import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector';
import { startLoginServer, type LoginServer } from '../support/login-server';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';

/**
 * The path Teams and Azure Bot Service take in production, end to end and on loopback only: the
 * channel's token is checked against signing keys from OpenID metadata, the turn runs, and the
 * reply is posted to the channel with the bot's own token, which the bot got from the token
 * endpoint with its client secret (MSAL's client-credentials flow). The identity endpoints are
 * https://127.0.0.1 servers (support/login-server.ts) with a test CA, and the server process finds
 * them only through its settings: ToBotFromChannelOpenIdMetadataUrl,
 * ToBotFromEmulatorOpenIdMetadataUrl, ToChannelFromBotLoginUrl, ToChannelFromBotOAuthScope and
 * ValidateAuthority=false (MSAL then trusts the login host instead of asking
 * login.microsoftonline.com about it), plus NODE_EXTRA_CA_CERTS.
 */
const APP_ID = '6f1c2a9e-4b7d-4e52-9c3a-2d8b5e7f1a04';
const SECRET = 'a-client-secret-for-this-test-only';
const TENANT = '3b9e8f2c-1d4a-4f6b-8e7c-5a2d9c0b1e63';
const SCOPE = 'https://api.botframework.com';
const teamsMessage = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'teams', 'personal-message.json'), 'utf8')) as { conversation: object; recipient: { id: string } };
const now = () => Math.floor(Date.now() / 1000);

let login: LoginServer;
let connector: FakeConnector;
beforeAll(async () => {
  login = await startLoginServer(SECRET);
  connector = await startFakeConnector({ acceptsAuthorization: (header) => login.issuedBearer(header, SCOPE, APP_ID) });
});
afterAll(async () => {
  await connector?.close();
  await login?.close();
});

describe.each([
  ['MultiTenant', 'botframework.com', {}],
  ['SingleTenant', TENANT, { MicrosoftAppTenantId: TENANT }],
] as const)('a %s bot with credentials', (appType, tenant, tenantEnv) => {
  let server: ServerProcess;
  let dataDir: string;
  let turn = 0;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ag-auth-'));
    server = await startServerProcess({
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: SECRET,
      MicrosoftAppType: appType,
      ...tenantEnv,
      ToBotFromChannelOpenIdMetadataUrl: login.channelMetadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: login.emulatorMetadataUrl,
      ToChannelFromBotLoginUrl: login.loginUrl(tenant),
      ToChannelFromBotOAuthScope: SCOPE,
      ValidateAuthority: 'false',
      NODE_EXTRA_CA_CERTS: login.caFile ?? '',
      RATE_LIMIT: 'false',
    });
  }, 60_000);
  afterAll(async () => {
    await server?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A Teams personal-chat message in a conversation of its own, from the fixture. */
  function teamsActivity() {
    turn++;
    const conversation = { ...(teamsMessage.conversation as object), id: `a:${appType}-${turn}` };
    return { ...teamsMessage, id: `${appType}-${turn}`, serviceUrl: connector.url, conversation, timestamp: new Date().toISOString() };
  }
  const channelClaims = (extra: Record<string, unknown> = {}) => ({
    iss: 'https://api.botframework.com',
    aud: APP_ID,
    serviceurl: connector.url,
    nbf: now() - 10,
    exp: now() + 600,
    ...extra,
  });
  const post = (activity: object, token: string) =>
    fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(activity),
    });

  test('a Teams message with a valid channel token gets 200, and the reply reaches the channel with a token the channel accepts', async () => {
    const activity = teamsActivity();
    const res = await post(activity, login.channelToken(channelClaims()));
    expect({ status: res.status, output: res.status === 200 ? '' : server.output() }).toEqual({ status: 200, output: '' });
    const replies = connector.repliesTo(activity.conversation.id);
    expect(replies.length).toBeGreaterThan(0);
    expect(replies[0]).toMatchObject({ type: 'message', replyToId: activity.id, from: { id: teamsMessage.recipient.id } });
    expect(connector.unauthorized).toBe(0);
    // The bot asked the token endpoint of its own tenant, as itself, for the channel's scope.
    expect(login.tokenRequests).toContainEqual({ tenant, clientId: APP_ID, scope: expect.stringContaining(`${SCOPE}/.default`) });
  });

  const refused: [string, () => string][] = [
    ['for another bot (wrong audience)', () => login.channelToken(channelClaims({ aud: '00000000-0000-4000-8000-000000000000' }))],
    ['from another issuer', () => login.channelToken(channelClaims({ iss: 'https://issuer.example.invalid' }))],
    ['that has expired', () => login.channelToken(channelClaims({ nbf: now() - 7200, exp: now() - 3600 }))],
    ['signed with a key the metadata does not publish (forged)', () => login.channelToken(channelClaims(), generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)],
    ['for another serviceUrl', () => login.channelToken(channelClaims({ serviceurl: 'https://smba.example.invalid/' }))],
    [
      'whose payload was changed after signing',
      () => {
        const [head, , signature] = login.channelToken(channelClaims()).split('.');
        return `${head}.${Buffer.from(JSON.stringify(channelClaims({ appid: 'me' }))).toString('base64url')}.${signature}`;
      },
    ],
  ];
  test.each(refused)('a token %s gets 401 and no turn runs', async (_name, token) => {
    const activity = teamsActivity();
    const before = connector.requests;
    const res = await post(activity, token());
    expect(res.status).toBe(401);
    expect(connector.requests).toBe(before);
    expect(connector.repliesTo(activity.conversation.id)).toEqual([]);
  });
});
