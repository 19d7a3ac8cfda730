import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT, errors, jwtVerify } from 'jose';
import { TOKEN_KEY_MIN_LENGTH } from '../config';

/**
 * Direct Line tokens as signed JWTs (HS256, jose): any instance that has the key can check one
 * without asking another, and one survives a restart. A signature alone cannot be taken back, so
 * a token also names its id (`jti`), and the conversation's record lists the ids still live: a
 * refresh retires the oldest, and a conversation that ended answers 404 to all of them.
 */
export interface TokenClaims {
  conversationId: string;
  tokenId: string;
  /** The conversation's default user id, so a conversation revived from its token keeps it. */
  userId: string;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'invalid' | 'expired' };

export interface TokenSigner {
  sign(claims: TokenClaims, ttlMs: number): Promise<string>;
  verify(token: string): Promise<TokenCheck>;
}

const ISSUER = 'activation-guide';
const AUDIENCE = 'directline';

/** `key` is read once, on first use: with Redis it may come from there (RedisDirectLineState.tokenKey). */
export function createTokenSigner(keySource: Uint8Array | (() => Promise<Uint8Array>), now: () => number = Date.now): TokenSigner {
  let pending: Promise<Uint8Array> | undefined;
  const key = (): Promise<Uint8Array> => (pending ??= keySource instanceof Uint8Array ? Promise.resolve(keySource) : keySource().catch((err: unknown) => {
    pending = undefined;
    throw err;
  }));
  return {
    async sign(claims, ttlMs) {
      const issuedAt = Math.floor(now() / 1000);
      return new SignJWT({ uid: claims.userId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(claims.conversationId)
        .setJti(claims.tokenId)
        .setIssuedAt(issuedAt)
        .setExpirationTime(Math.floor((now() + ttlMs) / 1000))
        .sign(await key());
    },
    async verify(token) {
      // Outside the try: a key that cannot be read (Redis away) is an outage, not a bad token.
      const secret = await key();
      try {
        const { payload } = await jwtVerify(token, secret, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          currentDate: new Date(now()),
          requiredClaims: ['sub', 'jti', 'exp', 'uid'],
        });
        if (typeof payload.uid !== 'string' || !payload.sub || !payload.jti) return { ok: false, reason: 'invalid' };
        return { ok: true, claims: { conversationId: payload.sub, tokenId: payload.jti, userId: payload.uid } };
      } catch (err) {
        if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
        return { ok: false, reason: 'invalid' };
      }
    },
  };
}

/**
 * The signing key: DIRECTLINE_TOKEN_KEY when set (several instances must share it), otherwise one
 * generated on first start and kept in `<dataDir>/directline/token-key` (mode 0600), so that the
 * embedded default's tokens outlive a restart without any configuration.
 */
export function loadTokenKey(configured: string | undefined, dataDir: string): Uint8Array {
  if (configured) return new TextEncoder().encode(configured);
  const dir = path.join(dataDir, 'directline');
  const file = path.join(dir, 'token-key');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    // 'wx': two processes starting at once on one DATA_DIR keep the first one's key.
    writeFileSync(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < TOKEN_KEY_MIN_LENGTH) throw new Error(`${file} holds a key shorter than ${TOKEN_KEY_MIN_LENGTH} characters; remove it to have a new one made`);
  return new TextEncoder().encode(key);
}

export function randomTokenId(): string {
  return randomBytes(12).toString('base64url');
}
