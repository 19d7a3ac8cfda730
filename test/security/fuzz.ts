/**
 * Deterministic generators of malformed and hostile HTTP requests for the robustness test.
 * Everything is derived from one seeded PRNG, so a failing run can be replayed exactly.
 */
import { Agent, request } from 'node:http';
import { jwt } from './tokens';

export type Rng = () => number;

/** mulberry32: small, fast, good enough for test data. */
export function seeded(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
export const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));

export const HOSTILE_TEXT = [
  '<script>alert(1)</script> **bold** [x](javascript:alert(1))',
  '<img src=x onerror=alert(document.cookie)>',
  '<iframe src="javascript:alert(1)"></iframe>',
  "'; DROP TABLE conversations; --",
  '" OR 1=1 --',
  '{{7*7}} ${7*7} #{7*7} <%= 7*7 %> {{constructor.constructor("return process")()}}',
  '$(rm -rf /) `reboot` && shutdown -h now',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '%00%0d%0aSet-Cookie: pwned=1',
  'line1\r\nX-Injected: 1\r\n\r\n<html>',
  '\u202Egnp.exe\u202C',
  '\u200B\u200C\u200D\uFEFF\u2060',
  '\uD800 lone high surrogate',
  'lone low surrogate \uDFFF',
  '𝕳𝖊𝖑𝖑𝖔 👩‍👩‍👧‍👦 🇳🇱 Z̷̢̛͔a̸͓̓l̵̙̓g̶̣̈o̵͚͐',
  'Ω≈ç√∫˜µ≤≥÷ ÅÍÎÏ˝ÓÔ ﷺ ᚠᛇᚻ',
  'null',
  'undefined',
  'NaN',
  '[object Object]',
  '__proto__',
  'constructor.prototype.polluted',
  '\u0000\u0001\u0002\u001f\u007f',
  '0x80072efd',
  'VK7JG-NPHTM-C97JM-9MPGT-3V66T',
  'vk7jg nphtm c97jm 9mpgt 3v66t',
  'start over',
  'talk to a person',
  'Nederlands',
  'back',
  'ja',
  'It expired',
  '![img](http://169.254.169.254/latest/meta-data/)',
  '<at>bot</at> <b>hi</b>',
  '\\u0000 \\x00 %s %n %x',
  'A'.repeat(4097),
  'Ä'.repeat(3000),
];

export function randomUnicode(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const r = rng();
    if (r < 0.5) out += String.fromCharCode(int(rng, 0x20, 0x7e));
    else if (r < 0.7) out += String.fromCharCode(int(rng, 0, 0x1f));
    else if (r < 0.85) out += String.fromCharCode(int(rng, 0xd800, 0xdfff)); // lone surrogates
    else out += String.fromCodePoint(int(rng, 0x80, 0x10ffff));
  }
  return out;
}

export function randomString(rng: Rng): string {
  const r = rng();
  if (r < 0.45) return pick(rng, HOSTILE_TEXT);
  if (r < 0.8) return randomUnicode(rng, int(rng, 0, 64));
  if (r < 0.95) return randomUnicode(rng, int(rng, 100, 5000));
  return pick(rng, ['x', 'é', '🙂', '<']).repeat(int(rng, 10_000, 60_000));
}

const KEYS = ['__proto__', 'constructor', 'prototype', 'type', 'text', 'value', 'conversation', 'id', 'ag', 'choice', 'step', 'command', 'toString', 'valueOf', 'hasOwnProperty', ''];

/** Any JSON value; objects are prototype-less so that a `__proto__` key is an own key on the wire. */
export function randomJson(rng: Rng, depth = 0): unknown {
  const r = rng();
  if (depth > 4 || r < 0.15) return pick(rng, [null, true, false, 0, -0, 1e308, -1e308, 2 ** 53 + 1, 0.1, -1, 42]);
  if (r < 0.45) return randomString(rng);
  if (r < 0.65) return Array.from({ length: int(rng, 0, 5) }, () => randomJson(rng, depth + 1));
  const obj = Object.create(null) as Record<string, unknown>;
  for (let i = int(rng, 0, 6); i > 0; i--) obj[rng() < 0.5 ? pick(rng, KEYS) : randomUnicode(rng, int(rng, 1, 12))] = randomJson(rng, depth + 1);
  return obj;
}

