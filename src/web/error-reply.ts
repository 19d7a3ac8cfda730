import { STATUS_CODES } from 'node:http';
import type { Response } from 'restify';

/** Every error this service answers has one JSON shape: `{ error: { code, message } }`. */
export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

export function sendError(res: Response, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.send(status, errorBody(code, message), headers);
}

/**
 * The same shape as a whole HTTP/1.1 answer, for a socket restify never saw or gave up on (a
 * request Node's parser refused, a request timed out, a refused WebSocket upgrade).
 */
export function rawErrorAnswer(status: number, code: string, message: string): string {
  const body = JSON.stringify(errorBody(code, message));
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nConnection: close\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}
