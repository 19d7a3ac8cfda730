import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Request, Response } from 'restify';

const gzipAsync = promisify(gzip);

/** A file served from memory: read and compressed once (Web Chat and Mermaid are 3.5–4 MB). */
export interface StaticAsset {
  body: Buffer;
  gzipped: Buffer;
  etag: string;
}

/** Loads `file` on the first call and keeps it; a failed read is tried again on the next call. */
export function lazyStaticAsset(file: string): () => Promise<StaticAsset> {
  let loading: Promise<StaticAsset> | undefined;
  return () => {
    if (!loading) {
      loading = load(file);
      loading.catch(() => (loading = undefined));
    }
    return loading;
  };
}

async function load(file: string): Promise<StaticAsset> {
  const body = await fs.readFile(file);
  return { body, gzipped: await gzipAsync(body), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

export interface StaticAssetHeaders {
  contentType: string;
  cacheControl: string;
  vary: string;
}

/** 304 when the browser has this version, else the body, gzipped when the browser takes it. */
export function sendStaticAsset(req: Request, res: Response, asset: StaticAsset, headers: StaticAssetHeaders): void {
  const common: Record<string, string> = {
    'Content-Type': headers.contentType,
    'Cache-Control': headers.cacheControl,
    ETag: asset.etag,
    Vary: headers.vary,
    'X-Content-Type-Options': 'nosniff',
  };
  if (req.header('if-none-match') === asset.etag) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  const useGzip = /\bgzip\b/.test(req.header('accept-encoding') ?? '');
  const body = useGzip ? asset.gzipped : asset.body;
  res.writeHead(200, { ...common, 'Content-Length': String(body.length), ...(useGzip ? { 'Content-Encoding': 'gzip' } : {}) });
  res.end(body);
}