/** Percent-encodes every UTF-8 byte (lone surrogates become U+FFFD), unlike encodeURIComponent, which throws on them. */
export const percent = (text: string) => [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

export function deepNesting(kind: 'array' | 'object', depth: number): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** An activity body whose `value`, `channelData`, `entities` or `attachments` nests `depth` levels (past the server's bound: 400 before any copy). */
export function deepActivity(ctx: FuzzContext, conversationId?: string, depth = int(ctx.rng, 65, ctx.rng() < 0.8 ? 5000 : 40_000)): string {
  const { rng } = ctx;
  const field = pick(rng, ['value', 'channelData', 'entities', 'attachments'] as const);
  const nested = deepNesting(rng() < 0.5 ? 'array' : 'object', depth);
  const base: Record<string, unknown> = { ...activity(ctx, conversationId), type: 'message' };
  if (conversationId) delete base.serviceUrl;
  delete base[field];
  const valid = JSON.stringify(base);
  return `${valid.slice(0, -1)},"${field}":${field === 'entities' || field === 'attachments' ? `[${nested}]` : nested}}`;
}

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** What the generator meant to test, for the report. */
  kind: string;
}

export interface RawResponse {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Plain node:http, so that bodies and headers go out exactly as generated (fetch normalises them). */
export function send(origin: string, req: RawRequest, agent: Agent, timeoutMs = 15_000): Promise<RawResponse> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
      headers['content-length'] = Buffer.byteLength(req.body);
    }
    const r = request(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    r.on('error', reject);
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

export interface FuzzContext {
  rng: Rng;
  /** serviceUrl of the fake connector (loopback). */
  serviceUrl: string;
  /** Live local Direct Line conversations to aim at. */
  directLine: { conversationId: string; token: string }[];
  appId: string;
  /** A token signed with the key the bot's OpenID metadata publishes (support/login-server.ts), and one signed with another key under the same key id. */
  trustedToken: (claims: Record<string, unknown>) => string;
  forgedToken: (claims: Record<string, unknown>) => string;
}

const ACTIVITY_TYPES = ['message', 'conversationUpdate', 'event', 'typing', 'invoke', 'installationUpdate', 'messageReaction', 'endOfConversation', 'trace', 'handoff', 'delay', 'command', 'x-unknown', '', ' ', 'MESSAGE', 'message\u0000'];
const CHANNELS = ['emulator', 'msteams', 'directline', 'webchat', 'test', '../../etc', 'a'.repeat(128)];

function activity(ctx: FuzzContext, conversationId?: string): Record<string, unknown> {
  const { rng } = ctx;
  const a: Record<string, unknown> = {
    type: rng() < 0.7 ? 'message' : pick(rng, ACTIVITY_TYPES),
    id: `fuzz-${int(rng, 0, 1e9)}`,
    channelId: rng() < 0.8 ? 'emulator' : pick(rng, CHANNELS),
    serviceUrl: ctx.serviceUrl,
    conversation: { id: conversationId ?? `fuzz-conv-${int(rng, 0, 40)}` },
    from: { id: 'fuzz-user', name: randomString(rng).slice(0, 100) },
    recipient: { id: 'bot' },
    locale: rng() < 0.7 ? pick(rng, ['en-US', 'nl-NL', 'nl', 'xx', '']) : randomUnicode(rng, 10),
    text: randomString(rng),
  };
  if (rng() < 0.3) {
    a.value = rng() < 0.5 ? randomJson(rng) : pick(rng, [
      { ag: 'error', id: '<script>alert(1)</script>', step: 'knownError.paste' },
      { ag: 'choice', choice: '__proto__', step: 'start' },
      { ag: 'choice', choice: 'YES', step: randomString(rng) },
      { ag: 'command', command: 'toString' },
      { ag: 'command', command: 'START_OVER' },
      { ag: ['choice'], choice: { YES: 1 } },
    ]);
  }
  if (rng() < 0.2) a.entities = rng() < 0.5 ? [{ type: 'mention', text: randomString(rng), mentioned: { id: 'bot' } }] : randomJson(rng);
  if (rng() < 0.15) a.attachments = rng() < 0.5 ? [{ contentType: 'text/html', content: '<script>alert(1)</script>' }] : randomJson(rng);
  if (rng() < 0.15) a.channelData = randomJson(rng);
  if (rng() < 0.1) a.membersAdded = rng() < 0.5 ? [{ id: 'bot' }] : randomJson(rng);
  if (rng() < 0.1) a.deliveryMode = pick(rng, ['expectReplies', 'normal', 'notification', 42]);
  if (rng() < 0.05) a.replyToId = randomString(rng);
  return a;
}

/** One field of a valid activity replaced by a value of another type, or dropped. */
function mutate(ctx: FuzzContext, a: Record<string, unknown>): Record<string, unknown> {
  const { rng } = ctx;
  const fields = ['type', 'id', 'channelId', 'serviceUrl', 'conversation', 'from', 'recipient', 'text', 'locale', 'value', 'entities', 'attachments', 'timestamp'];
  for (let n = int(rng, 1, 3); n > 0; n--) {
    const field = pick(rng, fields);
    const r = rng();
    if (r < 0.25) delete a[field];
    else if (r < 0.4) a[field] = { id: randomJson(rng) };
    else if (r < 0.5) a[field] = pick(rng, ['http://169.254.169.254/', 'file:///etc/passwd', 'http://bots.example.invalid/', 'javascript:alert(1)', 'http://[::1]:1/']);
    else a[field] = randomJson(rng);
  }
  return a;
}

const json = (value: unknown) => ({ 'content-type': 'application/json' as const, body: JSON.stringify(value) });

function authHeader(ctx: FuzzContext): string | undefined {
  const { rng } = ctx;
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: 'https://api.botframework.com', aud: ctx.appId, exp: now + 600, nbf: now - 5, serviceurl: ctx.serviceUrl };
  switch (int(rng, 0, 11)) {
    case 0:
      return undefined;
    case 1:
      return '';
    case 2:
      return randomUnicode(rng, 40).replace(/[^\x20-\x7e]/g, 'x');
    case 3:
      return `Bearer ${randomUnicode(rng, 200).replace(/[^\x21-\x7e]/g, 'a')}`;
    case 4:
      return `Bearer ${jwt({ ...claims, exp: now - 3600 })}`;
    case 5:
      return `Bearer ${jwt(claims, { alg: 'none' })}`;
    case 6:
      return `Bearer ${jwt({ ...claims, aud: 'someone-else' })}`;
    case 7:
      return `Bearer ${ctx.forgedToken(claims)}`;
    case 8:
      return `Bearer ${ctx.trustedToken({ ...claims, serviceurl: 'https://evil.example.invalid/' })}`;
    case 9:
      return `Bearer ${ctx.trustedToken({ ...claims, iss: 'https://evil.example.invalid/' })}`;
    case 10:
      return `Bearer ${jwt(randomJson(rng) as Record<string, unknown>, { alg: 'RS256', kid: 'k' })}`;
    default:
      return 'Basic ' + Buffer.from('admin:admin').toString('base64');
  }
}

/** A request for the anonymous app (/api/messages, Direct Line, everything else). */
export function anonymousRequest(ctx: FuzzContext, maxBodyBytes: number): RawRequest {
  const { rng } = ctx;
  const r = rng();
  if (r < 0.16) return { kind: 'api: random JSON', method: 'POST', path: '/api/messages', headers: { 'content-type': 'application/json' }, body: JSON.stringify(randomJson(rng)) };
  if (r < 0.34) {
    const { body } = json(mutate(ctx, activity(ctx)));
    return { kind: 'api: wrong field types', method: 'POST', path: '/api/messages', headers: { 'content-type': 'application/json' }, body };
  }
  if (r < 0.5) return { kind: 'api: hostile activity', method: 'POST', path: '/api/messages', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity(ctx)) };
  if (r < 0.62) return rawBody(ctx, maxBodyBytes);
  if (r < 0.9) return directLine(ctx);
  return misc(ctx);
}

