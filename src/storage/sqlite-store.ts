import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Storage, StoreItems } from 'botbuilder';

import { ETagConflictError, StorageUnavailableError } from './errors';
import { importJournal, importLegacyFiles } from './journal-import';

/** The database's name in its directory; `-wal` and `-shm` files sit next to it while it is open. */
export const DATABASE_FILE = 'conversations.db';
/** The layout this code writes (`PRAGMA user_version`). */
const SCHEMA_VERSION = 1;
/** Expired rows are deleted this many at a time, so that no sweep blocks the event loop for long. */
const SWEEP_CHUNK = 500;

export interface SqliteStoreOptions {
  /** An item is forgotten this long after its last write; 0 or unset keeps it for ever. */
  ttlSeconds?: number;
  /** How long a write waits for another process's write to finish before failing as unavailable. */
  busyTimeoutMs?: number;
  /** Told what the store did on its own: an import, a sweep that failed. */
  onWarn?: (message: string, err?: unknown) => void;
  /** Clock, for tests. */
  now?: () => number;
}

interface Row {
  version: number;
  value: string;
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
 *   `StorageUnavailableError` and leaves the database as it was before the transaction.
 * - With `ttlSeconds`, every write sets `expires_at`; expired rows are never served and are
 *   deleted in small chunks by a timer.
 * - The first open imports the journal store's `journal.log` (and the older file-per-key layout).
 */
export class SqliteStore implements Storage {
  readonly dir: string;
  readonly file: string;
  private readonly db: Database.Database;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly warn: (message: string, err?: unknown) => void;
  private readonly select: Database.Statement<[string, number], Row>;
  /** The eTag check needs only the version: the stored JSON is not read back on a write. */
  private readonly selectVersion: Database.Statement<[string, number], number>;
  /** One transaction function for every batch, compiled once (better-sqlite3 wraps it in BEGIN/COMMIT). */
  private readonly applyBatch: Database.Transaction<(batch: readonly Pending[], now: number, expiresAt: number | null) => Map<Pending, ETagConflictError>>;
  private readonly upsert: Database.Statement<[string, string, number | null]>;
  private readonly remove: Database.Statement<[string]>;
  private readonly sweepChunk: Database.Statement<[number, number]>;
  private readonly probe: Database.Statement<[string]>;
  private readonly listHead: Database.Statement<[string], { length: number; dropped: number; expires_at: number | null }>;
  private readonly listEntries: Database.Statement<[string], string>;
  private readonly listPush: Database.Statement<[string, string]>;
  private readonly listSet: Database.Statement<[string, number, number, number | null]>;
  private readonly listTrim: Database.Statement<[string, number]>;
  private readonly listRemove: Database.Statement<[string]>;
  private readonly listRemoveHead: Database.Statement<[string]>;
  private readonly listsExpired: Database.Statement<[number, number], string>;
  private pending: Pending[] = [];
  private flushScheduled = false;
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;
  /** Set once SQLite reported damage: from then on every call fails with it, so nothing is written over good data. */
  private damaged: StorageUnavailableError | undefined;
  /** The database file's inode when it was opened: writes to a file since removed or replaced would be lost. */
  private readonly inode: number;

