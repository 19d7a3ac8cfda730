import { bearerToken } from '../web/bearer-token';
import { sendError } from '../web/error-reply';
import { secretMatches } from '../web/secret-compare';
import { isLoopbackHost } from '../web/service-url';
import type { IncomingMessage } from 'node:http';
import type { Next, Request, Response } from 'restify';

export interface AccessOptions {
  /** AGENT_TOKEN. Without it the console answers on loopback only. */
  token?: string;
  /** Answers a refused page load (a small form to enter the token) instead of JSON. */
  refusedPage?: (req: Request, status: 401 | 403, tokenWasGiven: boolean) => { html: string; headers: Record<string, string> };
}

export type AccessCheck = { ok: true } | { ok: false; status: 401 | 403; tokenWasGiven: boolean };

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && isLoopbackHost(address);
}

function givenToken(req: Request, allowQuery: boolean): string | undefined {
  const bearer = bearerToken(req.header('authorization'));
  if (bearer) return bearer;
  // Only the page takes ?token=, so that it can be opened from a link; it then sends the header.
  const query = (req.query ?? {}) as Record<string, unknown>;
  return allowQuery && typeof query.token === 'string' && query.token !== '' ? query.token : undefined;
}

export function checkAccess(req: Request, options: AccessOptions, allowQuery: boolean): AccessCheck {
  if (options.token) {
    const given = givenToken(req, allowQuery);
    return given !== undefined && secretMatches(given, options.token) ? { ok: true } : { ok: false, status: 401, tokenWasGiven: given !== undefined };
  }
  const remote = (req as unknown as IncomingMessage).socket?.remoteAddress;
  return isLoopback(remote) ? { ok: true } : { ok: false, status: 403, tokenWasGiven: false };
}

/**
 * The guard in front of every /agent route: the console and its API hold customer transcripts.
 * `page: true` for the HTML page, which accepts ?token= and answers a refusal with a form.
 */
export function requireAgent(options: AccessOptions, page = false) {
  return (req: Request, res: Response, next: Next): void => {
    const verdict = checkAccess(req, options, page);
    if (verdict.ok) return next();
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (verdict.status === 401) headers['WWW-Authenticate'] = 'Bearer realm="agent"';
    if (page && options.refusedPage) {
      const page = options.refusedPage(req, verdict.status, verdict.tokenWasGiven);
      res.writeHead(verdict.status, { ...page.headers, ...headers, 'Content-Length': String(Buffer.byteLength(page.html)) });
      res.end(page.html);
    } else {
      if (verdict.status === 401) sendError(res, 401, 'Unauthorized', 'An agent token is required (Authorization: Bearer <AGENT_TOKEN>).', headers);
      else sendError(res, 403, 'Forbidden', 'Without AGENT_TOKEN the agent console answers on loopback only.', headers);
    }
    next(false);
  };
}
