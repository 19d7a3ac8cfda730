import type { Storage } from 'botbuilder';
import { isETagConflict } from './create-store';

/**
 * The eTag a key's first write carries. Not `*` (which writes unconditionally and would let two
 * first writers overwrite each other): an eTag no stored item ever has, so the write goes through
 * while the key is absent and conflicts once someone else has created it. The stores accept an
 * eTag on a missing key, as botbuilder's MemoryStorage does (see the contract tests).
 */
export const ABSENT_ETAG = 'ag:absent';

/** The eTag to write with, given what was read: optimistic concurrency, also for the first write. */
export function expectedETag(stored: { eTag?: string } | undefined): string {
  return stored?.eTag ?? ABSENT_ETAG;
}

/**
 * Read a key, compute its next value, write it with the eTag that was read; on a conflict
 * (someone else wrote in between) do it all again on top of their write, up to `maxAttempts`.
 */
export async function readModifyWrite<T extends object>(
  store: Storage,
  key: string,
  change: (current: (T & { eTag?: string }) | undefined) => T,
  maxAttempts = 8,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = (await store.read([key]))[key] as (T & { eTag?: string }) | undefined;
    const next = change(current);
    try {
      await store.write({ [key]: { ...next, eTag: expectedETag(current) } });
      return next;
    } catch (err) {
      if (!isETagConflict(err) || attempt >= maxAttempts) throw err;
    }
  }
}
