import http from 'node:http';
import https from 'node:https';
import type { Activity, ResourceResponse } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';

/**
 * A bot's replies go out as `POST {serviceUrl}/v3/conversations/{id}/activities[/{replyToId}]`.
 * botbuilder sends them through @azure/core-client: the activity is walked property by property
 * against its type mapper, then a dozen pipeline policies run. That was a third of all the memory a
 * turn allocates, and garbage that lives across the network wait is what fills the old heap
 * (bench/README.md). Here the two send operations of a connector client post the JSON themselves;
 * everything else the client does (update, delete, members, ...) stays botbuilder's.
 *
 * What is kept from the client: its credentials sign each request (the same token cache), its
 * base URL and user agent. What the poster adds: a keep-alive agent per protocol, a timeout, and a
 * bound on the answer it reads. Retries stay with src/ops/send-retry.ts, which reads `statusCode`,
 * `code` and `response.headers` from the errors thrown here, as from botbuilder's.
 *
 * A proxy configured in the environment (HTTPS_PROXY and the like) is honoured by botbuilder's
 * pipeline and not by this poster, so then the client is left as it is.
 */
export interface ReplyPosterOptions {
  /** A request that has not been answered after this long fails with ETIMEDOUT (default 15 s). */
  timeoutMs?: number;
  /** A longer answer is cut off and the send fails (default 64 KiB; the channel answers `{ "id": … }`). */
  maxAnswerBytes?: number;
  /** The environment, for the proxy check (default process.env). */
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_ANSWER_BYTES = 64 * 1024;
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

const agents = {
  'http:': new http.Agent({ keepAlive: true, scheduling: 'lifo' }),
  'https:': new https.Agent({ keepAlive: true, scheduling: 'lifo' }),
};

/** A failed send, shaped as botbuilder's RestError where callers look: statusCode, code, response. */
export class ReplyPostError extends Error {
  override readonly name = 'ReplyPostError';
  constructor(
    message: string,
    readonly statusCode: number | undefined,
    readonly code: string | undefined,
    readonly response?: { status: number; headers: { get(name: string): string | undefined }; bodyAsText: string },
  ) {
    super(message);
  }
}

/** The parts of a connector client the poster uses: `baseUri` and `options` are set by botbuilder's ServiceClientContext, though its types hide them. */
type PostingClient = Pick<ConnectorClient, 'conversations' | 'credentials'> & { baseUri?: string; options?: { userAgent?: unknown } };

interface HeaderBag {
  set(name: string, value: string): void;
  get(name: string): string | undefined;
}

function headerBag(): HeaderBag & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return { values, set: (name, value) => void values.set(name.toLowerCase(), value), get: (name) => values.get(name.toLowerCase()) };
}

/** Makes the client's replyToActivity and sendToConversation post directly; returns the same client. */
export function postRepliesDirectly<T extends ConnectorClient>(client: T, options: ReplyPosterOptions = {}): T {
  const env = options.env ?? process.env;
  if (PROXY_VARIABLES.some((name) => env[name])) return client;
  const c = client as unknown as PostingClient;
  const baseUri = c.baseUri;
  if (!baseUri || !/^https?:\/\//i.test(baseUri)) return client;
  const base = baseUri.endsWith('/') ? baseUri : `${baseUri}/`;
  const userAgent = typeof c.options?.userAgent === 'string' ? c.options.userAgent.trim() : '';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;

  async function post(path: string, activity: Partial<Activity>): Promise<ResourceResponse | undefined> {
    const url = new URL(path, base);
    // The credentials write the Authorization header (or none, for a bot without an app id).
    const headers = headerBag();
    await c.credentials.signRequest({ url: url.href, method: 'POST', headers } as never);
    const body = JSON.stringify(activity);
    const requestHeaders: http.OutgoingHttpHeaders = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body, 'utf8'),
      accept: 'application/json',
    };
    if (userAgent) requestHeaders['user-agent'] = userAgent;
    for (const [name, value] of headers.values) requestHeaders[name] = value;
    const answer = await send(url, requestHeaders, body, timeoutMs, maxAnswerBytes);
    if (answer.status < 200 || answer.status > 299) {
      const detail = errorMessageOf(answer.text);
      throw new ReplyPostError(
        `POST ${url.pathname} answered ${answer.status}${detail.message ? `: ${detail.message}` : ''}`,
        answer.status,
        detail.code,
        // Cut, since an error may be logged whole.
        { status: answer.status, headers: { get: (name) => headerValue(answer.headers[name.toLowerCase()]) }, bodyAsText: answer.text.slice(0, 2048) },
      );
    }
    const id = idOf(answer.text);
    return id === undefined ? undefined : { id };
  }

  const conversations = c.conversations as unknown as Record<string, unknown>;
  conversations.replyToActivity = (conversationId: string, activityId: string, activity: Partial<Activity>) =>
    post(`v3/conversations/${encodeURIComponent(conversationId)}/activities/${encodeURIComponent(activityId)}`, activity);
  conversations.sendToConversation = (conversationId: string, activity: Partial<Activity>) =>
    post(`v3/conversations/${encodeURIComponent(conversationId)}/activities`, activity);
  return client;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function send(url: URL, headers: http.OutgoingHttpHeaders, body: string, timeoutMs: number, maxBytes: number): Promise<Answer> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<Answer>((resolve, reject) => {
    const request = transport.request(url, { method: 'POST', headers, agent: agents[url.protocol as 'http:' | 'https:'] }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          request.destroy(new ReplyPostError(`the answer to POST ${url.pathname} is over ${maxBytes} bytes`, undefined, 'ANSWER_TOO_LARGE'));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.setTimeout(timeoutMs, () => {
      request.destroy(new ReplyPostError(`POST ${url.pathname} got no answer in ${timeoutMs} ms`, undefined, 'ETIMEDOUT'));
    });
    request.on('error', reject);
    request.end(body, 'utf8');
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function parsed(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function idOf(text: string): string | undefined {
  const value = parsed(text) as { id?: unknown } | undefined;
  return typeof value?.id === 'string' ? value.id : undefined;
}

/** The channel's ErrorResponse: `{ "error": { "code": "…", "message": "…" } }`. */
function errorMessageOf(text: string): { code?: string; message?: string } {
  const error = (parsed(text) as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return {
    code: typeof error?.code === 'string' ? error.code : undefined,
    message: typeof error?.message === 'string' ? error.message.slice(0, 200) : undefined,
  };
}
