import type { AddressInfo } from 'node:net';
import restify from 'restify';
import { errorShapeFormatters } from '../../src/http/error-format';

/** restify's own errors go through its JSON formatter, in the app's shape, and the error objects are not touched. */
const MAX = 1024;
let server: restify.Server;
let base: string;
const seen: unknown[] = [];

beforeAll(async () => {
  server = restify.createServer({ handleUncaughtExceptions: false, formatters: errorShapeFormatters(MAX) });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX, mapParams: false, rejectUnknown: true }));
  server.on('restifyError', (_req, _res, err: unknown, callback: () => void) => {
    seen.push(err);
    callback();
  });
  server.post('/echo', async (req, res) => void res.send(200, { got: req.body as unknown }));
  server.get('/boom', async () => {
    throw new Error('database password is hunter2');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test.each([
  ['GET', '/nowhere', undefined, 404, 'ResourceNotFound'],
  ['DELETE', '/echo', undefined, 405, 'MethodNotAllowed'],
  ['POST', '/echo', '{"broken":', 400, 'InvalidContent'],
  ['POST', '/echo', JSON.stringify({ big: 'x'.repeat(MAX * 2) }), 413, 'PayloadTooLarge'],
  ['GET', '/boom', undefined, 500, 'Internal'],
])('%s %s (body %p) answers %d %s in { error: { code, message } }', async (method, route, body, status, code) => {
  const res = await fetch(`${base}${route}`, { method, body, headers: body ? { 'content-type': 'application/json' } : {} });
  const json = (await res.json()) as { error: { code: string; message: string } };
  expect(res.status).toBe(status);
  expect(Object.keys(json)).toEqual(['error']);
  expect(json.error.code).toBe(code);
  expect(typeof json.error.message).toBe('string');
  expect(JSON.stringify(json)).not.toContain('hunter2');
  if (status === 413) expect(json.error.message).toBe(`the request body is larger than ${MAX} bytes (MAX_BODY_BYTES)`);
  if (status === 500) expect(json.error.message).toBe('internal error');
});

test('bodies that are not errors are written as restify writes them', async () => {
  const res = await fetch(`${base}/echo`, { method: 'POST', body: JSON.stringify({ a: [1, 'b'] }), headers: { 'content-type': 'application/json' } });
  expect(await res.text()).toBe(JSON.stringify({ got: { a: [1, 'b'] } }));
  expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(JSON.stringify({ got: { a: [1, 'b'] } }))));
});

test('no error object was given a toJSON of its own', () => {
  expect(seen.length).toBeGreaterThan(0);
  for (const err of seen) expect(Object.prototype.hasOwnProperty.call(err, 'toJSON')).toBe(false);
});
