import { closeSync, openSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';

/**
 * Overwrites one 4 KB page of a SQLite file, as a bad sector or a stray write would: a leaf page
 * of `table` from the middle of the file, found with SQLite's `dbstat` table. The database must be
 * closed (no -wal left). Returns the page number.
 */
export function damageLeafPage(file: string, table: string): number {
  const db = new Database(file, { readonly: true });
  let page: number;
  try {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    if (pageSize !== 4096) throw new Error(`damageLeafPage expects 4 KB pages; ${file} has ${pageSize}`);
    const leaves = db.prepare<[string], number>("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno").pluck().all(table);
    if (leaves.length < 3) throw new Error(`damageLeafPage needs a table of at least 3 leaf pages; ${table} has ${leaves.length}`);
    page = leaves[Math.floor(leaves.length / 2)]!;
  } finally {
    db.close();
  }
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, (page - 1) * 4096);
  } finally {
    closeSync(fd);
  }
  return page;
}

/** Which of `keys` SQLite can no longer read with `sql` (one `?` for the key): the ground truth of what the damage cost. */
export function unreadableKeys(file: string, sql: string, keys: readonly string[]): string[] {
  const db = new Database(file, { readonly: true });
  try {
    const statement = db.prepare<[string]>(sql);
    return keys.filter((key) => {
      try {
        statement.all(key);
        return false;
      } catch (err) {
        if (!String((err as { code?: string }).code).startsWith('SQLITE_CORRUPT')) throw err;
        return true;
      }
    });
  } finally {
    db.close();
  }
}
