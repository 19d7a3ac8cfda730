/**
 * RFC 6750 §2.1: `Bearer` (any case, RFC 7235) then spaces or tabs then one token68. Anything else
 * (another scheme, no token, a second word, characters outside token68) has no bearer token.
 */
const BEARER = /^[ \t]*bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

/** The characters a bearer token may have: configured tokens are checked against it at boot. */
export const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
export const TOKEN68_RULE = 'may hold only letters, digits and - . _ ~ + / (then = padding), the characters of an "Authorization: Bearer" token';

/** The token of an `Authorization: Bearer <token>` header value, or undefined if it carries none. */
export function bearerToken(header: unknown): string | undefined {
  return typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
}
