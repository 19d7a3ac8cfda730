import { generateKeyPairSync, createSign, type KeyObject } from 'node:crypto';
// Not part of botframework-connector's public API: the cache of OpenID metadata per URL. Filling it
// lets a test exercise the full JWT check without fetching keys from login.botframework.com.
import { JwtTokenExtractor } from 'botframework-connector/lib/auth/jwtTokenExtractor';

export const CHANNEL_METADATA_URL = 'https://login.botframework.com/v1/.well-known/openidconfiguration';
export const EMULATOR_METADATA_URL = 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function jwt(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', kid: 'test-kid', typ: 'JWT' }, key?: KeyObject): string {
  const unsigned = `${b64(header)}.${b64(claims)}`;
  if (!key) return `${unsigned}.${Buffer.from('not-a-signature').toString('base64url')}`;
  const signer = createSign('RSA-SHA256');
  signer.update(unsigned);
  return `${unsigned}.${signer.sign(key).toString('base64url')}`;
}

export function keyPair(): { privateKey: KeyObject; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** Makes botbuilder find `publicPem` for every key id, for both metadata URLs, without any network. Returns the undo. */
export function trustKey(publicPem: string): () => void {
  const cache = (JwtTokenExtractor as unknown as { openIdMetadataCache: Map<string, unknown> }).openIdMetadataCache;
  const fake = { getKey: async () => ({ key: publicPem, endorsements: [] }) };
  const before = new Map(cache);
  for (const url of [CHANNEL_METADATA_URL, EMULATOR_METADATA_URL]) cache.set(url, fake);
  return () => {
    cache.clear();
    for (const [k, v] of before) cache.set(k, v);
  };
}
