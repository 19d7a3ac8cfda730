/**
 * Thrown when a write carries an eTag that no longer matches the stored item.
 *
 * The message is exactly the one botbuilder's `MemoryStorage` uses, because botbuilder itself
 * recognises conflicts by message text (see `isETagConflict`), so any code that handles a
 * MemoryStorage conflict handles ours too.
 */
export class ETagConflictError extends Error {
  /** HTTP-style code, matching how botbuilder's Cosmos/Blob stores report a failed precondition. */
  readonly statusCode = 412;

  constructor(readonly key: string) {
    super(`Storage: error writing "${key}" due to eTag conflict.`);
    this.name = 'ETagConflictError';
  }
}

/**
 * Thrown when the backing store cannot be reached or cannot do I/O (Redis down, disk unwritable).
 * Distinct from a conflict: retrying the turn will not help until the store recovers, so callers
 * should tell the user the service is temporarily unavailable.
 */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}

export function isStorageUnavailable(err: unknown): err is StorageUnavailableError {
  return err instanceof StorageUnavailableError;
}

/**
 * The disk (or its inodes) is full, anywhere along the error's causes: SQLite says SQLITE_FULL, or
 * SQLITE_IOERR when a write fails for want of room on a small filesystem; Node says ENOSPC. The
 * embedded store then retries its open, and the readiness probe names the full disk, since it is
 * what the operator can fix.
 */
export function isOutOfRoom(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_FULL' || code === 'ENOSPC' || (typeof code === 'string' && code.startsWith('SQLITE_IOERR'))) return true;
  }
  return false;
}
