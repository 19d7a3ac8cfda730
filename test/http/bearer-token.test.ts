/**
 * The one parser of `Authorization: Bearer <token>` (agent console, /metrics, local Direct Line):
 * RFC 6750 — scheme in any case, spaces or tabs, one token68, nothing else.
 */
import { bearerToken } from '../../src/web/bearer-token';

describe('bearerToken', () => {
  test.each([
    ['the usual form', 'Bearer abc123', 'abc123'],
    ['a lowercase scheme', 'bearer abc123', 'abc123'],
    ['an uppercase scheme', 'BEARER abc123', 'abc123'],
    ['a tab after the scheme', 'Bearer\tabc123', 'abc123'],
    ['several spaces and tabs', 'Bearer \t  abc123', 'abc123'],
    ['surrounding whitespace', ' Bearer abc123\t', 'abc123'],
    ['every token68 character and padding', 'Bearer aZ09-._~+/x==', 'aZ09-._~+/x=='],
    ['a JWT', 'Bearer eyJh.eyJz.c2ln', 'eyJh.eyJz.c2ln'],
    // Not special here: the local Direct Line decides that this means "no token" (an anonymous start).
    ['"Bearer undefined"', 'Bearer undefined', 'undefined'],
  ])('reads the token from %s', (_name, header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  test.each([
    ['an empty header', ''],
    ['the scheme without a token', 'Bearer'],
    ['the scheme and a space', 'Bearer '],
    ['no space after the scheme', 'Bearerabc123'],
    ['extra parts', 'Bearer abc 123'],
    ['a token then a comma', 'Bearer abc123, other'],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['only a token', 'abc123'],
    ['characters outside token68', 'Bearer abc!123'],
    ['padding in the middle', 'Bearer ab=c'],
    ['a line break', 'Bearer abc\n123'],
  ])('finds no token in %s', (_name, header) => {
    expect(bearerToken(header)).toBeUndefined();
  });

  test.each([undefined, null, 42, {}, ['Bearer abc123']])('finds no token in a header of type %p', (header) => {
    expect(bearerToken(header)).toBeUndefined();
  });
});
