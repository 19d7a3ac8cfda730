/**
 * Mermaid for the console's drawn flow map, served from node_modules (no CDN) behind the same
 * guard as the rest of /agent. The page cannot load it with <script src> (that cannot send the
 * token), so console.js fetches it with the token and runs it under the page's CSP nonce.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Request, Response } from 'restify';

export const MERMAID_ASSET_PATH = '/agent/assets/mermaid.js';

interface Loaded {
  body: Buffer;
  gzipped: Buffer;
  etag: string;
}

/** The browser build (an IIFE that sets window.mermaid), found through the package's own entry. */
export function mermaidBundlePath(): string {
  return path.join(path.dirname(require.resolve('mermaid')), 'mermaid.min.js');
}

export function mermaidAssetHandler(file = mermaidBundlePath()): (req: Request, res: Response) => Promise<void> {
  let loading: Promise<Loaded> | undefined;
  const load = async (): Promise<Loaded> => {
    const body = await fs.readFile(file);
    // 3.5 MB; compressed once, to about a quarter.
    return { body, gzipped: await promisify(gzip)(body), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
  };
  return async (req, res) => {
    loading ??= load();
    let asset: Loaded;
    try {
      asset = await loading;
    } catch {
      loading = undefined; // a failed read is retried on the next request
      res.send(500, { error: { code: 'ServiceError', message: 'Mermaid is unavailable' } });
      return;
    }
    const headers: Record<string, string> = {
      'Content-Type': 'text/javascript; charset=utf-8',
      // Behind the agent guard: browsers may keep it, shared caches may not.
      'Cache-Control': 'private, max-age=86400',
      ETag: asset.etag,
      Vary: 'Accept-Encoding, Authorization',
      'X-Content-Type-Options': 'nosniff',
    };
    if (req.header('if-none-match') === asset.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const useGzip = /\bgzip\b/.test(req.header('accept-encoding') ?? '');
    const body = useGzip ? asset.gzipped : asset.body;
    res.writeHead(200, { ...headers, 'Content-Length': String(body.length), ...(useGzip ? { 'Content-Encoding': 'gzip' } : {}) });
    res.end(body);
  };
}
