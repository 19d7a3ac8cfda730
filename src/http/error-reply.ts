import type { Response } from 'restify';

/** Every error this service answers has one JSON shape: `{ error: { code, message } }`. */
export function sendError(res: Response, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.send(status, { error: { code, message } }, headers);
}