/** A request for the app with credentials: a plausible activity with a wrong token. */
export function authenticatedRequest(ctx: FuzzContext): RawRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const auth = authHeader(ctx);
  if (auth !== undefined) headers.authorization = auth;
  const body = ctx.rng() < 0.8 ? activity(ctx) : mutate(ctx, activity(ctx));
  return { kind: 'api: wrong token', method: 'POST', path: '/api/messages', headers, body: JSON.stringify(body) };
}

function rawBody(ctx: FuzzContext, maxBodyBytes: number): RawRequest {
  const { rng } = ctx;
  const base = { method: 'POST', path: '/api/messages' };
  const valid = JSON.stringify(activity(ctx));
  switch (int(rng, 0, 13)) {
    case 0:
      return { ...base, kind: 'raw: truncated JSON', headers: { 'content-type': 'application/json' }, body: valid.slice(0, int(rng, 0, valid.length - 1)) };
    case 1:
      return { ...base, kind: 'raw: non-UTF-8 bytes', headers: { 'content-type': 'application/json' }, body: Buffer.from(Array.from({ length: int(rng, 1, 300) }, () => int(rng, 0, 255))) };
    case 2:
      return { ...base, kind: 'raw: non-UTF-8 inside a string', headers: { 'content-type': 'application/json' }, body: Buffer.concat([Buffer.from(valid.slice(0, -2)), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"}')]) };
    case 3:
      return { ...base, kind: 'raw: over MAX_BODY_BYTES', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'message', text: 'x'.repeat(maxBodyBytes + int(rng, 1, 100_000)) }) };
    case 4:
      return { ...base, kind: 'raw: deep nesting', headers: { 'content-type': 'application/json' }, body: deepNesting(rng() < 0.5 ? 'array' : 'object', int(rng, 1000, 40_000)) };
    case 5:
      return { ...base, kind: 'raw: deep value in an activity', headers: { 'content-type': 'application/json' }, body: deepActivity(ctx) };
    case 6:
      return { ...base, kind: 'raw: wrong content type', headers: { 'content-type': pick(rng, ['text/plain', 'text/html', 'application/xml', 'application/x-www-form-urlencoded', 'image/png', 'application/json; charset=utf-16', 'application/octet-stream', 'multipart/form-data; boundary=x', '']) }, body: valid };
    case 7:
      return { ...base, kind: 'raw: compressed body', headers: { 'content-type': 'application/json', 'content-encoding': pick(rng, ['gzip', 'deflate', 'br', 'gzip, gzip', 'x-unknown']) }, body: valid };
    case 8:
      return { ...base, kind: 'raw: prototype pollution', headers: { 'content-type': 'application/json' }, body: `{"__proto__":{"type":"message","polluted":1},"constructor":{"prototype":{"polluted":1}},"type":"message","channelId":"emulator","serviceUrl":${JSON.stringify(ctx.serviceUrl)},"conversation":{"id":"proto","__proto__":{"isGroup":true}},"text":"hi"}` };
    case 9:
      return { ...base, kind: 'raw: scalar JSON', headers: { 'content-type': 'application/json' }, body: pick(rng, ['null', 'true', '0', '"message"', '[]', '[{}]', '{}', '', ' ', '\ufeff{}']) };
    case 10:
      return { ...base, kind: 'raw: duplicate keys', headers: { 'content-type': 'application/json' }, body: `{"type":"message","type":{"x":1},"conversation":{"id":"a"},"conversation":7}` };
    case 11:
      return { ...base, kind: 'raw: lying content-length', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(valid) - int(rng, 1, 10)) }, body: valid };
    case 12:
      return { ...base, kind: 'raw: huge declared length', headers: { 'content-type': 'application/json', 'content-length': String(10 ** int(rng, 7, 12)) }, body: '' };
    default:
      return { ...base, method: pick(rng, ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']), kind: 'raw: wrong method', headers: { 'content-type': 'application/json' }, body: valid };
  }
}

function directLine(ctx: FuzzContext): RawRequest {
  const { rng } = ctx;
  const live = pick(rng, ctx.directLine);
  const token = (): string =>
    pick(rng, [live.token, live.token, randomUnicode(rng, 43).replace(/[^A-Za-z0-9_-]/g, 'A'), '', 'undefined', 'null', `${live.token}x`, jwt({ conversationId: live.conversationId })]);
  const auth = (): Record<string, string> =>
    rng() < 0.85 ? { authorization: `Bearer ${token()}` } : rng() < 0.5 ? {} : { authorization: randomUnicode(rng, 30).replace(/[^\x20-\x7e]/g, '?') };
  const conversation = () => (rng() < 0.7 ? live.conversationId : pick(rng, ['', 'x', '..%2F..%2Fetc', '%00', 'a'.repeat(300), randomUnicode(rng, 8).replace(/[^A-Za-z0-9]/g, 'z')]));
  const body = () => JSON.stringify(rng() < 0.6 ? { ...activity(ctx, live.conversationId), serviceUrl: undefined, ...(rng() < 0.5 ? { type: pick(rng, ACTIVITY_TYPES) } : {}) } : randomJson(rng));
  const dl = '/v3/directline';
  switch (int(rng, 0, 9)) {
    case 0:
      return { kind: 'dl: tokens/generate', method: 'POST', path: `${dl}/tokens/generate`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(rng() < 0.5 ? { user: randomJson(rng), locale: randomString(rng).slice(0, 40) } : randomJson(rng)) };
    case 1:
      return { kind: 'dl: tokens/refresh', method: 'POST', path: `${dl}/tokens/refresh`, headers: auth() };
    case 2:
      return { kind: 'dl: start conversation', method: 'POST', path: `${dl}/conversations`, headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(randomJson(rng)) };
    case 3:
      return { kind: 'dl: reconnect', method: 'GET', path: `${dl}/conversations/${conversation()}?watermark=${percent(randomString(rng).slice(0, 20))}`, headers: auth() };
    case 4:
    case 5:
      return { kind: 'dl: poll activities', method: 'GET', path: `${dl}/conversations/${conversation()}/activities${rng() < 0.5 ? `?watermark=${pick(rng, ['0', '1', '-1', '1e99', '99999999999999999999', 'abc', '%00', '1&watermark=2'])}` : ''}`, headers: auth() };
    case 6:
    case 7:
      return { kind: 'dl: post activity', method: 'POST', path: `${dl}/conversations/${conversation()}/activities`, headers: { ...auth(), 'content-type': 'application/json' }, body: body() };
    case 8:
      if (rng() < 0.3) return { kind: 'dl: deep value in an activity', method: 'POST', path: `${dl}/conversations/${live.conversationId}/activities`, headers: { authorization: `Bearer ${live.token}`, 'content-type': 'application/json' }, body: deepActivity(ctx, live.conversationId) };
      return { kind: 'dl: upload', method: 'POST', path: `${dl}/conversations/${conversation()}/upload`, headers: { ...auth(), 'content-type': 'application/json' }, body: '{}' };
    default:
      return { kind: 'dl: connector side', method: 'POST', path: `/v3/conversations/${conversation()}/activities${rng() < 0.3 ? '/x' : ''}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(randomJson(rng)) };
  }
}

function misc(ctx: FuzzContext): RawRequest {
  const { rng } = ctx;
  const path = pick(rng, [
    '/',
    '/?locale=<script>',
    '/?locale=' + 'x'.repeat(5000),
    '/webchat/webchat.js',
    '/webchat/../../package.json',
    '/webchat/%2e%2e/%2e%2e/package.json',
    '/%zz',
    '/%00',
    '//api/messages',
    '/api/messages/',
    '/API/MESSAGES',
    '/api/messages?__proto__[polluted]=1',
    '/healthz?x=' + 'y'.repeat(2000),
    '/readyz',
    '/metrics',
    '/api/directline/token',
    '/agent',
    '/nope/' + 'a'.repeat(6000),
    '/v3/directline/conversations/%2e%2e%2f/activities',
    '/\u00e9\u00e8',
  ]);
  const method = pick(rng, ['GET', 'GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH']);
  return {
    kind: 'misc: paths and methods',
    method,
    // Sent as written where Node allows it (printable ASCII), so '/%zz' and '/%00' reach the server raw.
    path: /^[\x21-\x7e]*$/.test(path) ? path : path.replace(/[^\x21-\x7e]/g, (c) => percent(c)),
    headers: rng() < 0.5 ? { 'content-type': 'application/json' } : { accept: 'text/html', 'accept-language': randomUnicode(rng, 20).replace(/[^\x20-\x7e]/g, 'q') },
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: JSON.stringify(randomJson(rng)) }),
  };
}