  constructor(dir: string, options: SqliteStoreOptions = {}) {
    if (typeof dir !== 'string' || dir.trim() === '') throw new TypeError('SqliteStore: a data directory is required.');
    this.dir = path.resolve(dir);
    this.file = path.join(this.dir, DATABASE_FILE);
    this.ttlMs = Math.max(0, options.ttlSeconds ?? 0) * 1000;
    if (!Number.isFinite(this.ttlMs)) throw new TypeError('SqliteStore: ttlSeconds must be a finite number.');
    this.now = options.now ?? Date.now;
    this.warn = options.onWarn ?? (() => {});
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.accessSync(this.dir, fs.constants.R_OK | fs.constants.W_OK);
    } catch (err) {
      throw new Error(`SqliteStore: cannot use "${this.dir}" as data directory (${describe(err)}). Point DATA_DIR to a writable directory.`, {
        cause: err,
      });
    }
    this.db = openDatabase(this.file, options.busyTimeoutMs ?? 2000);
    try {
      this.inode = fs.statSync(this.file).ino;
      this.select = this.db.prepare('SELECT version, value FROM items WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)');
      this.selectVersion = this.db
        .prepare<[string, number], number>('SELECT version FROM items WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)')
        .pluck();
      // REPLACE deletes the old row and inserts a new one, which takes the next version.
      this.upsert = this.db.prepare('INSERT OR REPLACE INTO items (key, value, expires_at) VALUES (?, ?, ?)');
      this.remove = this.db.prepare('DELETE FROM items WHERE key = ?');
      this.sweepChunk = this.db.prepare('DELETE FROM items WHERE version IN (SELECT version FROM items WHERE expires_at <= ? LIMIT ?)');
      this.probe = this.db.prepare("INSERT OR REPLACE INTO meta (name, value) VALUES ('probe', ?)");
      this.listHead = this.db.prepare('SELECT length, dropped, expires_at FROM lists WHERE key = ?');
      this.listEntries = this.db.prepare<[string], string>('SELECT value FROM list_entries WHERE key = ? ORDER BY id').pluck();
      this.listPush = this.db.prepare('INSERT INTO list_entries (key, value) VALUES (?, ?)');
      this.listSet = this.db.prepare('INSERT OR REPLACE INTO lists (key, length, dropped, expires_at) VALUES (?, ?, ?, ?)');
      this.listTrim = this.db.prepare('DELETE FROM list_entries WHERE id IN (SELECT id FROM list_entries WHERE key = ? ORDER BY id LIMIT ?)');
      this.listRemove = this.db.prepare('DELETE FROM list_entries WHERE key = ?');
      this.listRemoveHead = this.db.prepare('DELETE FROM lists WHERE key = ?');
      this.listsExpired = this.db.prepare<[number, number], string>('SELECT key FROM lists WHERE expires_at <= ? LIMIT ?').pluck();
      this.applyBatch = this.db.transaction((batch: readonly Pending[], now: number, expiresAt: number | null) => this.applyNow(batch, now, expiresAt));
      this.importEarlierStores();
    } catch (err) {
      this.db.close();
      if (isDamage(err)) throw new Error(damagedMessage(this.file, describe(err)), { cause: err });
      throw err;
    }
    if (this.ttlMs > 0) {
      this.sweeper = setInterval(() => this.sweep(), Math.min(this.ttlMs, 10 * 60_000));
      this.sweeper.unref();
    }
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    this.assertOpen();
    const items: StoreItems = {};
    const now = this.now();
    for (const key of keys) {
      const row = this.guard('read', () => this.select.get(key, now));
      if (!row) continue;
      const item = JSON.parse(row.value) as Record<string, unknown>;
      item.eTag = String(row.version);
      items[key] = item;
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

  /** The list at `key`, oldest first, and how many older entries were dropped to keep it short. */
  async list(key: string): Promise<{ entries: unknown[]; dropped: number }> {
    this.assertOpen();
    return this.guard('read', () => {
      const head = this.listHead.get(key);
      if (!head || (head.expires_at !== null && head.expires_at <= this.now())) return { entries: [], dropped: 0 };
      return { entries: this.listEntries.all(key).map((json) => JSON.parse(json) as unknown), dropped: head.dropped };
    });
  }

  /**
   * Readiness: a small committed write. It fails while the disk is full or the file is gone, and
   * succeeds again once writes do.
   */
  async ping(): Promise<void> {
    this.assertOpen();
    this.assertInPlace();
    const probe = this.db.transaction(() => void this.probe.run(new Date(this.now()).toISOString()));
    this.commit('ping', () => probe.immediate());
  }

  /** Waits for the writes already accepted, then closes the database (which checkpoints its WAL). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.flush();
    this.db.close();
  }

  /** Every stored key that has not expired: for tools and tests that look at what a restart would find. */
  keys(): string[] {
    this.assertOpen();
    return this.db
      .prepare<[number], string>('SELECT key FROM items WHERE expires_at IS NULL OR expires_at > ? ORDER BY key')
      .pluck()
      .all(this.now());
  }

  /** Deletes expired rows, a chunk per event-loop turn. */
  sweep(): void {
    if (this.closed || this.ttlMs === 0) return;
    try {
      const now = this.now();
      const { changes } = this.sweepChunk.run(now, SWEEP_CHUNK);
      const lists = this.listsExpired.all(now, SWEEP_CHUNK / 10);
      if (lists.length > 0) this.db.transaction(() => lists.forEach((key) => this.removeList(key)))();
      if (changes === SWEEP_CHUNK || lists.length === SWEEP_CHUNK / 10) setImmediate(() => this.sweep());
    } catch (err) {
      this.warn('SqliteStore: could not delete expired conversations; trying again later', err);
    }
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
    const expiresAt = this.ttlMs > 0 ? this.now() + this.ttlMs : null;
    let conflicts: Map<Pending, ETagConflictError>;
    try {
      if (this.damaged) throw this.damaged;
      this.assertInPlace();
      conflicts = this.commit('write', () => this.applyBatch.immediate(batch, this.now(), expiresAt));
    } catch (err) {
      for (const call of batch) call.reject(err);
      return;
    }
    for (const call of batch) {
      const conflict = conflicts.get(call);
      if (conflict) call.reject(conflict);
      else call.resolve();
    }
  }

  /** The body of a batch's transaction: each call keeps its own eTag check and its own outcome. */
  private applyNow(batch: readonly Pending[], now: number, expiresAt: number | null): Map<Pending, ETagConflictError> {
    const conflicts = new Map<Pending, ETagConflictError>();
    for (const call of batch) {
      if (call.kind === 'delete') {
        for (const key of call.keys!) {
          this.remove.run(key);
          this.removeList(key);
        }
        continue;
      }
      if (call.kind === 'append') {
        this.appendNow(call.keys![0]!, call.entries!, call.keep!, now, expiresAt);
        continue;
      }
      for (const [key, expected, json] of call.writes!) {
        if (expected !== undefined) {
          const current = this.selectVersion.get(key, now);
          if (current !== undefined && String(current) !== expected) {
            if (!conflicts.has(call)) conflicts.set(call, new ETagConflictError(key));
            continue;
          }
        }
        this.upsert.run(key, json, expiresAt);
      }
    }
    return conflicts;
  }

  private appendNow(key: string, entries: readonly string[], keep: number, now: number, expiresAt: number | null): void {
    let head = this.listHead.get(key);
    if (head && head.expires_at !== null && head.expires_at <= now) {
      this.removeList(key);
      head = undefined;
    }
    for (const json of entries) this.listPush.run(key, json);
    const length = (head?.length ?? 0) + entries.length;
    const over = Math.max(0, length - keep);
    if (over > 0) this.listTrim.run(key, over);
    this.listSet.run(key, length - over, (head?.dropped ?? 0) + over, expiresAt);
  }

  private removeList(key: string): void {
    this.listRemove.run(key);
    this.listRemoveHead.run(key);
  }

  // --- opening ---

  /**
   * The journal store's data, once: inside one transaction that also records the import, so that
   * an import cut short is done again from the start, and one that committed is never repeated.
   */
  private importEarlierStores(): void {
    const journal = path.join(this.dir, 'journal.log');
    const hasJournal = fs.existsSync(journal);
    const legacy = fs.readdirSync(this.dir).filter((name) => /^[0-9a-f]{64}\.json(\..*\.tmp)?$/.test(name));
    if (!hasJournal && legacy.length === 0) return;
    const insert = this.db.prepare<[string, string, number | null]>('INSERT OR REPLACE INTO items (key, value, expires_at) VALUES (?, ?, ?)');
    const put = (key: string, json: string, writtenAt: number) => {
      const expiresAt = this.ttlMs > 0 ? writtenAt + this.ttlMs : null;
      if (expiresAt !== null && expiresAt <= this.now()) this.remove.run(key);
      else insert.run(key, stripETag(json), expiresAt);
    };
    const done = this.db.prepare<[string], string>('SELECT value FROM meta WHERE name = ?').pluck();
    const mark = this.db.prepare<[string, string]>('INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)');
    let lines = 0;
    let files: string[] = [];
    const run = this.db.transaction(() => {
      // Another process may have imported while this one waited for the lock.
      if (hasJournal && done.get('imported journal.log') === undefined) {
        lines = importJournal(journal, { put, remove: (key) => void this.remove.run(key) });
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
  private commit<T>(operation: string, transaction: () => T): T {
    try {
      return this.guard(operation, transaction);
    } catch (err) {
      if (errorCode((err as { cause?: unknown }).cause) !== 'SQLITE_FULL' || !this.checkpoint()) throw err;
      return this.guard(operation, transaction);
    }
  }

  /** Copies the WAL into the database and truncates it; false if that could not be done now. */
  private checkpoint(): boolean {
    try {
      const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
      return result?.busy === 0;
    } catch {
      return false;
    }
  }

  private assertInPlace(): void {
    let inode: number | undefined;
    try {
      inode = fs.statSync(this.file).ino;
    } catch {
      // Gone: reported below.
    }
    if (inode !== this.inode) throw unavailable(`${this.file} was removed or replaced while open; restart the bot to open it again`);
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageUnavailableError('SqliteStore: the store is closed.');
    if (this.damaged) throw this.damaged;
  }

  /** Runs a database call; SQLite's own failures become `StorageUnavailableError` naming the file. */
  private guard<T>(operation: string, call: () => T): T {
    try {
      return call();
    } catch (err) {
      if (err instanceof ETagConflictError || !isSqliteError(err)) throw err;
      if (isDamage(err)) throw this.markDamaged(err);
      throw unavailable(`${operation} failed on ${this.file}`, err);
    }
  }

  /** SQLite met a damaged page: its own check says what else is wrong, and the store stops. */
  private markDamaged(err: unknown): StorageUnavailableError {
    let findings = describe(err);
    try {
      const problems = this.db.pragma('quick_check(5)', { simple: false }) as Array<{ quick_check: string }>;
      findings = `${findings}; quick_check: ${problems.map((p) => p.quick_check.replace(/\s*\n\s*/g, '; ')).join('; ')}`;
    } catch (checkErr) {
      findings = `${findings}; quick_check failed: ${describe(checkErr)}`;
    }
    this.damaged ??= new StorageUnavailableError(damagedMessage(this.file, findings), { cause: err });
    this.warn(this.damaged.message, err);
    return this.damaged;
  }
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
    if (isDamage(err)) throw new Error(damagedMessage(file, describe(err)), { cause: err });
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

function damagedMessage(file: string, finding: string): string {
  return (
    `SqliteStore: ${file} is damaged (${finding}); it was left as it is and nothing more is written to it. Stop every bot using this DATA_DIR, then ` +
    `restore the file from a backup, or save what is readable with \`sqlite3 ${file} .recover | sqlite3 ${file}.recovered\` ` +
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
