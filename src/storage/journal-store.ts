import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import type { Storage, StoreItems } from 'botbuilder';

import { ETagConflictError, StorageUnavailableError } from './errors';

const JOURNAL = 'journal.log';
const LOCK = 'journal.lock';
const NEWLINE = 0x0a;
/** A line is `<crc32 of the payload, 8 hex digits> <payload>\n`. */
const HEADER_BYTES = 9;
const SCAN_CHUNK = 1 << 20;

const writeAsync = promisify(fs.write);
const fdatasyncAsync = promisify(fs.fdatasync);
const fstatAsync = promisify(fs.fstat);
const readAsync = promisify(fs.read);

export interface JournalStoreOptions {
  /** Bytes of JSON kept in memory for the records used last; the rest is read back from the file. */
  cacheBytes?: number;
  /** Rewrite the journal with only its live records once it is this large and at least half garbage. */
  compactAfterBytes?: number;
  /** Told when the store repaired something on its own (a torn tail cut off, a recovery after an I/O error). */
  onWarn?: (message: string, err?: unknown) => void;
  /** An item is forgotten this long after its last write; 0 or unset keeps it for ever. */
  ttlSeconds?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** Where the current version of a key is: a whole line of the journal. */
interface Entry {
  eTag: string;
  /** When it was written (ms since the epoch), for expiry. */
  at: number;
  offset: number;
  length: number;
  /** The item's JSON until its line is on disk; such an entry is served from here. */
  unflushed?: string;
}

interface Change {
  key: string;
  /** `undefined` for a delete. */
  entry?: Entry;
  /** The line's payload, encoded straight into the batch when it is written. */
  payload: string;
}

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

/** File descriptors counted by the reads in flight, so that compaction never closes one under a read. */
interface Descriptor {
  fd: number;
  readers: number;
  retired: boolean;
}

/** Directories open in this process: the lock file cannot tell this process's own stores apart. */
const openDirs = new Set<string>();

/**
 * Botbuilder `Storage` on the local disk, no server needed: one append-only journal, an index of
 * where each key's latest line is, and the records used last kept in memory.
 *
 * Why a journal: a file per key costs a create, a rename and two fsyncs per write, and the turn
 * loop writes on every turn. Here a write is a line appended to the journal; the lines of every
 * write that arrives while one fsync runs go out together with the next (group commit), so under
 * load many turns share one `fdatasync`. A write resolves only once its line is on disk.
 *
 * - Every line carries a CRC-32. At start the journal is read once to rebuild the index; a torn
 *   last line (a crash mid-append) is cut off, damage anywhere else stops the start with its offset.
 * - Optimistic concurrency as in botbuilder's `MemoryStorage`: a write whose `eTag` is set (and
 *   not `*`) must match the stored one, otherwise it fails with `ETagConflictError`. The index is
 *   in memory and checked and updated synchronously, so compare-and-set is atomic.
 * - When the journal has grown past `compactAfterBytes` and is mostly superseded lines, the live
 *   lines are copied into a new file, which replaces it atomically. Writes wait meanwhile; reads go on.
 * - After an I/O error the writes in flight fail with `StorageUnavailableError` and the index is
 *   rebuilt from what reached the disk, so nothing is served that was not stored.
 * - One process per directory (a lock file holds its pid). Use `RedisStore` to run several instances.
 * - With `ttlSeconds`, an item not written for that long is gone, as a Redis key with a TTL is:
 *   every line carries its write time, so expiry needs no extra writes, and compaction drops it.
 * - A directory of the former one-file-per-key store is imported on open.
 */
export class JournalStore implements Storage {
  readonly dir: string;
  private readonly file: string;
  private readonly lockFile: string;
  private readonly cacheBytes: number;
  /** Journal size from which compaction is considered; raised after a failed compaction. */
  private compactAt: number;
  private readonly warn: (message: string, err?: unknown) => void;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private sweeper: NodeJS.Timeout | undefined;
  private lastExpirySweep = 0;

