import { createHash, randomUUID } from 'node:crypto';
import { accessSync, constants as fsConstants, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Storage, StoreItems } from 'botbuilder';

import { ETagConflictError, StorageUnavailableError } from './errors';

const TEMP_SUFFIX = '.tmp';
const RECORD_VERSION = 1;

/** On-disk shape. The key is kept only so that a human can tell which file is which. */
interface StoredRecord {
  v: number;
  key: string;
  item: Record<string, unknown> & { eTag: string };
}

/**
 * Botbuilder `Storage` on the local disk: one JSON file per key, no server needed.
 *
 * - Writes are atomic: a temp file in the same directory is written, fsynced and renamed over the
 *   old one, then the directory is fsynced, so a crash leaves either the old or the new file,
 *   never a torn one.
 * - Optimistic concurrency follows botbuilder's `MemoryStorage`: a write whose `eTag` is set (and
 *   not `*`) must match the stored one, otherwise it fails with `ETagConflictError`. The
 *   read-compare-write runs in a per-key queue, so it is atomic within this process.
 * - Only one process may use a directory at a time: the per-key queue is in-process, and stale
 *   temp files are removed at construction. Use `RedisStore` to run several instances.
 * - A batch write is not a transaction: each key succeeds or fails on its own, as in botbuilder's
 *   own stores; the first failure is rethrown after every key has settled.
 */
export class FileStore implements Storage {
  readonly dir: string;
  private readonly queue = new KeyedQueue();
  /** The eTag of each key this process wrote last (bounded, oldest forgotten first). */
  private readonly writtenETags = new Map<string, string>();
  /** Directory fsyncs: one running, and at most one queued that every later rename joins. */
  private dirSyncRunning: Promise<void> | undefined;
  private dirSyncQueued: Promise<void> | undefined;
  private closed = false;

