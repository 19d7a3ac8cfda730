/**
 * Mermaid for the console's drawn flow map, served from node_modules (no CDN) behind the same
 * guard as the rest of /agent. The page cannot load it with <script src> (that cannot send the
 * token), so console.js fetches it with the token and runs it under the page's CSP nonce.
 */
import path from 'node:path';
import type { Request, Response } from 'restify';
import { lazyStaticAsset, sendStaticAsset, type StaticAsset } from '../web/static-asset';

export const MERMAID_ASSET_PATH = '/agent/assets/mermaid.js';

/** The browser build (an IIFE that sets window.mermaid), found through the package's own entry. */
export function mermaidBundlePath(): string {
  return path.join(path.dirname(require.resolve('mermaid')), 'mermaid.min.js');
}

export function mermaidAssetHandler(file = mermaidBundlePath()): (req: Request, res: Response) => Promise<void> {
  const loaded = lazyStaticAsset(file);
  return async (req, res) => {
    let asset: StaticAsset;
    try {
      asset = await loaded();
    } catch {
      res.send(500, { error: { code: 'ServiceError', message: 'Mermaid is unavailable' } });
      return;
    }
    // Behind the agent guard: browsers may keep it, shared caches may not.
    sendStaticAsset(req, res, asset, { contentType: 'text/javascript; charset=utf-8', cacheControl: 'private, max-age=86400', vary: 'Accept-Encoding, Authorization' });
  };
}
