import type { Request, Response } from 'restify';
import { errorBody, type ErrorBody } from '../web/error-reply';

/**
 * What an error restify answers by itself (400 bad JSON, 404, 405, 413, 415, 5xx) says, in the
 * app's `{ error: { code, message } }` shape. A 5xx never carries internals: the error is in the
 * log (the guards' `restifyError` listener), the client reads "internal error".
 */
export function errorBodyOf(err: Error, maxBodyBytes: number): ErrorBody {
  const e = err as Error & { statusCode?: unknown; body?: { code?: unknown; message?: unknown } };
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  const code = typeof e.body?.code === 'string' ? e.body.code : status >= 500 ? 'InternalError' : 'BadRequest';
  let message = status >= 500 ? 'internal error' : typeof e.body?.message === 'string' ? e.body.message : String(e.message ?? '');
  if (status === 413) message = `the request body is larger than ${maxBodyBytes} bytes (MAX_BODY_BYTES)`;
  if (status === 415 && code === 'UnsupportedMediaType') message = 'send the body as application/json';
  return errorBody(code, message);
}

/**
 * restify's `formatters` server option: its JSON formatter (same media type and preference), except
 * that an Error is written in the app's error shape. restify sends every error it answers through
 * the formatter, so this is the one place that shape is decided for them.
 */
export function errorShapeFormatters(maxBodyBytes: number) {
  return {
    'application/json; q=0.4': (_req: Request, res: Response, body: unknown): string => {
      const data = body === undefined ? 'null' : JSON.stringify(body instanceof Error ? errorBodyOf(body, maxBodyBytes) : body);
      res.setHeader('Content-Length', Buffer.byteLength(data));
      return data;
    },
  };
}
