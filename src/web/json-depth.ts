import type { Next, Request, Response } from 'restify';
import { sendError } from './error-reply';

/**
 * How deep a request's JSON may nest. An activity from Teams, Web Chat or Direct Line, its card's
 * `value`, `channelData` and `entities` included, stays well under 20; 64 leaves room. Deeper
 * input is refused before anything copies or walks it: structuredClone and botbuilder's own
 * copies recurse and throw RangeError a few thousand levels down.
 */
export const MAX_JSON_DEPTH = 64;

/** Depth of a parsed JSON value (a scalar is 0, `{}` and `[]` are 1), counted without recursion and given up on past `limit`. */
export function jsonDepthOver(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** restify `use` handler, right after the body parser, so that every route that takes JSON gets it: too deep is a 400. */
export function limitJsonDepth(limit = MAX_JSON_DEPTH) {
  return (req: Request, res: Response, next: Next): void => {
    if (!jsonDepthOver(req.body, limit)) return next();
    sendError(res, 400, 'BadRequest', `the JSON body nests deeper than ${limit} levels`);
    next(false);
  };
}