  private index = new Map<string, Entry>();
  /** JSON of flushed records, least recently used first. */
  private cache = new Map<string, string>();
  private cachedBytes = 0;
  private descriptor!: Descriptor;
  /** Bytes of the journal on disk, and of its lines that are still current. */
  private size = 0;
  private liveBytes = 0;

  private changes: Change[] = [];
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  private failure: StorageUnavailableError | undefined;
  private lastRecovery = 0;
  private closed = false;
  /** eTags are this process's random prefix and a counter: unique without a random draw per write. */
  private readonly eTagPrefix = randomBytes(6).toString('hex');
  private eTagCounter = 0;

  constructor(dir: string, options: JournalStoreOptions = {}) {
    if (typeof dir !== 'string' || dir.trim() === '') {
      throw new TypeError('JournalStore: a data directory is required.');
    }
    this.dir = path.resolve(dir);
    this.file = path.join(this.dir, JOURNAL);
    this.lockFile = path.join(this.dir, LOCK);
    this.cacheBytes = options.cacheBytes ?? 2 * 1024 * 1024;
    this.compactAt = options.compactAfterBytes ?? 64 * 1024 * 1024;
    this.warn = options.onWarn ?? (() => {});
    this.ttlMs = Math.max(0, options.ttlSeconds ?? 0) * 1000;
    this.now = options.now ?? Date.now;
    if (!Number.isFinite(this.ttlMs)) throw new TypeError('JournalStore: ttlSeconds must be a finite number.');
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.accessSync(this.dir, fs.constants.R_OK | fs.constants.W_OK);
    } catch (err) {
      throw new Error(
        `JournalStore: cannot use "${this.dir}" as data directory (${describe(err)}). Point DATA_DIR to a writable directory.`,
        { cause: err },
      );
    }
    this.lock();
    try {
      this.open(true);
      this.importFileStore();
    } catch (err) {
      this.unlock();
      throw err;
    }
    if (this.ttlMs > 0) {
      // Expired items are never served; this only gives their memory back between compactions.
      this.sweeper = setInterval(() => this.dropExpired(), Math.min(this.ttlMs, 10 * 60_000));
      this.sweeper.unref();
    }
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    this.assertUsable();
    const items: StoreItems = {};
    let fromDisk: Promise<void>[] | undefined;
    for (const key of keys) {
      const entry = this.current(key);
      if (!entry) continue;
      const json = entry.unflushed ?? this.cached(key);
      if (json !== undefined) items[key] = JSON.parse(json);
      else (fromDisk ??= []).push(this.readEntry(key, entry).then((item) => void (items[key] = item)));
    }
    if (fromDisk) await Promise.all(fromDisk);
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new ReferenceError('Changes are required when writing.');
    this.assertUsable();
    let conflict: ETagConflictError | undefined;
    let appended = false;
    // Checked and applied to the index in one synchronous pass: no other write can come between.
    for (const [key, item] of Object.entries(changes)) {
      const expected = expectedETag(key, item);
      const current = this.current(key);
      if (expected !== undefined && current && current.eTag !== expected) {
        conflict ??= new ETagConflictError(key);
        continue;
      }
      const eTag = `${this.eTagPrefix}-${(++this.eTagCounter).toString(36)}`;
      const json = JSON.stringify({ ...item, eTag });
      const at = this.now();
      const entry: Entry = { eTag, at, offset: -1, length: 0, unflushed: json };
      this.supersede(key, current);
      this.index.set(key, entry);
      this.changes.push({ key, entry, payload: `${JSON.stringify(key)}\t${eTag}\t${at}\t${json}` });
      appended = true;
    }
    if (appended) await this.commit();
    if (conflict) throw conflict;
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new ReferenceError('Keys are required when deleting.');
    this.assertUsable();
    let appended = false;
    for (const key of keys) {
      const current = this.current(key);
      if (!current) continue;
      this.supersede(key, current);
      this.index.delete(key);
      this.changes.push({ key, payload: `${JSON.stringify(key)}\t\t\t` });
      appended = true;
    }
    if (appended) await this.commit();
  }