  constructor(dir: string) {
    if (typeof dir !== 'string' || dir.trim() === '') {
      throw new TypeError('FileStore: a data directory is required.');
    }
    this.dir = path.resolve(dir);
    try {
      mkdirSync(this.dir, { recursive: true });
      accessSync(this.dir, fsConstants.R_OK | fsConstants.W_OK);
    } catch (err) {
      throw new Error(
        `FileStore: cannot use "${this.dir}" as data directory (${describe(err)}). ` +
          'Point DATA_DIR to a writable directory.',
        { cause: err },
      );
    }
    this.removeStaleTempFiles();
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) {
      throw new ReferenceError('Keys are required when reading.');
    }
    this.assertOpen();
    const found = await Promise.all(keys.map(async (key) => [key, await this.readRecord(key)] as const));
    const items: StoreItems = {};
    for (const [key, record] of found) {
      if (record) {
        items[key] = record.item;
      }
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) {
      throw new ReferenceError('Changes are required when writing.');
    }
    this.assertOpen();
    // Snapshot every item before the first await, so that callers mutating their objects while
    // the write is queued cannot change what gets stored.
    const pending = Object.entries(changes).map(([key, item]) => {
      const expected = expectedETag(key, item);
      const record: StoredRecord = { v: RECORD_VERSION, key, item: { ...item, eTag: randomUUID() } };
      return this.queue.run(this.fileFor(key), async () => {
        if (expected !== undefined) {
          // This process is the directory's only writer, and writes to a key run one at a time,
          // so the eTag it wrote last is the one on disk: no need to read the file back.
          const known = this.writtenETags.get(key);
          const current = known !== undefined ? known : (await this.readRecord(key))?.item.eTag;
          if (current !== undefined && current !== expected) {
            throw new ETagConflictError(key);
          }
        }
        this.writtenETags.delete(key);
        await this.replaceFile(this.fileFor(key), JSON.stringify(record));
        this.rememberETag(key, record.item.eTag as string);
      });
    });
    await settleAll(pending);
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys) {
      throw new ReferenceError('Keys are required when deleting.');
    }
    this.assertOpen();
    const pending = keys.map((key) =>
      this.queue.run(this.fileFor(key), async () => {
        const file = this.fileFor(key);
        this.writtenETags.delete(key);
        try {
          await fs.rm(file, { force: true });
        } catch (err) {
          throw unavailable(`cannot delete ${file}`, err);
        }
        await this.syncDir();
      }),
    );
    await settleAll(pending);
  }

  /** Readiness check: the directory still exists and is writable. */
  async ping(): Promise<void> {
    this.assertOpen();
    try {
      await fs.access(this.dir, fsConstants.R_OK | fsConstants.W_OK);
    } catch (err) {
      throw unavailable(`data directory ${this.dir} is not usable`, err);
    }
  }

  /** Stops accepting work and waits for queued writes to reach the disk. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.drain();
  }

  /**
   * The file name is a hash of the key: keys contain '/' and arbitrary characters, may be longer
   * than a file name may be, and must not collide on case-insensitive file systems.
   */
  private fileFor(key: string): string {
    return path.join(this.dir, `${createHash('sha256').update(key, 'utf8').digest('hex')}.json`);
  }

  private async readRecord(key: string): Promise<StoredRecord | undefined> {
    const file = this.fileFor(key);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') {
        return undefined;
      }
      throw unavailable(`cannot read ${file}`, err);
    }
    try {
      return JSON.parse(text) as StoredRecord;
    } catch (err) {
      // Writes are atomic, so this only happens if something outside the bot edited the file.
      throw new Error(`FileStore: state file ${file} for key "${key}" is not valid JSON.`, { cause: err });
    }
  }

  private async replaceFile(file: string, content: string): Promise<void> {
    const temp = `${file}.${process.pid}.${randomUUID()}${TEMP_SUFFIX}`;
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(temp, 'wx', 0o600);
      await handle.writeFile(content, 'utf8');
      // The data must be on disk before the rename makes it visible, or a power cut could leave
      // a renamed but empty file.
      await handle.sync();
      await handle.close();
      handle = undefined;
      await fs.rename(temp, file);
    } catch (err) {
      await handle?.close().catch(ignore);
      await fs.rm(temp, { force: true }).catch(ignore);
      throw unavailable(`cannot write ${file}`, err);
    }
    await this.syncDir();
  }

  /** Makes a rename or unlink durable; without it a power cut can undo a completed write. */
  private rememberETag(key: string, eTag: string): void {
    this.writtenETags.set(key, eTag);
    if (this.writtenETags.size > MAX_REMEMBERED_ETAGS) this.writtenETags.delete(this.writtenETags.keys().next().value as string);
  }

  private syncDir(): Promise<void> {
    // Group commit: a caller joins the queued sync (which starts after the running one, so after
    // the caller's rename); only if none is queued does it queue one. One fsync then covers every
    // rename that finished before it started, instead of one fsync per write.
    if (this.dirSyncQueued) return this.dirSyncQueued;
    if (!this.dirSyncRunning) return this.startDirSync();
    const queued = this.dirSyncRunning.then(ignore, ignore).then(() => {
      this.dirSyncQueued = undefined;
      return this.startDirSync();
    });
    this.dirSyncQueued = queued;
    return queued;
  }

  private startDirSync(): Promise<void> {
    const running = this.fsyncDir().finally(() => {
      if (this.dirSyncRunning === running) this.dirSyncRunning = undefined;
    });
    this.dirSyncRunning = running;
    return running;
  }

  private async fsyncDir(): Promise<void> {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(this.dir, 'r');
      await handle.sync();
    } catch (err) {
      // Some platforms (Windows) and file systems cannot open or fsync a directory; the rename
      // itself has already succeeded there, so this is best effort.
      if (!['EISDIR', 'EPERM', 'EINVAL', 'EACCES', 'ENOTSUP'].includes(errorCode(err) ?? '')) {
        throw unavailable(`cannot sync directory ${this.dir}`, err);
      }
    } finally {
      await handle?.close().catch(ignore);
    }
  }

  /** Temp files left by a crash are garbage: the rename that would have published them never ran. */
  private removeStaleTempFiles(): void {
    for (const name of readdirSync(this.dir)) {
      if (name.endsWith(TEMP_SUFFIX)) {
        try {
          unlinkSync(path.join(this.dir, name));
        } catch {
          // Harmless: a leftover temp file is never read.
        }
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new StorageUnavailableError('FileStore: the store is closed.');
    }
  }
}

/** Runs tasks one after another per key, and concurrently across keys. */
class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(ignore, ignore);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) {
        this.tails.delete(key);
      }
    });
    return result;
  }

  async drain(): Promise<void> {
    while (this.tails.size > 0) {
      await Promise.all(this.tails.values());
    }
  }
}

/** `undefined` means "write unconditionally": no eTag or `*`, exactly as in MemoryStorage. */
function expectedETag(key: string, item: unknown): string | undefined {
  if (item === null || typeof item !== 'object') {
    throw new TypeError(`FileStore: the item for "${key}" must be an object.`);
  }
  const eTag = (item as { eTag?: unknown }).eTag;
  return typeof eTag === 'string' && eTag !== '' && eTag !== '*' ? eTag : undefined;
}

/** Lets every key finish before reporting, so no write is still running when the caller moves on. */
async function settleAll(pending: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(pending);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    throw failure.reason;
  }
}

function unavailable(what: string, err: unknown): StorageUnavailableError {
  return new StorageUnavailableError(`FileStore: ${what} (${describe(err)}).`, { cause: err });
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(err: unknown): string {
  return errorCode(err) ?? (err instanceof Error ? err.message : String(err));
}

/** Enough for every conversation active at once; older keys are simply read back from disk. */
const MAX_REMEMBERED_ETAGS = 50_000;

function ignore(): void {}
