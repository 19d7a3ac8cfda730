/**
 * Just enough of XMLHttpRequest, over node:http, for rxjs 5's Observable.ajax, which is what
 * botframework-directlinejs uses as its transport. Node has no XMLHttpRequest, and installing a
 * full polyfill for one test is not worth a dependency. Refuses anything but loopback hosts so a
 * test can never reach the network.
 */
import http from 'node:http';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

type Handler = ((this: LoopbackXMLHttpRequest, event: unknown) => void) | null;

export class LoopbackXMLHttpRequest {
  readyState = 0;
  status = 0;
  responseType = '';
  response: unknown = null;
  responseText = '';
  timeout = 0;
  withCredentials = false;
  onreadystatechange: Handler = null;
  onerror: Handler = null;
  ontimeout: Handler = null;
  onprogress: Handler = null;

  private method = 'GET';
  private url: URL | undefined;
  private headers: Record<string, string> = {};
  private responseHeaders: http.IncomingHttpHeaders = {};
  private request: http.ClientRequest | undefined;

  open(method: string, url: string): void {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' || !LOOPBACK_HOSTS.has(parsed.hostname)) {
      throw new Error(`LoopbackXMLHttpRequest: refusing non-loopback URL ${url}`);
    }
    this.method = method;
    this.url = parsed;
    this.readyState = 1;
  }

  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }

  getResponseHeader(name: string): string | null {
    const value = this.responseHeaders[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  getAllResponseHeaders(): string {
    return Object.entries(this.responseHeaders)
      .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : value}`)
      .join('\r\n');
  }

  send(body?: string | null): void {
    if (!this.url) throw new Error('LoopbackXMLHttpRequest: send() before open()');
    const request = http.request(this.url, { method: this.method, headers: this.headers, timeout: this.timeout || undefined });
    this.request = request;
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        this.status = response.statusCode ?? 0;
        this.responseHeaders = response.headers;
        this.responseText = Buffer.concat(chunks).toString('utf8');
        if (this.responseType === 'json') {
          try {
            this.response = this.responseText ? JSON.parse(this.responseText) : null;
          } catch {
            this.response = null;
          }
        } else {
          this.response = this.responseText;
        }
        this.readyState = 4;
        this.onreadystatechange?.call(this, {});
      });
    });
    request.on('timeout', () => {
      request.destroy();
      this.readyState = 4;
      this.ontimeout?.call(this, {});
    });
    request.on('error', (error) => {
      if (this.readyState === 4) return;
      this.readyState = 4;
      this.onerror?.call(this, error);
    });
    request.end(body ?? undefined);
  }

  abort(): void {
    this.request?.destroy();
  }
}

/**
 * Installs LoopbackXMLHttpRequest as the global XMLHttpRequest for the test file (beforeAll) and
 * puts back what was there (afterAll): rxjs 5's Observable.ajax, directlinejs' transport, looks it
 * up on the global object per request.
 */
export function useLoopbackXhrForDirectLine(): void {
  const globals = globalThis as unknown as { XMLHttpRequest?: unknown };
  let saved: unknown;
  beforeAll(() => {
    saved = globals.XMLHttpRequest;
    globals.XMLHttpRequest = LoopbackXMLHttpRequest;
  });
  afterAll(() => {
    globals.XMLHttpRequest = saved;
  });
}
