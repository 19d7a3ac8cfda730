import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Storage, StoreItems } from 'botbuilder';

import { ETagConflictError, isOutOfRoom, StorageUnavailableError } from './errors';
import { importJournal, importLegacyFiles } from './journal-import';

/** The database's name in its directory; `-wal` and `-shm` files sit next to it while it is open. */
export const DATABASE_FILE = 'conversations.db';
/** The layout this code writes (`PRAGMA user_version`). */
const SCHEMA_VERSION = 1;
/** Expired rows are deleted this many at a time, so that no sweep blocks the event loop for long. */
const SWEEP_CHUNK = 500;
/**
 * The start-up check reads every page of a file up to this size (`PRAGMA quick_check`: 61 MB in
 * 48–61 ms here from the page cache, longer from a cold disk); a larger file gets the header and
 * schema check only, so that a store of a million conversations still starts in about a second.
 */
const QUICK_CHECK_MAX_BYTES = 64 * 1024 * 1024;

export interface SqliteStoreOptions {
  /** An item is forgotten this long after its last write; 0 or unset keeps it for ever. */
  ttlSeconds?: number;
  /** How long a write waits for another process's write to finish before failing as unavailable. */
  busyTimeoutMs?: number;
  /** Told what the store did on its own: an import, a sweep that failed, damage it found (once). */
  onWarn?: (message: string, err?: unknown) => void;
  /** Told what the start-up check found when it found nothing wrong. */
  onInfo?: (message: string) => void;
  /** Clock, for tests. */
  now?: () => number;
}

interface Row {
  version: number;
  value: string;
}

/** What the store knows about damage in its file, for /readyz and /metrics. */
export interface StoreDamage {
  /** SQLite's finding, the first time. */
  finding: string;
  /** Items (conversations, cases, transcripts) this process found on damaged pages and started over. */
  lostItems: number;
}

/** One `write` or `delete` call waiting for the next commit. */
interface Pending {
  kind: 'write' | 'delete' | 'append';
  /** For a write: key → [expected eTag or undefined, JSON without the eTag]. */
  writes?: Array<[string, string | undefined, string]>;
  /** For a delete, or the one key of an append. */
  keys?: string[];
  /** For an append: the entries' JSON, and how many of the newest entries the list keeps. */
  entries?: string[];
  keep?: number;
  resolve(): void;
  reject(err: unknown): void;
}

/** The open database and its statements, prepared once. */
interface Connection {
  db: Database.Database;
  /** The database file's inode when it was opened: writes to a file since removed or replaced would be lost. */
  inode: number;
  select: Database.Statement<[string, number], Row>;
  /** The eTag check needs only the version: the stored JSON is not read back on a write. */
  selectVersion: Database.Statement<[string, number], number>;
  /** One transaction function for every batch, compiled once (better-sqlite3 wraps it in BEGIN/COMMIT). */
  applyBatch: Database.Transaction<(batch: readonly Pending[], now: number, expiresAt: number | null) => Map<Pending, ETagConflictError>>;
  upsert: Database.Statement<[string, string, number | null]>;
  remove: Database.Statement<[string]>;
  sweepChunk: Database.Statement<[number, number]>;
  probe: Database.Statement<[string]>;
  listHead: Database.Statement<[string], { length: number; dropped: number; expires_at: number | null }>;
  listEntries: Database.Statement<[string], string>;
  listPush: Database.Statement<[string, string]>;
  listSet: Database.Statement<[string, number, number, number | null]>;
  listTrim: Database.Statement<[string, number]>;
  listRemove: Database.Statement<[string]>;
  listRemoveHead: Database.Statement<[string]>;
  listsExpired: Database.Statement<[number, number], string>;
}

/**
 * Botbuilder `Storage` in a SQLite database (better-sqlite3), `DATA_DIR/state/conversations.db`.
 *
 * - eTags are the row's `version`, an AUTOINCREMENT id that every write takes anew: SQLite never
 *   hands out an id twice in one database, so an eTag is never reused, even after a delete or
 *   across processes. The eTag check and the write happen in one `BEGIN IMMEDIATE` transaction,
 *   which holds SQLite's write lock (a file lock), so compare-and-set is atomic across processes.
 * - Durable before the reply: WAL with `synchronous=FULL`, so a commit is fsynced before `write`
 *   resolves. Writes that arrive in the same event-loop turn share one transaction and one fsync
 *   (group commit); each keeps its own eTag check and its own outcome.
 * - better-sqlite3 is synchronous: a commit blocks the event loop for one fsync. Statements are
 *   prepared once; nothing is kept in memory per stored item.
 * - Any SQLite failure (disk full, I/O error, locked too long, file gone) fails the call with
 *   `StorageUnavailableError` and leaves the database as it was before the transaction. A file
 *   that cannot be opened for such a reason (a full disk at start) leaves the store not ready,
 *   and every later call and readiness check tries to open it again.
 * - A damaged page costs only the items stored on it: their keys move to new rows (`lost_keys`),
 *   the bot tells those users it lost track, and everything else goes on. See `relocate`.
 * - With `ttlSeconds`, every write sets `expires_at`; expired rows are never served and are
 *   deleted in small chunks by a timer.
 * - The first open imports the journal store's `journal.log` (and the older file-per-key layout).
 */
