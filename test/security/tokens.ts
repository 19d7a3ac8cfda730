import { createSign, type KeyObject } from 'node:crypto';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function jwt(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', kid: 'test-kid', typ: 'JWT' }, key?: KeyObject): string {
  const unsigned = `${b64(header)}.${b64(claims)}`;
  if (!key) return `${unsigned}.${Buffer.from('not-a-signature').toString('base64url')}`;
  const signer = createSign('RSA-SHA256');
  signer.update(unsigned);
  return `${unsigned}.${signer.sign(key).toString('base64url')}`;
}
