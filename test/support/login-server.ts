import { execFileSync } from 'node:child_process';
import { createSign, createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Stands in, on https://127.0.0.1, for everything a bot with credentials talks to besides the
 * channel: the OpenID metadata and signing keys of the channel (login.botframework.com), of the
 * Emulator (login.microsoftonline.com), and the Entra token endpoint that gives the bot its own
 * token. Its certificate is signed by a test CA made here with openssl; a server process trusts it
 * through NODE_EXTRA_CA_CERTS=`caFile`. With `https: false` it serves plain http on loopback, for an
 * app in the test's own process (which cannot be told to trust a CA after it started); MSAL will
 * not talk to that, so only tokens coming in can be checked then.
 */
export interface LoginServer {
  url: string;
  /** PEM of the test CA, for NODE_EXTRA_CA_CERTS (https only). */
  caFile?: string;
  channelMetadataUrl: string;
  emulatorMetadataUrl: string;
  /** The login URL (MSAL authority) for a tenant: ToChannelFromBotLoginUrl. */
  loginUrl(tenant: string): string;
  /** A channel token signed with the key the channel metadata publishes (or with `key`). */
  channelToken(claims: Record<string, unknown>, key?: KeyObject): string;
  /** Token requests the bot made, in order. */
  tokenRequests: { tenant: string; clientId: string; scope: string }[];
  /** Checks an `Authorization` header the bot sent to the connector: a token this server issued, for `audience` and `appId`, unexpired. */
  issuedBearer(header: string | undefined, audience: string, appId: string): boolean;
  close(): Promise<void>;
}

const CHANNEL_KID = 'channel-key-1';
const LOGIN_KID = 'login-key-1';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const unsigned = `${b64({ alg: 'RS256', typ: 'JWT', kid })}.${b64(claims)}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url')}`;
}

function rsaKey(): { privateKey: KeyObject; jwk: { n: string; e: string } } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  return { privateKey, jwk };
}

/** A CA and a certificate for 127.0.0.1 signed by it, made by the openssl command (a missing openssl fails the test). */
function testCertificates(dir: string): { ca: string; cert: string; key: string } {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '1', '-subj', '/CN=activation-guide test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.pem'), '-days', '1', '-extfile', file('san.ext'));
  return { ca: file('ca.pem'), cert: readFileSync(file('server.pem'), 'utf8'), key: readFileSync(file('server.key'), 'utf8') };
}

export async function startLoginServer(clientSecret: string, options: { https: boolean } = { https: true }): Promise<LoginServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ag-login-'));
  const tls = options.https ? testCertificates(dir) : undefined;
  const channel = rsaKey();
  const login = rsaKey();
  const tokenRequests: LoginServer['tokenRequests'] = [];
  let url = '';

  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  };
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', url).pathname;
      if (path === '/channel/openidconfiguration') return json(res, 200, { issuer: 'https://api.botframework.com', jwks_uri: `${url}/channel/keys` });
      // Teams signs with keys endorsed for its channel id; botbuilder checks the endorsement.
      if (path === '/channel/keys') return json(res, 200, { keys: [{ kty: 'RSA', use: 'sig', kid: CHANNEL_KID, ...channel.jwk, endorsements: ['msteams'] }] });
      if (path === '/emulator/openid-configuration') return json(res, 200, { issuer: `${url}/emulator`, jwks_uri: `${url}/emulator/keys` });
      if (path === '/emulator/keys') return json(res, 200, { keys: [] });
      const tenantPath = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/token)$/.exec(path);
      if (!tenantPath) return json(res, 404, { error: 'not_found' });
      const [, tenant, what] = tenantPath as unknown as [string, string, string];
      const base = `${url}/${tenant}`;
      if (what.startsWith('v2.0')) {
        return json(res, 200, {
          issuer: `${base}/v2.0`,
          token_endpoint: `${base}/oauth2/v2.0/token`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          jwks_uri: `${url}/login/keys`,
        });
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const clientId = form.get('client_id') ?? '';
      const scope = form.get('scope') ?? '';
      if (req.method !== 'POST' || form.get('grant_type') !== 'client_credentials' || form.get('client_secret') !== clientSecret) {
        return json(res, 401, { error: 'invalid_client', error_description: 'the client secret is wrong' });
      }
      tokenRequests.push({ tenant, clientId, scope });
      const now = Math.floor(Date.now() / 1000);
      const audience = scope.split(' ').find((s) => s.endsWith('/.default'))?.slice(0, -'/.default'.length) ?? '';
      const accessToken = signJwt({ iss: `${base}/v2.0`, aud: audience, appid: clientId, tid: tenant, iat: now, nbf: now, exp: now + 3600 }, login.privateKey, LOGIN_KID);
      return json(res, 200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: accessToken });
    });
  };
  const server: HttpServer = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    caFile: tls?.ca,
    channelMetadataUrl: `${url}/channel/openidconfiguration`,
    emulatorMetadataUrl: `${url}/emulator/openid-configuration`,
    loginUrl: (tenant) => `${url}/${tenant}`,
    channelToken: (claims, key = channel.privateKey) => signJwt(claims, key, CHANNEL_KID),
    tokenRequests,
    issuedBearer(header, audience, appId) {
      const match = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(header ?? '');
      if (!match) return false;
      const [, head, body, signature] = match as unknown as [string, string, string, string];
      const publicKey = { key: { kty: 'RSA', ...login.jwk }, format: 'jwk' } as const;
      if (!createVerify('RSA-SHA256').update(`${head}.${body}`).verify(publicKey, Buffer.from(signature, 'base64url'))) return false;
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { aud?: string; appid?: string; exp?: number };
      return claims.aud === audience && claims.appid === appId && (claims.exp ?? 0) > Date.now() / 1000;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        rmSync(dir, { recursive: true, force: true });
      }),
  };
}
