import { closeSync, openSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';

/**
 * Overwrites one 4 KB page of a SQLite file, as a bad sector or a stray write would: a leaf page of
 * `table` from the middle of those that hold a row whose `key` passes `holds` (all, if not given).
 * The database must be closed (no -wal left). Returns the page number.
 */
export function damageLeafPage(file: string, table: string, holds: (key: string) => boolean = () => true): number {
  const db = new Database(file, { readonly: true });
  let page: number;
  try {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    if (pageSize !== 4096) throw new Error(`damageLeafPage expects 4 KB pages; ${file} has ${pageSize}`);
    // dbstat lists a table's pages by path, which is the b-tree's order, so the leaves come in rowid
    // order and their cell counts say which rows each one holds.
    const leaves = db
      .prepare<[string], { pageno: number; ncell: number }>("SELECT pageno, ncell FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path")
      .all(table);
    const keys = db.prepare<[], string>(`SELECT key FROM ${table} ORDER BY rowid`).pluck().all();
    let first = 0;
    const candidates = leaves.filter(({ ncell }) => {
      const rows = keys.slice(first, (first += ncell));
      return rows.some(holds);
    });
    if (leaves.length < 3 || candidates.length === 0) throw new Error(`damageLeafPage: no leaf page of ${table} in the middle holds a matching row`);
    page = candidates[Math.floor(candidates.length / 2)]!.pageno;
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
