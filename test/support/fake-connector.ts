import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Activity } from 'botbuilder';

/**
 * Stands in for the Bot Framework channel service on 127.0.0.1: the bot posts its replies to
 * `serviceUrl/v3/conversations/{id}/activities[/{replyToId}]`, and tests read them here.
 */
export interface FakeConnector {
  url: string;
  received: Activity[];
  /** Replies for one conversation, in order. */
  repliesTo(conversationId: string): Activity[];
  /** Answer the next `n` posts with this status (to test retries and rate limits). */
  failNext(n: number, status: number, headers?: Record<string, string>): void;
  /** Answer every activity of this type with `status` from now on, as Teams does `event` with 400 (undefined: accept all again). */
  refuseType(type: string | undefined, status?: number): void;
  /**
   * Leaves the replies to these conversations unanswered (the bot's post waits, and the reply is
   * not in `received`) until `release()`: a turn held there has committed its state and not yet
   * been acknowledged, the moment a crash test wants to cut it off.
   */
  holdReplies(conversationIds: Iterable<string>): { held(): number; release(): void };
  /** Activities answered by refuseType, in order. */
  refused: Activity[];
  requests: number;
  /** Posts refused with 401 because `acceptsAuthorization` said no. */
  unauthorized: number;
  close(): Promise<void>;
}

export interface FakeConnectorOptions {
  /** The channel's check of the bot's own token: a post whose Authorization header fails it gets 401, as the real service answers. */
  acceptsAuthorization?: (header: string | undefined) => boolean;
}

/** restify patches ServerResponse for the whole process, so plain Node calls are used here (no writeHead chaining). */
function reply(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(body);
}

export async function startFakeConnector(options: FakeConnectorOptions = {}): Promise<FakeConnector> {
  const received: Activity[] = [];
  let failures: { left: number; status: number; headers: Record<string, string> } = { left: 0, status: 200, headers: {} };
  let requests = 0;
  let unauthorized = 0;
  let refusal: { type: string; status: number } | undefined;
  const refused: Activity[] = [];
  let holding: { ids: Set<string>; waiting: Array<() => void> } | undefined;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match) {
        reply(res, 404, {}, '');
        return;
      }
      if (options.acceptsAuthorization && !options.acceptsAuthorization(req.headers.authorization)) {
        unauthorized++;
        reply(res, 401, { 'WWW-Authenticate': 'Bearer' }, JSON.stringify({ message: 'Authorization has been denied for this request.' }));
        return;
      }
      if (failures.left > 0) {
        failures.left--;
        reply(res, failures.status, failures.headers, '{}');
        return;
      }
      const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Activity;
      if (refusal && activity.type === refusal.type) {
        refused.push(activity);
        reply(res, refusal.status, {}, JSON.stringify({ error: { code: 'BadArgument', message: `Activity type ${activity.type} is not supported` } }));
        return;
      }
      activity.conversation = activity.conversation ?? ({ id: decodeURIComponent(match[1]) } as Activity['conversation']);
      if (holding?.ids.has(activity.conversation!.id)) {
        holding.waiting.push(() => {
          received.push(activity);
          reply(res, 200, {}, JSON.stringify({ id: `reply-${received.length}` }));
        });
        return;
      }
      received.push(activity);
      reply(res, 200, {}, JSON.stringify({ id: `reply-${received.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    received,
    repliesTo: (conversationId) => received.filter((a) => a.conversation?.id === conversationId),
    failNext: (n, status, headers = {}) => {
      failures = { left: n, status, headers };
    },
    refuseType: (type, status = 400) => {
      refusal = type === undefined ? undefined : { type, status };
    },
    holdReplies: (conversationIds) => {
      const hold = { ids: new Set(conversationIds), waiting: [] as Array<() => void> };
      holding = hold;
      return {
        held: () => hold.waiting.length,
        release: () => {
          if (holding === hold) holding = undefined;
          for (const answer of hold.waiting.splice(0)) answer();
        },
      };
    },
    refused,
    get requests() {
      return requests;
    },
    get unauthorized() {
      return unauthorized;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