export class SqliteStore implements Storage {
  readonly dir: string;
  readonly file: string;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly warn: (message: string, err?: unknown) => void;
  private readonly info: (message: string) => void;
  private readonly busyTimeoutMs: number;
  private connection: Connection | undefined;
  /** Why the database could not be opened yet (a full disk): said once, and by every failed call. */
  private openFailure: StorageUnavailableError | undefined;
  private pending: Pending[] = [];
  private flushScheduled = false;
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;
  /**
   * Keys whose rows sit on a damaged page, and where they live now. The old row can be neither
   * read nor deleted (that too reads the page), so the key gets a new row under another name;
   * `lost_keys` in the database is the record every process shares, this map its cache.
   */
  private readonly moved = new Map<string, { to: string; at: number }>();
  private damageFound: StoreDamage | undefined;

  constructor(dir: string, options: SqliteStoreOptions = {}) {
    if (typeof dir !== 'string' || dir.trim() === '') throw new TypeError('SqliteStore: a data directory is required.');
    this.dir = path.resolve(dir);
    this.file = path.join(this.dir, DATABASE_FILE);
    this.ttlMs = Math.max(0, options.ttlSeconds ?? 0) * 1000;
    if (!Number.isFinite(this.ttlMs)) throw new TypeError('SqliteStore: ttlSeconds must be a finite number.');
    this.now = options.now ?? Date.now;
    this.warn = options.onWarn ?? (() => {});
    this.info = options.onInfo ?? (() => {});
    this.busyTimeoutMs = options.busyTimeoutMs ?? 2000;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.accessSync(this.dir, fs.constants.R_OK | fs.constants.W_OK);
    } catch (err) {
      throw new Error(`SqliteStore: cannot use "${this.dir}" as data directory (${describe(err)}). Point DATA_DIR to a writable directory.`, {
        cause: err,
      });
    }
    try {
      this.connection = this.connect();
    } catch (err) {
      // A full disk passes: the store starts not ready, and opens once there is room. Anything
      // else (a foreign or damaged file, no permission, a newer schema) needs the operator.
      if (!isOutOfRoom(err)) throw err;
      this.openFailure = unavailable(`cannot open ${this.file} yet, the disk is full; trying again at every readiness check`, (err as Error).cause ?? err);
      this.warn(this.openFailure.message, err);
    }
    if (this.ttlMs > 0) {
      this.sweeper = setInterval(() => this.sweep(), Math.min(this.ttlMs, 10 * 60_000));
      this.sweeper.unref();
    }
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    const c = this.open();
    const items: StoreItems = {};
    const now = this.now();
    for (const key of keys) {
      const item = this.readItem(c, key, now);
      if (item) items[key] = item;
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new ReferenceError('Changes are required when writing.');
    // Serialised now: a caller changing its objects after this call cannot change what is stored.
    const writes: Array<[string, string | undefined, string]> = [];
    for (const [key, item] of Object.entries(changes)) {
      const { eTag, ...rest } = asItem(key, item);
      writes.push([key, typeof eTag === 'string' && eTag !== '' && eTag !== '*' ? eTag : undefined, JSON.stringify(rest)]);
    }
    if (writes.length === 0) return;
    return this.enqueue({ kind: 'write', writes });
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new ReferenceError('Keys are required when deleting.');
    if (keys.length === 0) return;
    return this.enqueue({ kind: 'delete', keys: [...keys] });
  }

  /**
   * Appends entries to the list at `key` (a row each: nothing already stored is rewritten) and
   * keeps its newest `keep`; the list's expiry restarts, as an item's does on a write.
   */
  async append(key: string, entries: readonly unknown[], keep: number): Promise<void> {
    if (!Number.isInteger(keep) || keep < 1) throw new TypeError('SqliteStore: keep must be a positive whole number.');
    if (entries.length === 0) return;
    return this.enqueue({ kind: 'append', keys: [key], entries: entries.map((entry) => JSON.stringify(entry)), keep });
  }

