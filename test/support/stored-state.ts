import { join } from 'node:path';
import type { StoreItems } from 'botbuilder';
import { JournalStore } from '../../src/storage/journal-store';

/**
 * Everything stored under DATA_DIR, as a restart would find it: read by the embedded store
 * itself, which checks every line of the journal on open. Only once the server has stopped,
 * because the store allows one process per directory.
 */
export async function storedState(dataDir: string): Promise<StoreItems> {
  const store = new JournalStore(join(dataDir, 'state'));
  try {
    return await store.read(store.keys());
  } finally {
    await store.close();
  }
}

/** The keys a running app's embedded store holds (the harness runs without Redis). */
export function storedKeys(store: unknown): string[] {
  if (!(store instanceof JournalStore)) throw new Error('storedKeys needs the embedded store');
  return store.keys().sort();
}
