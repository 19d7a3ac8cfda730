import { join } from 'node:path';
import type { StoreItems } from 'botbuilder';
import { SqliteStore } from '../../src/storage/sqlite-store';

/**
 * Everything stored under DATA_DIR, as a restart would find it: read by the embedded store
 * itself, which runs SQLite's quick check on open.
 */
export async function storedState(dataDir: string): Promise<StoreItems> {
  const store = new SqliteStore(join(dataDir, 'state'));
  try {
    return await store.read(store.keys());
  } finally {
    await store.close();
  }
}

/** The keys a running app's embedded store holds (the harness runs without Redis). */
export function storedKeys(store: unknown): string[] {
  if (!(store instanceof SqliteStore)) throw new Error('storedKeys needs the embedded store');
  return store.keys().sort();
}