  /**
   * The list at `key`, oldest first, and how many older entries were dropped to keep it short.
   * A list on a damaged page starts over; what it held is counted as dropped when that is known.
   */
  async list(key: string): Promise<{ entries: unknown[]; dropped: number }> {
    const c = this.open();
    const where = this.where(key);
    try {
      return this.guard('read', () => {
        const head = c.listHead.get(where);
        if (!head || (head.expires_at !== null && head.expires_at <= this.now())) return { entries: [], dropped: 0 };
        return { entries: c.listEntries.all(where).map((json) => JSON.parse(json) as unknown), dropped: head.dropped };
      });
    } catch (err) {
      if (!isDamageError(err)) throw err;
      let head: { length: number; dropped: number } | undefined;
      try {
        head = c.listHead.get(where);
      } catch {
        // The head is damaged too: how much was lost is not known.
      }
      this.relocate(c, key, err);
      const dropped = head ? head.length + head.dropped : 0;
      // The new list starts with the count of what was lost, so that later reads still say it.
      if (dropped > 0) this.commit(c, 'write', () => c.listSet.run(this.where(key), 0, dropped, this.ttlMs > 0 ? this.now() + this.ttlMs : null));
      return { entries: [], dropped };
    }
  }

  /**
   * Readiness: a small committed write. It fails while the disk is full or the file is gone, and
   * succeeds again once writes do. Damage found earlier does not fail it: see `damage()`.
   */
  async ping(): Promise<void> {
    const c = this.open();
    this.assertInPlace(c);
    const probe = c.db.transaction(() => void c.probe.run(new Date(this.now()).toISOString()));
    this.commit(c, 'ping', () => probe.immediate());
  }

  /** Damage this process found in the file (at the start-up check, or reading a page since), if any. */
  damage(): StoreDamage | undefined {
    return this.damageFound && { ...this.damageFound };
  }

  /**
   * When the item at `key` was found on a damaged page and started over, within the state's
   * lifetime: the bot then tells the user it lost track, rather than welcoming them as new.
   */
  lostAt(key: string): number | undefined {
    const moved = this.moved.get(key);
    // At 0: carried aside whole from next to a damaged page, nothing lost.
    if (!moved || moved.at === 0) return undefined;
    return this.ttlMs > 0 && this.now() - moved.at > this.ttlMs ? undefined : moved.at;
  }

  /** Waits for the writes already accepted, then closes the database (which checkpoints its WAL). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.flush();
    this.connection?.db.close();
  }

  /** Every stored key that has not expired: for tools and tests that look at what a restart would find. */
  keys(): string[] {
    const c = this.open();
    let physical: string[];
    try {
      physical = c.db
        .prepare<[number], string>('SELECT key FROM items WHERE expires_at IS NULL OR expires_at > ?')
        .pluck()
        .all(this.now());
    } catch (err) {
      if (!isDamage(err)) throw err;
      // From the key index alone (the damaged rows are not read), expired rows not yet swept included.
      const moved = new Set(this.moved.keys());
      physical = c.db
        .prepare<[], string>('SELECT key FROM items INDEXED BY sqlite_autoindex_items_1')
        .pluck()
        .all()
        .filter((key) => !moved.has(key));
    }
    return physical.map((key) => (key.startsWith(MOVED_PREFIX) ? key.slice(key.indexOf(' ', MOVED_PREFIX.length) + 1) : key)).sort();
  }

  /** Deletes expired rows, a chunk per event-loop turn. */
  sweep(): void {
    const c = this.connection;
    if (this.closed || this.ttlMs === 0 || !c) return;
    try {
      const now = this.now();
      const { changes } = c.sweepChunk.run(now, SWEEP_CHUNK);
      const lists = c.listsExpired.all(now, SWEEP_CHUNK / 10);
      if (lists.length > 0) c.db.transaction(() => lists.forEach((key) => this.removeList(c, key)))();
      if (changes === SWEEP_CHUNK || lists.length === SWEEP_CHUNK / 10) setImmediate(() => this.sweep());
    } catch (err) {
      // Expired rows on a damaged page stay until the file is recovered; the damage is told once.
      if (isDamage(err)) this.noteDamage(describe(err), err);
      else this.warn('SqliteStore: could not delete expired conversations; trying again later', err);
    }
  }

