import WebSocket from 'ws';
import { createLocalDirectLine, type LocalDirectLine } from '../../src/channels/directline';
import { startServer, type TestServer } from './support/server';

/** The WebSocket stream of the embedded default: what a client reads there, and who is let in. */
describe('the Direct Line stream (streamUrl)', () => {
  let dl: LocalDirectLine;
  let server: TestServer;

  beforeEach(async () => {
    dl = createLocalDirectLine({
      conversationUpdates: false,
      deliver: async (activity) => (activity.type === 'message' ? [{ type: 'message', text: `heard: ${activity.text}` }] : []),
    });
    server = await startServer((s) => dl.register(s));
  });
  afterEach(async () => {
    await dl.close();
    await server.close();
  });

  async function start(): Promise<{ conversationId: string; token: string; streamUrl: string }> {
    const res = await fetch(`${server.origin}/v3/directline/conversations`, { method: 'POST' });
    return (await res.json()) as { conversationId: string; token: string; streamUrl: string };
  }

  function refusal(url: string): Promise<number> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('error', () => undefined);
    });
  }

  it('sends the activity sets {activities, watermark} as they are appended, from the watermark in its URL', async () => {
    const { conversationId, token, streamUrl } = await start();
    const post = (text: string) =>
      fetch(`${server.origin}/v3/directline/conversations/${conversationId}/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', text }),
      });
    expect((await post('before the socket')).status).toBe(200);

    const ws = new WebSocket(streamUrl.replace('watermark=0', 'watermark=1'));
    const sets: Array<{ activities: Array<{ text: string }>; watermark: string }> = [];
    ws.on('message', (data) => sets.push(JSON.parse(data.toString())));
    await new Promise((resolve) => ws.once('open', resolve));
    expect((await post('after')).status).toBe(200);
    while (sets.flatMap((s) => s.activities).length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    ws.close();

    // Above watermark 1 (the first echo), in order, each once; the last watermark is the newest number.
    expect(sets.flatMap((s) => s.activities).map((a) => a.text)).toEqual(['heard: before the socket', 'after', 'heard: after']);
    expect(sets.at(-1)!.watermark).toBe('4');
    expect(dl.streams).toBeLessThanOrEqual(1);
  });

  it('refuses a stream without a valid token of its conversation, in plain HTTP', async () => {
    const { conversationId, token } = await start();
    const base = `${server.origin.replace('http', 'ws')}/v3/directline/conversations`;
    expect(await refusal(`${base}/${conversationId}/stream`)).toBe(401);
    expect(await refusal(`${base}/${conversationId}/stream?t=not-a-token`)).toBe(401);
    expect(await refusal(`${base}/someone-else/stream?t=${token}`)).toBe(403);
    expect(await refusal(`${base}/${conversationId}/stream?t=${token}&watermark=x`)).toBe(400);
    expect(await refusal(`${server.origin.replace('http', 'ws')}/v3/directline/elsewhere?t=${token}`)).toBe(404);
  });
});
