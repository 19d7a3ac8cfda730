import { Agent } from 'node:http';
import { MAX_JSON_DEPTH, jsonDepthOver } from '../../src/web/json-depth';
import { startHarness, type Harness } from '../support/bot-harness';
import { deepActivity, deepNesting, seeded, send, type FuzzContext, type RawRequest } from './fuzz';

/**
 * JSON nested past MAX_JSON_DEPTH is refused with 400 right after the body is parsed, on every
 * route that takes JSON, before anything clones or walks it (structuredClone threw RangeError at a
 * few thousand levels: a 500 on the Direct Line). The same generated activities go to
 * /api/messages and to a live Direct Line conversation.
 */
const SEED = 0xdee9_0028;
const CASES = 120;
const MAX_BODY_BYTES = 256 * 1024;

let h: Harness;
let live: { conversationId: string; token: string };
const agent = new Agent({ keepAlive: false });
beforeAll(async () => {
  h = await startHarness();
  const res = await fetch(`${h.url}/v3/directline/conversations`, { method: 'POST' });
  expect(res.status).toBe(201);
  live = (await res.json()) as typeof live;
});
afterAll(async () => {
  agent.destroy();
  await h.close();
});

const context = (): FuzzContext => ({ rng: seeded(SEED), serviceUrl: h.connector.url, directLine: [live], appId: '', trustedToken: () => '', forgedToken: () => '' });
const json = { 'content-type': 'application/json' };
const apiMessages = (body: string): RawRequest => ({ kind: 'api', method: 'POST', path: '/api/messages', headers: json, body });
const directLinePost = (body: string): RawRequest => ({
  kind: 'dl',
  method: 'POST',
  path: `/v3/directline/conversations/${live.conversationId}/activities`,
  headers: { ...json, authorization: `Bearer ${live.token}` },
  body,
});
/** Past the bound, and still under MAX_BODY_BYTES (which would answer 413 first). */
const tooDeep = (ctx: FuzzContext) => MAX_JSON_DEPTH + 1 + Math.floor(ctx.rng() * 20_000);
const refusal = { error: { code: 'BadRequest', message: `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels` } };

test.each([
  ['/api/messages', apiMessages, (ctx: FuzzContext) => deepActivity(ctx, undefined, tooDeep(ctx))],
  ['the Direct Line', directLinePost, (ctx: FuzzContext) => deepActivity(ctx, live.conversationId, tooDeep(ctx))],
])(`${CASES} activities nested too deep on %s each get 400 with a clear error, and nothing is stored or sent`, async (_route, request, body) => {
  const ctx = context();
  const before = h.connector.requests;
  const answers = new Map<string, number>();
  let oversize = 0;
  for (let i = 0; i < CASES; i++) {
    const text = body(ctx);
    // Some generated texts are long: a body over MAX_BODY_BYTES gets its 413 first.
    if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
      oversize++;
      continue;
    }
    const res = await send(h.url, request(text), agent);
    const key = `${res.status} ${res.body}`;
    answers.set(key, (answers.get(key) ?? 0) + 1);
  }
  expect([...answers]).toEqual([[`400 ${JSON.stringify(refusal)}`, CASES - oversize]]);
  expect(oversize).toBeLessThan(CASES / 10);
  expect(h.connector.requests).toBe(before);
});

test('every other route that takes JSON refuses it too', async () => {
  const deep = deepNesting('object', 3000);
  for (const path of ['/v3/directline/tokens/generate', '/v3/directline/conversations', '/agent/api/lookup', '/agent/api/sessions']) {
    const res = await send(h.url, { kind: 'route', method: 'POST', path, headers: json, body: `{"user":${deep}}` }, agent);
    expect({ path, status: res.status, body: JSON.parse(res.body) as unknown }).toEqual({ path, status: 400, body: refusal });
  }
});

test('an activity nested just within the bound still gets its turn, on both routes', async () => {
  // The activity is one level, `value` the rest.
  const value = JSON.parse(deepNesting('object', MAX_JSON_DEPTH - 1)) as unknown;
  const res = await h.post(h.conversation('en-US').activity({ text: 'hello', value }));
  expect(res.status).toBe(200);
  const onDirectLine = await send(h.url, directLinePost(JSON.stringify({ type: 'message', from: { id: 'dl-user' }, text: 'hello', value })), agent);
  expect(onDirectLine.status).toBe(200);
  expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
});

describe('jsonDepthOver', () => {
  test.each([
    [1, 0],
    [{}, 1],
    [[[]], 2],
    [{ a: [{ b: 1 }] }, 3],
  ])('%p is %p deep', (value, depth) => {
    expect(jsonDepthOver(value, depth)).toBe(false);
    expect(jsonDepthOver(value, depth - 1)).toBe(depth > 0);
  });
  test('a million levels are counted without recursion', () => {
    expect(jsonDepthOver(JSON.parse(deepNesting('array', 1_000_000)), MAX_JSON_DEPTH)).toBe(true);
  });
});