  // --- reading ---

  /** One item, or nothing: also when its row is damaged (unreadable, or not the JSON written), after which the key starts over. */
  private readItem(c: Connection, key: string, now: number): Record<string, unknown> | undefined {
    const where = this.where(key);
    try {
      const row = this.guard('read', () => c.select.get(where, now));
      if (!row) return undefined;
      const item = parseStored(row.value);
      item.eTag = String(row.version);
      return item;
    } catch (err) {
      if (!isDamageError(err)) throw err;
      this.relocate(c, key, err);
      return undefined;
    }
  }

  private where(key: string): string {
    return this.moved.get(key)?.to ?? key;
  }

  /** The key's row is on a damaged page: it starts over in a new row, and its user is told (`lostAt`). */
  private relocate(c: Connection, key: string, err: unknown): void {
    this.noteDamage(describe((err as { cause?: unknown }).cause ?? err), err);
    this.moveKeys(c, [key], 'lost');
  }

  /**
   * Gives keys new rows under new names, recorded in `lost_keys` in one small transaction so that
   * every process follows (a key another process moved already keeps that move).
   * - `lost`: its row is on a damaged page, so the new row starts empty.
   * - `carried`: its rows read well, but changing them touches the damaged page (SQLite balances a
   *   page with its neighbours), so they are copied whole (`lost_at` 0: nothing lost). The copies
   *   take new versions: a write that carried the old eTag meets a conflict and its turn reads again.
   */
  private moveKeys(c: Connection, keys: readonly string[], how: 'lost' | 'carried'): void {
    const at = how === 'lost' ? this.now() : 0;
    const move = c.db.transaction(() => {
      c.db.exec('CREATE TABLE IF NOT EXISTS lost_keys (key TEXT PRIMARY KEY, moved_to TEXT NOT NULL, lost_at INTEGER NOT NULL)');
      const known = c.db.prepare<[string], { moved_to: string; lost_at: number }>('SELECT moved_to, lost_at FROM lost_keys WHERE key = ?');
      return keys.map((key) => {
        const from = this.where(key);
        const earlier = known.get(key);
        if (earlier && earlier.moved_to !== from) return { key, to: earlier.moved_to, at: earlier.lost_at, fresh: false };
        const to = `${MOVED_PREFIX}${randomUUID()} ${key}`;
        c.db.prepare('INSERT OR REPLACE INTO lost_keys (key, moved_to, lost_at) VALUES (?, ?, ?)').run(key, to, at);
        if (how === 'carried') {
          c.db.prepare('INSERT INTO items (key, value, expires_at) SELECT ?, value, expires_at FROM items WHERE key = ?').run(to, from);
          c.db.prepare('INSERT INTO lists (key, length, dropped, expires_at) SELECT ?, length, dropped, expires_at FROM lists WHERE key = ?').run(to, from);
          c.db.prepare('INSERT INTO list_entries (key, value) SELECT ?, value FROM list_entries WHERE key = ? ORDER BY id').run(to, from);
        }
        return { key, to, at, fresh: true };
      });
    });
    for (const moved of this.commit(c, 'write', () => move.immediate())) {
      this.moved.set(moved.key, { to: moved.to, at: moved.at });
      if (moved.fresh && how === 'lost') this.damageFound!.lostItems++;
    }
  }

  /** The first damage is logged, with what to do; later finds only count (see `damage()`). */
  private noteDamage(finding: string, err: unknown): void {
    if (this.damageFound) return;
    this.damageFound = { finding, lostItems: 0 };
    this.warn(damagedMessage(this.file, finding, 'pages'), err);
  }

  // --- writing ---

