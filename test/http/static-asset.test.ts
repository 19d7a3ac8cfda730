import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { lazyStaticAsset } from '../../src/web/static-asset';

describe('a static asset served from memory', () => {
  test('is read once, compressed once, and tried again after a failed read', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ag-asset-')), 'app.js');
    const asset = lazyStaticAsset(file);
    await expect(asset()).rejects.toThrow(/ENOENT/);

    writeFileSync(file, 'console.log("hello");');
    const first = await asset();
    expect(first.body.toString()).toBe('console.log("hello");');
    expect(gunzipSync(first.gzipped).equals(first.body)).toBe(true);
    expect(first.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);

    writeFileSync(file, 'changed');
    expect(await asset()).toBe(first);
  });
});