  /** Readiness: the store has not failed, and its journal is still a file in the directory. */
  async ping(): Promise<void> {
    this.assertUsable();
    const stat = await fstatAsync(this.descriptor.fd).catch((err: unknown) => {
      throw unavailable('cannot stat the journal', err);
    });
    if (stat.nlink === 0) throw unavailable(`the journal ${this.file} was removed`);
  }

  /** Stops accepting work, waits for every accepted write to reach the disk, and releases the directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    while (this.flushing) await this.flushing.catch(ignore);
    this.retire(this.descriptor);
    this.unlock();
  }

  /** Every stored key: for tools and tests that look at what a restart would find. */
  keys(): string[] {
    this.assertUsable();
    this.dropExpired();
    return [...this.index.keys()];
  }

  /** The journal's size and how much of it is current: for tests, benchmarks and operators. */
  stats(): { keys: number; bytes: number; liveBytes: number; cachedBytes: number } {
    return { keys: this.index.size, bytes: this.size, liveBytes: this.liveBytes, cachedBytes: this.cachedBytes };
  }

  // --- writing ---

  /** Resolves when every change queued so far is on disk. */
  private commit(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    // setImmediate, not a microtask: the turns whose I/O completed in this loop iteration join the batch.
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flushAll());
    return done;
  }

  private async flushAll(): Promise<void> {
    try {
      while (this.changes.length > 0) {
        const changes = this.changes;
        const waiters = this.waiters;
        this.changes = [];
        this.waiters = [];
        try {
          if (this.size > this.compactAt && this.mostlyGarbage()) await this.compact();
          await this.append(changes);
        } catch (err) {
          this.abandonUnflushed(err, waiters);
          return;
        }
        for (const waiter of waiters) waiter.resolve();
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async append(changes: Change[]): Promise<void> {
    let total = 0;
    for (const change of changes) total += HEADER_BYTES + Buffer.byteLength(change.payload, 'utf8') + 1;
    const batch = Buffer.allocUnsafe(total);
    let at = 0;
    for (const change of changes) {
      const start = at;
      at = putLine(batch, at, change.payload);
      if (change.entry) {
        change.entry.offset = this.size + start;
        change.entry.length = at - start;
      }
    }
    const { fd } = this.descriptor;
    let written = 0;
    while (written < total) written += (await writeAsync(fd, batch, written, total - written, null)).bytesWritten;
    await fdatasyncAsync(fd);
    // Someone removed the file: these lines went nowhere a restart would find.
    if ((await fstatAsync(fd)).nlink === 0) throw new Error(`the journal ${this.file} was removed`);
    this.size += total;
    for (const { key, entry } of changes) {
      if (!entry) continue;
      const json = entry.unflushed!;
      entry.unflushed = undefined;
      if (this.index.get(key) !== entry) continue;
      this.liveBytes += entry.length;
      this.remember(key, json);
    }
  }

  /** The key's entry, unless it has expired: then it is dropped, as if it had never been written. */
  private current(key: string): Entry | undefined {
    const entry = this.index.get(key);
    if (!entry || !this.expired(entry)) return entry;
    this.supersede(key, entry);
    this.index.delete(key);
    return undefined;
  }

  private expired(entry: Entry): boolean {
    return this.ttlMs > 0 && entry.unflushed === undefined && entry.at + this.ttlMs <= this.now();
  }

  private dropExpired(): void {
    if (this.ttlMs === 0) return;
    this.lastExpirySweep = this.now();
    for (const key of [...this.index.keys()]) this.current(key);
  }

  /** At least half the journal is superseded lines, counting expired items (looked for at most once a minute). */
  private mostlyGarbage(): boolean {
    if (this.size <= 2 * this.liveBytes && this.now() - this.lastExpirySweep >= 60_000) this.dropExpired();
    return this.size > 2 * this.liveBytes;
  }

  /** The key's previous line stops being live; its cached JSON is stale. */
  private supersede(key: string, current: Entry | undefined): void {
    if (current && current.unflushed === undefined) this.liveBytes -= current.length;
    this.forget(key);
  }

  /**
   * Everything not yet on disk is dropped and its writers fail; the index is rebuilt from the
   * journal, cut back to its last whole line. Readers then see exactly what a restart would.
   */
  private abandonUnflushed(err: unknown, waiters: Waiter[]): void {
    const error = unavailable('cannot write the journal', err);
    this.failure = error;
    try {
      // Lines of the failed batch may have reached the file; its writers were told they did not.
      fs.ftruncateSync(this.descriptor.fd, this.size);
    } catch {
      // The rebuild below then cuts off a torn tail, and reads whatever whole lines made it.
    }
    for (const waiter of [...waiters, ...this.waiters]) waiter.reject(error);
    this.changes = [];
    this.waiters = [];
    this.warn('JournalStore: a write failed; recovering from the journal on disk', err);
    this.recover();
  }

  private recover(): void {
    this.lastRecovery = Date.now();
    try {
      this.retire(this.descriptor);
      this.open(false);
      this.failure = undefined;
    } catch (err) {
      this.failure = unavailable('the journal cannot be reopened', err);
    }
  }

  // --- reading ---

  private async readEntry(key: string, entry: Entry): Promise<unknown> {
    const descriptor = this.descriptor;
    const { offset, length } = entry;
    const line = Buffer.allocUnsafe(length);
    descriptor.readers++;
    try {
      const { bytesRead } = await readAsync(descriptor.fd, line, 0, length, offset);
      if (bytesRead !== length) throw new Error(`short read at byte ${offset}`);
    } catch (err) {
      throw unavailable('cannot read the journal', err);
    } finally {
      descriptor.readers--;
      if (descriptor.retired && descriptor.readers === 0) closeQuietly(descriptor.fd);
    }
    const record = parseLine(line.subarray(0, length - 1));
    if (!record || record.key !== key) throw new Error(`JournalStore: ${this.file} is damaged at byte ${offset} (key "${key}").`);
    // The entry may have moved on while the line was read; only the current version is cached.
    if (this.index.get(key) === entry) this.remember(key, record.json);
    return JSON.parse(record.json);
  }

  private cached(key: string): string | undefined {
    const json = this.cache.get(key);
    if (json !== undefined) {
      // Most recently used goes last.
      this.cache.delete(key);
      this.cache.set(key, json);
    }
    return json;
  }

  private remember(key: string, json: string): void {
    this.forget(key);
    if (json.length > this.cacheBytes / 4) return;
    this.cache.set(key, json);
    this.cachedBytes += json.length;
    for (const [oldest, text] of this.cache) {
      if (this.cachedBytes <= this.cacheBytes) break;
      this.cache.delete(oldest);
      this.cachedBytes -= text.length;
    }
  }

  private forget(key: string): void {
    const json = this.cache.get(key);
    if (json === undefined) return;
    this.cache.delete(key);
    this.cachedBytes -= json.length;
  }

  // --- opening, compacting, locking ---

  /** Opens the journal and rebuilds the index from it. */
  private open(create: boolean): void {
    const fd = fs.openSync(this.file, create ? 'a+' : 'r+', 0o600);
    try {
      const index = new Map<string, Entry>();
      let liveBytes = 0;
      let damagedAt: number | undefined;
      for (const { offset, line, whole } of scanLines(fd)) {
        const record = whole ? parseLine(line) : undefined;
        if (!record) {
          damagedAt ??= offset;
          continue;
        }
        if (damagedAt !== undefined) {
          throw new Error(
            `JournalStore: ${this.file} is damaged at byte ${damagedAt}, with valid lines after it. ` +
              'Restore it from a backup, or move it aside to start with no stored conversations.',
          );
        }
        const previous = index.get(record.key);
        if (previous) liveBytes -= previous.length;
        if (record.eTag === '') {
          index.delete(record.key);
          continue;
        }
        const length = line.length + 1;
        index.set(record.key, { eTag: record.eTag, at: record.at, offset, length });
        liveBytes += length;
      }
      // Expired items are not carried over: the next compaction leaves their lines behind.
      if (this.ttlMs > 0) {
        for (const [key, entry] of index) {
          if (entry.at + this.ttlMs > this.now()) continue;
          index.delete(key);
          liveBytes -= entry.length;
        }
      }
      let size = fs.fstatSync(fd).size;
      if (damagedAt !== undefined) {
        // Only the tail is bad: an append that a crash cut short. It was never acknowledged.
        fs.ftruncateSync(fd, damagedAt);
        fs.fsyncSync(fd);
        this.warn(`JournalStore: cut off ${size - damagedAt} bytes of an unfinished write at the end of ${this.file}`);
        size = damagedAt;
      }
      this.descriptor = { fd, readers: 0, retired: false };
      this.index = index;
      this.cache = new Map();
      this.cachedBytes = 0;
      this.size = size;
      this.liveBytes = liveBytes;
    } catch (err) {
      closeQuietly(fd);
      throw err;
    }
  }

  /**
   * Copies the live lines into a new file and renames it over the journal. Runs between two
   * flushes, so no append is in flight; reads keep using the old descriptor until it is retired.
   */
  private async compact(): Promise<void> {
    const temp = `${this.file}.compact`;
    this.dropExpired();
    const live = [...this.index].filter(([, entry]) => entry.unflushed === undefined && entry.offset >= 0);
    live.sort((a, b) => a[1].offset - b[1].offset);
    const moved = new Map<Entry, number>();
    let fd: number | undefined;
    let size = 0;
    try {
      fs.rmSync(temp, { force: true });
      // Opened for appending now, so that after the rename this same descriptor is the journal's.
      fd = fs.openSync(temp, 'ax+', 0o600);
      const source = this.descriptor;
      for (let i = 0; i < live.length; ) {
        // Lines are copied as they are, checksums included, a batch of about a megabyte at a time.
        let bytes = 0;
        let j = i;
        while (j < live.length && (j === i || bytes + live[j]![1].length <= SCAN_CHUNK)) bytes += live[j++]![1].length;
        const buffer = Buffer.allocUnsafe(bytes);
        let at = 0;
        for (let k = i; k < j; k++) {
          const entry = live[k]![1];
          const { bytesRead } = await readAsync(source.fd, buffer, at, entry.length, entry.offset);
          if (bytesRead !== entry.length) throw new Error(`short read at byte ${entry.offset}`);
          moved.set(entry, size + at);
          at += entry.length;
        }
        let written = 0;
        while (written < bytes) written += (await writeAsync(fd, buffer, written, bytes - written, null)).bytesWritten;
        size += bytes;
        i = j;
      }
      await fdatasyncAsync(fd);
      fs.renameSync(temp, this.file);
    } catch (err) {
      if (fd !== undefined) closeQuietly(fd);
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // Whatever sits there, the next compaction tries to clear it again.
      }
      // The old journal is untouched and still in use; try again once it has grown further.
      this.warn('JournalStore: compaction failed; the journal stays as it is', err);
      this.compactAt = Math.max(this.compactAt, this.size * 2);
      return;
    }
    // The new file is the journal from the rename on: switch to it before anything else can fail.
    this.retire(this.descriptor);
    this.descriptor = { fd, readers: 0, retired: false };
    this.size = size;
    let liveBytes = 0;
    for (const [entry, offset] of moved) {
      entry.offset = offset;
      liveBytes += entry.length;
    }
    // Lines superseded during the copy were copied too; they are garbage in the new file.
    for (const [key, entry] of live) if (this.index.get(key) !== entry) liveBytes -= entry.length;
    this.liveBytes = liveBytes;
    // Until the directory is synced a power cut could bring the old journal back; if that cannot be
    // made durable, the writes waiting now fail rather than be acknowledged (flushAll recovers).
    syncDirectory(this.dir);
  }

  /** Closes a descriptor once the reads still using it are done. */
  private retire(descriptor: Descriptor): void {
    if (descriptor.retired) return;
    descriptor.retired = true;
    if (descriptor.readers === 0) closeQuietly(descriptor.fd);
  }

  /**
   * The journal has one writer. Within this process a set of open directories enforces it; across
   * processes a lock file with the owner's pid, which a new owner takes over once that pid is gone.
   */
  private lock(): void {
    if (openDirs.has(this.dir)) throw new Error(`JournalStore: "${this.dir}" is already open in this process.`);
    try {
      const owner = Number.parseInt(fs.readFileSync(this.lockFile, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new Error(
          `JournalStore: "${this.dir}" is in use by process ${owner}. Only one process may use a DATA_DIR; ` +
            `set REDIS_URL to run several instances, or remove ${this.lockFile} if that process is not a bot.`,
        );
      }
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') throw err;
    }
    fs.writeFileSync(this.lockFile, String(process.pid), { mode: 0o600 });
    openDirs.add(this.dir);
  }

  private unlock(): void {
    openDirs.delete(this.dir);
    try {
      if (fs.readFileSync(this.lockFile, 'utf8') === String(process.pid)) fs.unlinkSync(this.lockFile);
    } catch {
      // Already gone: nothing to release.
    }
  }

  /**
   * Conversations stored by the file-per-key store that came before are appended to the journal,
   * then their files are removed. An interrupted import repeats on the next start, before any
   * turn is served, so it cannot overwrite anything newer.
   */
  private importFileStore(): void {
    const legacy = fs.readdirSync(this.dir).filter((name) => /^[0-9a-f]{64}\.json(\..*\.tmp)?$/.test(name));
    if (legacy.length === 0) return;
    const imported: string[] = [];
    const lines: Buffer[] = [];
    for (const name of legacy) {
      const file = path.join(this.dir, name);
      if (name.endsWith('.tmp')) {
        // A write the old store never finished: never visible there either.
        imported.push(file);
        continue;
      }
      try {
        const { key, item } = JSON.parse(fs.readFileSync(file, 'utf8')) as { key: unknown; item: { eTag?: unknown } };
        if (typeof key !== 'string' || !item || typeof item !== 'object' || typeof item.eTag !== 'string') throw new Error('not a stored item');
        lines.push(encodeLine(`${JSON.stringify(key)}\t${item.eTag}\t${this.now()}\t${JSON.stringify(item)}`));
        imported.push(file);
      } catch (err) {
        this.warn(`JournalStore: left ${file} in place, it could not be imported`, err);
      }
    }
    const fd = this.descriptor.fd;
    fs.writeSync(fd, Buffer.concat(lines));
    fs.fsyncSync(fd);
    for (const file of imported) fs.rmSync(file, { force: true });
    syncDirectory(this.dir);
    this.retire(this.descriptor);
    this.open(false);
    this.warn(`JournalStore: imported ${lines.length} stored items from the previous file-per-key layout`);
  }

  private assertUsable(): void {
    if (this.closed) throw new StorageUnavailableError('JournalStore: the store is closed.');
    // After a failed recovery, try again at most once a second: the disk may be back.
    if (this.failure && Date.now() - this.lastRecovery > 1000 && !this.flushing) this.recover();
    if (this.failure) throw this.failure;
  }
}

/** The journal's lines in order; `whole` is false for a last line with no newline. */
function* scanLines(fd: number): Generator<{ offset: number; line: Buffer; whole: boolean }> {
  let buffer = Buffer.allocUnsafe(SCAN_CHUNK);
  let base = 0;
  let filled = 0;
  let start = 0;
  let eof = false;
  for (;;) {
    const newline = buffer.subarray(start, filled).indexOf(NEWLINE);
    if (newline >= 0) {
      yield { offset: base + start, line: buffer.subarray(start, start + newline), whole: true };
      start += newline + 1;
      continue;
    }
    if (eof) {
      if (start < filled) yield { offset: base + start, line: buffer.subarray(start, filled), whole: false };
      return;
    }
    buffer.copy(buffer, 0, start, filled);
    filled -= start;
    base += start;
    start = 0;
    if (filled === buffer.length) {
      // A line longer than the buffer: grow it rather than split the line.
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, filled);
      buffer = bigger;
    }
    const read = fs.readSync(fd, buffer, filled, buffer.length - filled, base + filled);
    if (read === 0) eof = true;
    filled += read;
  }
}

/**
 * Writes `<crc32> <payload>\n` into `target` at `at` (which has room for it); returns where the
 * next line starts. The payload is encoded in place and checksummed there, with no copy.
 */
function putLine(target: Buffer, at: number, payload: string): number {
  const start = at + HEADER_BYTES;
  const end = start + target.write(payload, start, 'utf8');
  target.write(crc32(target.subarray(start, end)).toString(16).padStart(8, '0'), at, 'latin1');
  target[at + 8] = 0x20;
  target[end] = NEWLINE;
  return end + 1;
}

function encodeLine(payload: string): Buffer {
  const line = Buffer.allocUnsafe(HEADER_BYTES + Buffer.byteLength(payload, 'utf8') + 1);
  putLine(line, 0, payload);
  return line;
}

/** A line without its newline → key, eTag ('' for a delete), write time and the item's JSON; undefined if damaged. */
function parseLine(line: Buffer): { key: string; eTag: string; at: number; json: string } | undefined {
  if (line.length < HEADER_BYTES + 4 || line[8] !== 0x20) return undefined;
  const header = line.toString('latin1', 0, 8);
  if (!/^[0-9a-f]{8}$/.test(header)) return undefined;
  const payload = line.subarray(HEADER_BYTES);
  if (crc32(payload) !== Number.parseInt(header, 16)) return undefined;
  const text = payload.toString('utf8');
  const keyEnd = text.indexOf('\t');
  const eTagEnd = text.indexOf('\t', keyEnd + 1);
  const atEnd = text.indexOf('\t', eTagEnd + 1);
  if (keyEnd < 0 || eTagEnd < 0 || atEnd < 0) return undefined;
  const at = Number(text.slice(eTagEnd + 1, atEnd));
  try {
    return { key: JSON.parse(text.slice(0, keyEnd)) as string, eTag: text.slice(keyEnd + 1, eTagEnd), at, json: text.slice(atEnd + 1) };
  } catch {
    return undefined;
  }
}

/** `undefined` means "write unconditionally": no eTag or `*`, exactly as in MemoryStorage. */
function expectedETag(key: string, item: unknown): string | undefined {
  if (item === null || typeof item !== 'object') {
    throw new TypeError(`JournalStore: the item for "${key}" must be an object.`);
  }
  const eTag = (item as { eTag?: unknown }).eTag;
  return typeof eTag === 'string' && eTag !== '' && eTag !== '*' ? eTag : undefined;
}

/** Makes a rename durable; some platforms and file systems cannot fsync a directory, which is then best effort. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (err) {
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EACCES', 'ENOTSUP'].includes(errorCode(err) ?? '')) throw err;
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM';
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already closed.
  }
}

function unavailable(what: string, err?: unknown): StorageUnavailableError {
  return new StorageUnavailableError(`JournalStore: ${what}${err === undefined ? '' : ` (${describe(err)})`}.`, { cause: err });
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(err: unknown): string {
  return errorCode(err) ?? (err instanceof Error ? err.message : String(err));
}

function ignore(): void {}