  private enqueue(entry: Omit<Pending, 'resolve' | 'reject'>): Promise<void> {
    if (this.closed) return Promise.reject(new StorageUnavailableError('SqliteStore: the store is closed.'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ ...entry, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // setImmediate, not a microtask: the turns whose I/O completed in this loop iteration join the batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Commits everything pending in one transaction, then settles each call. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    let c: Connection;
    try {
      // The connection itself after close(): the writes accepted before it still go in.
      c = this.connection ?? this.open();
      this.assertInPlace(c);
    } catch (err) {
      for (const call of batch) call.reject(err);
      return;
    }
    try {
      this.settle(batch, this.commitBatch(c, batch));
    } catch (err) {
      if (!isDamageError(err)) {
        for (const call of batch) call.reject(err);
        return;
      }
      // A write that meets a damaged page spoils the whole transaction (SQLite refuses every later
      // write in it), so the batch is rolled back, its keys read one by one outside any
      // transaction to find those on the page, and each call tried again on its own.
      for (const call of batch) for (const key of keysOf(call)) this.probeKey(c, key);
      for (const call of batch) {
        try {
          this.settle([call], this.commitBatch(c, [call]));
        } catch (again) {
          if (!isDamageError(again)) {
            call.reject(again);
            continue;
          }
          // Its rows read well, but changing them touches the damaged page: carried aside, tried once more.
          try {
            this.moveKeys(c, keysOf(call), 'carried');
            this.settle([call], this.commitBatch(c, [call]));
          } catch (last) {
            call.reject(last);
          }
        }
      }
    }
  }

  private commitBatch(c: Connection, batch: readonly Pending[]): Map<Pending, ETagConflictError> {
    const expiresAt = this.ttlMs > 0 ? this.now() + this.ttlMs : null;
    return this.commit(c, 'write', () => c.applyBatch.immediate(batch, this.now(), expiresAt));
  }

  private settle(batch: readonly Pending[], conflicts: Map<Pending, ETagConflictError>): void {
    for (const call of batch) {
      const conflict = conflicts.get(call);
      if (conflict) call.reject(conflict);
      else call.resolve();
    }
  }

  /** Reads what a write to `key` would touch (its row, its list); a damaged page moves the key. */
  private probeKey(c: Connection, key: string): void {
    const where = this.where(key);
    try {
      this.guard('read', () => {
        c.select.get(where, 0);
        if (c.listHead.get(where)) c.listEntries.all(where);
      });
    } catch (err) {
      if (!isDamageError(err)) return;
      try {
        this.relocate(c, key, err);
      } catch {
        // The call fails on its own try, with its own error.
      }
    }
  }

  /** The body of a batch's transaction: each call keeps its own eTag check and its own outcome. */
  private applyNow(c: Connection, batch: readonly Pending[], now: number, expiresAt: number | null): Map<Pending, ETagConflictError> {
    const conflicts = new Map<Pending, ETagConflictError>();
    for (const call of batch) {
      if (call.kind === 'delete') {
        for (const key of call.keys!) {
          c.remove.run(this.where(key));
          this.removeList(c, this.where(key));
        }
        continue;
      }
      if (call.kind === 'append') {
        this.appendNow(c, this.where(call.keys![0]!), call.entries!, call.keep!, now, expiresAt);
        continue;
      }
      for (const [key, expected, json] of call.writes!) {
        if (expected !== undefined) {
          const current = c.selectVersion.get(this.where(key), now);
          if (current !== undefined && String(current) !== expected) {
            if (!conflicts.has(call)) conflicts.set(call, new ETagConflictError(key));
            continue;
          }
        }
        c.upsert.run(this.where(key), json, expiresAt);
      }
    }
    return conflicts;
  }

  private appendNow(c: Connection, key: string, entries: readonly string[], keep: number, now: number, expiresAt: number | null): void {
    let head = c.listHead.get(key);
    if (head && head.expires_at !== null && head.expires_at <= now) {
      this.removeList(c, key);
      head = undefined;
    }
    for (const json of entries) c.listPush.run(key, json);
    const length = (head?.length ?? 0) + entries.length;
    const over = Math.max(0, length - keep);
    if (over > 0) c.listTrim.run(key, over);
    c.listSet.run(key, length - over, (head?.dropped ?? 0) + over, expiresAt);
  }

  private removeList(c: Connection, key: string): void {
    c.listRemove.run(key);
    c.listRemoveHead.run(key);
  }

  // --- opening ---

  /** The open connection, or another try at opening it (after a full disk at start). */
  private open(): Connection {
    if (this.closed) throw new StorageUnavailableError('SqliteStore: the store is closed.');
    if (this.connection) return this.connection;
    try {
      this.connection = this.connect();
    } catch (err) {
      if (!isOutOfRoom(err)) throw err;
      throw this.openFailure!;
    }
    this.openFailure = undefined;
    this.info(`SqliteStore: opened ${this.file}; there is room on the disk again`);
    return this.connection;
  }

  private connect(): Connection {
    const db = openDatabase(this.file, this.busyTimeoutMs);
    try {
      const c: Connection = {
        db,
        inode: fs.statSync(this.file).ino,
        select: db.prepare('SELECT version, value FROM items WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)'),
        selectVersion: db.prepare<[string, number], number>('SELECT version FROM items WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)').pluck(),
        // REPLACE deletes the old row and inserts a new one, which takes the next version.
        upsert: db.prepare('INSERT OR REPLACE INTO items (key, value, expires_at) VALUES (?, ?, ?)'),
        remove: db.prepare('DELETE FROM items WHERE key = ?'),
        sweepChunk: db.prepare('DELETE FROM items WHERE version IN (SELECT version FROM items WHERE expires_at <= ? LIMIT ?)'),
        probe: db.prepare("INSERT OR REPLACE INTO meta (name, value) VALUES ('probe', ?)"),
        listHead: db.prepare('SELECT length, dropped, expires_at FROM lists WHERE key = ?'),
        listEntries: db.prepare<[string], string>('SELECT value FROM list_entries WHERE key = ? ORDER BY id').pluck(),
        listPush: db.prepare('INSERT INTO list_entries (key, value) VALUES (?, ?)'),
        listSet: db.prepare('INSERT OR REPLACE INTO lists (key, length, dropped, expires_at) VALUES (?, ?, ?, ?)'),
        listTrim: db.prepare('DELETE FROM list_entries WHERE id IN (SELECT id FROM list_entries WHERE key = ? ORDER BY id LIMIT ?)'),
        listRemove: db.prepare('DELETE FROM list_entries WHERE key = ?'),
        listRemoveHead: db.prepare('DELETE FROM lists WHERE key = ?'),
        listsExpired: db.prepare<[number, number], string>('SELECT key FROM lists WHERE expires_at <= ? LIMIT ?').pluck(),
        applyBatch: undefined as never,
      };
      c.applyBatch = db.transaction((batch: readonly Pending[], now: number, expiresAt: number | null) => this.applyNow(c, batch, now, expiresAt));
      this.loadMovedKeys(db);
      this.importEarlierStores(c);
      this.checkAtStart(db);
      return c;
    } catch (err) {
      db.close();
      if (isDamage(err)) throw new Error(damagedMessage(this.file, describe(err), 'file'), { cause: err });
      throw err;
    }
  }

  /** Keys moved off damaged pages before (by any process); an older database has no such table. */
  private loadMovedKeys(db: Database.Database): void {
    const exists = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'lost_keys'").get();
    if (!exists) return;
    for (const row of db.prepare<[], { key: string; moved_to: string; lost_at: number }>('SELECT key, moved_to, lost_at FROM lost_keys').iterate()) {
      this.moved.set(row.key, { to: row.moved_to, at: row.lost_at });
    }
  }

  /**
   * A cheap look at the whole file before serving: `quick_check` (every page read, no index
   * cross-check) when the file is small enough, else only the header and schema, already read by
   * the open. Damage found here is told once and the store serves what is readable.
   */
  private checkAtStart(db: Database.Database): void {
    const bytes = fs.statSync(this.file).size;
    const mb = (bytes / 1024 / 1024).toFixed(1);
    if (bytes > QUICK_CHECK_MAX_BYTES) {
      this.info(`SqliteStore: start-up check of ${this.file}: header and schema readable; quick_check skipped for a file of ${mb} MB (run it by hand: see src/storage/README.md)`);
      return;
    }
    const started = performance.now();
    let problems: string[];
    try {
      problems = (db.pragma('quick_check(5)', { simple: false }) as Array<{ quick_check: string }>).map((p) => p.quick_check);
    } catch (err) {
      if (!isDamage(err)) throw err;
      problems = [`quick_check stopped: ${describe(err)}`];
    }
    const ms = Math.round(performance.now() - started);
    if (problems.length === 1 && problems[0] === 'ok') {
      this.info(`SqliteStore: start-up check of ${this.file}: quick_check ok (${mb} MB in ${ms} ms)`);
      return;
    }
    this.noteDamage(`start-up quick_check: ${problems.map((p) => p.replace(/\s*\n\s*/g, '; ')).join('; ')}`, undefined);
  }

  /**
   * The journal store's data, once: inside one transaction that also records the import, so that
   * an import cut short is done again from the start, and one that committed is never repeated.
   */
  private importEarlierStores(c: Connection): void {
    const { db } = c;
    const journal = path.join(this.dir, 'journal.log');
    const hasJournal = fs.existsSync(journal);
    const legacy = fs.readdirSync(this.dir).filter((name) => /^[0-9a-f]{64}\.json(\..*\.tmp)?$/.test(name));
    if (!hasJournal && legacy.length === 0) return;
    const insert = db.prepare<[string, string, number | null]>('INSERT OR REPLACE INTO items (key, value, expires_at) VALUES (?, ?, ?)');
    const put = (key: string, json: string, writtenAt: number) => {
      const expiresAt = this.ttlMs > 0 ? writtenAt + this.ttlMs : null;
      if (expiresAt !== null && expiresAt <= this.now()) c.remove.run(key);
      else insert.run(key, stripETag(json), expiresAt);
    };
    const done = db.prepare<[string], string>('SELECT value FROM meta WHERE name = ?').pluck();
    const mark = db.prepare<[string, string]>('INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)');
    let lines = 0;
    let files: string[] = [];
    const run = db.transaction(() => {
      // Another process may have imported while this one waited for the lock.
      if (hasJournal && done.get('imported journal.log') === undefined) {
        lines = importJournal(journal, { put, remove: (key) => void c.remove.run(key) });
        mark.run('imported journal.log', new Date(this.now()).toISOString());
      }
      files = importLegacyFiles(this.dir, legacy, (key, json) => put(key, json, this.now()), this.warn);
    });
    try {
      run.immediate();
    } catch (err) {
      if (isSqliteError(err)) throw unavailable(`cannot import the earlier store into ${this.file}`, err);
      throw err;
    }
    if (hasJournal) {
      renameIfPresent(journal, `${journal}.imported`);
      fs.rmSync(path.join(this.dir, 'journal.lock'), { force: true });
    }
    for (const file of files) fs.rmSync(file, { force: true });
    this.warn(
      `SqliteStore: imported ${lines} journal lines (journal.log is kept as journal.log.imported) and ${files.filter((f) => !f.endsWith('.tmp')).length} files of the file-per-key layout into ${this.file}`,
    );
  }

  /**
   * Runs a write transaction. When the disk is full, the WAL may be what fills it (it grows until
   * a checkpoint, 4 MB by default): it is checkpointed into the database and cut back, and the
   * transaction tried once more. Otherwise, or if that fails too, the call fails as unavailable.
   */
  private commit<T>(c: Connection, operation: string, transaction: () => T): T {
    try {
      return this.guard(operation, transaction);
    } catch (err) {
      if (errorCode((err as { cause?: unknown }).cause) !== 'SQLITE_FULL' || !checkpoint(c.db)) throw err;
      return this.guard(operation, transaction);
    }
  }

  private assertInPlace(c: Connection): void {
    let inode: number | undefined;
    try {
      inode = fs.statSync(this.file).ino;
    } catch {
      // Gone: reported below.
    }
    if (inode !== c.inode) throw unavailable(`${this.file} was removed or replaced while open; restart the bot to open it again`);
  }

  /** Runs a database call; SQLite's own failures become `StorageUnavailableError` naming the file. */
  private guard<T>(operation: string, call: () => T): T {
    try {
      return call();
    } catch (err) {
      if (err instanceof ETagConflictError || !isSqliteError(err)) throw err;
      throw unavailable(`${operation} failed on ${this.file}`, err);
    }
  }
}

/** Copies the WAL into the database and truncates it; false if that could not be done now. */
function checkpoint(db: Database.Database): boolean {
  try {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    return result?.busy === 0;
  } catch {
    return false;
  }
}

function keysOf(call: Pending): string[] {
  return call.writes?.map(([key]) => key) ?? call.keys!;
}

/** Keys moved off a damaged page start with this, so they sort apart from every real key (and its index page). */
const MOVED_PREFIX = '\u0001moved ';

/** A stored value that is not the JSON written is damage too (a page that SQLite's checks let through). */
function parseStored(json: string): Record<string, unknown> {
  try {
    const item = JSON.parse(json) as unknown;
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) return item as Record<string, unknown>;
  } catch {
    // Below.
  }
  throw unavailable('a stored item is not the JSON written', Object.assign(new Error('stored value does not parse'), { code: 'SQLITE_CORRUPT_VALUE' }));
}

/**
 * Opens (or creates) the database and checks that it is one this code can use. Nothing here
 * writes to a file that is not a healthy database of ours: a damaged or foreign file stops the
 * start with a message naming it and saying what to do.
 */
function openDatabase(file: string, busyTimeoutMs: number): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: busyTimeoutMs });
  } catch (err) {
    throw new Error(
      `SqliteStore: cannot open ${file} (${describe(err)}). Check that the user running the bot may read and write it and its directory.`,
      { cause: err },
    );
  }
  try {
    // Reads the header and schema: a file that is not a database fails here, before any write.
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`SqliteStore: ${file} was written by a newer version of the bot (schema ${version}); run that version, or restore a backup.`);
    }
    db.pragma('journal_mode = WAL');
    // FULL: in WAL mode NORMAL does not fsync a commit, so a power cut could lose acknowledged turns.
    db.pragma('synchronous = FULL');
    // After each checkpoint the WAL shrinks back, so that a full disk shows at the next write
    // instead of being hidden by reused WAL space.
    db.pragma('journal_size_limit = 0');
    // A checkpoint every 100 pages (400 KB) instead of 1,000 (4 MB): the WAL stays small on a small
    // volume, and each checkpoint (run inside a commit, on the event loop) stays short.
    db.pragma('wal_autocheckpoint = 100');
    // Only a new database is written to here: opening one of ours must not change it.
    if (version < SCHEMA_VERSION) {
      db.transaction(() =>
        db.exec(`
          CREATE TABLE IF NOT EXISTS items (
            version INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL UNIQUE,
            value TEXT NOT NULL,
            expires_at INTEGER
          );
          CREATE INDEX IF NOT EXISTS items_expires_at ON items (expires_at) WHERE expires_at IS NOT NULL;
          CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
          CREATE TABLE IF NOT EXISTS lists (key TEXT PRIMARY KEY, length INTEGER NOT NULL, dropped INTEGER NOT NULL, expires_at INTEGER);
          CREATE INDEX IF NOT EXISTS lists_expires_at ON lists (expires_at) WHERE expires_at IS NOT NULL;
          CREATE TABLE IF NOT EXISTS list_entries (id INTEGER PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL);
          CREATE INDEX IF NOT EXISTS list_entries_key ON list_entries (key, id);
          PRAGMA user_version = ${SCHEMA_VERSION};
        `),
      ).immediate();
    }
    return db;
  } catch (err) {
    db.close();
    const code = errorCode(err);
    if (isDamage(err)) throw new Error(damagedMessage(file, describe(err), 'file'), { cause: err });
    if (isSqliteError(err)) {
      throw new Error(
        `SqliteStore: cannot use ${file} (${describe(err)}). Check that the disk has room and that the user running the bot may read and write the file and its directory.`,
        { cause: err },
      );
    }
    throw err;
  }
}

