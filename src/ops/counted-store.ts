import type { StoreItems } from 'botbuilder';
import type { Counter } from 'prom-client';
import { hasLists, isETagConflict, type ConversationStore, type ListStore, type StoreDamage } from '../storage/create-store';

type Operation = 'read' | 'write' | 'delete' | 'ping' | 'append' | 'list';

/**
 * The store every part of the app uses (the bot, the readiness probe, the agent desk), with each
 * failed call counted in `ag_storage_errors_total` by operation. eTag conflicts are the normal way
 * two turns of one conversation meet, not failures, and are not counted.
 */
export class ErrorCountingStore implements ConversationStore {
  constructor(
    protected readonly inner: ConversationStore,
    private readonly errors: Counter<'operation'>,
  ) {}

  read(keys: string[]): Promise<StoreItems> {
    return this.counted('read', () => this.inner.read(keys));
  }

  write(changes: StoreItems): Promise<void> {
    return this.counted('write', () => this.inner.write(changes));
  }

  delete(keys: string[]): Promise<void> {
    return this.counted('delete', () => this.inner.delete(keys));
  }

  ping(): Promise<void> {
    return this.counted('ping', () => this.inner.ping());
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  damage(): StoreDamage | undefined {
    return this.inner.damage?.();
  }

  lostAt(key: string): number | undefined {
    return this.inner.lostAt?.(key);
  }

  protected async counted<T>(operation: Operation, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (!isETagConflict(err)) this.errors.inc({ operation });
      throw err;
    }
  }
}

/** The same for a store with lists (both of ours); kept apart so that `hasLists` still tells the truth about the store inside. */
export class ErrorCountingListStore extends ErrorCountingStore implements ListStore {
  constructor(
    private readonly lists: ConversationStore & ListStore,
    errors: Counter<'operation'>,
  ) {
    super(lists, errors);
  }

  append(key: string, entries: readonly unknown[], keep: number): Promise<void> {
    return this.counted('append', () => this.lists.append(key, entries, keep));
  }

  list(key: string): Promise<{ entries: unknown[]; dropped: number }> {
    return this.counted('list', () => this.lists.list(key));
  }
}

/** `store`, its failures counted into `errors`. */
export function countStoreErrors(store: ConversationStore, errors: Counter<'operation'>): ConversationStore {
  return hasLists(store) ? new ErrorCountingListStore(store, errors) : new ErrorCountingStore(store, errors);
}