function isDamage(err: unknown): boolean {
  const code = errorCode(err) ?? '';
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}

/** A call's failure (`StorageUnavailableError` from `guard`) that SQLite gave for a damaged page. */
function isDamageError(err: unknown): boolean {
  return isDamage((err as { cause?: unknown } | null)?.cause);
}

/** Damaged pages: the rest is served. A damaged file (header, schema): the bot cannot start on it, and leaves it as it is. */
function damagedMessage(file: string, finding: string, scope: 'pages' | 'file'): string {
  const effect =
    scope === 'pages'
      ? 'The conversations on damaged pages start over (their users are told); the others go on.'
      : 'It was left as it is, and the bot does not start on it.';
  return (
    `SqliteStore: ${file} is damaged (${finding}). ${effect} ` +
    `To recover, follow "A damaged database" in src/storage/README.md: stop every bot using this DATA_DIR, keep a copy of the three files, ` +
    `then restore a backup, or save what is readable with \`sqlite3 ${file} .recover | sqlite3 ${file}.recovered\` ` +
    `and move the recovered file into its place (with no -wal and -shm files beside it). Moving it aside starts with no stored conversations.`
  );
}

function asItem(key: string, item: unknown): Record<string, unknown> {
  if (item === null || typeof item !== 'object') throw new TypeError(`SqliteStore: the item for "${key}" must be an object.`);
  return item as Record<string, unknown>;
}

/** An imported item's JSON without its old eTag: it gets a version of this database. */
function stripETag(json: string): string {
  const { eTag: _eTag, ...rest } = JSON.parse(json) as Record<string, unknown>;
  return JSON.stringify(rest);
}

function renameIfPresent(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
  }
}

/**
 * By its code, not `instanceof`: the native addon keeps the error class of the first copy of
 * better-sqlite3 loaded, which under jest is another file's realm, with another `Error`.
 */
function isSqliteError(err: unknown): boolean {
  return (errorCode(err) ?? '').startsWith('SQLITE_');
}

function unavailable(what: string, err?: unknown): StorageUnavailableError {
  return new StorageUnavailableError(`SqliteStore: ${what}${err === undefined ? '' : ` (${describe(err)})`}.`, { cause: err });
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(err: unknown): string {
  const code = errorCode(err);
  const message = (err as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' ? message : String(err);
  return code && !text.includes(code) ? `${code}: ${text}` : text;
}
