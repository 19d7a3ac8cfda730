import type { ConversationStore } from '../../src/storage/create-store';

/**
 * Makes a race certain instead of likely: once armed for a key, the reads of that key wait until
 * `parties` of them have arrived, then all go on together. So every racing turn computes on the
 * same stored state, and all but the first writer must hit an eTag conflict.
 *
 * One rendezvous can be shared by the stores of several bot instances in this process.
 */
export class ReadRendezvous {
  private armed: { key: string; parties: number; waiting: Array<() => void>; release(met: boolean): void } | undefined;
  private outcome: Promise<boolean> = Promise.resolve(true);

  /**
   * Holds the next `parties` reads of `key`. If they do not all arrive within `timeoutMs`, the
   * ones that did are let go anyway (so a test fails on its assertions instead of hanging) and
   * `met()` resolves false.
   */
  arm(key: string, parties: number, timeoutMs = 10_000): void {
    if (this.armed) throw new Error(`rendezvous already armed for ${this.armed.key}`);
    let settle!: (met: boolean) => void;
    this.outcome = new Promise<boolean>((resolve) => (settle = resolve));
    const waiting: Array<() => void> = [];
    const timer = setTimeout(() => release(false), timeoutMs);
    const release = (met: boolean): void => {
      clearTimeout(timer);
      this.armed = undefined;
      for (const go of waiting.splice(0)) go();
      settle(met);
    };
    this.armed = { key, parties, waiting, release };
  }

  /** Resolves true when all parties had read before any of them went on, false on the timeout. */
  met(): Promise<boolean> {
    return this.outcome;
  }

  async pass(keys: readonly string[]): Promise<void> {
    const armed = this.armed;
    if (!armed || !keys.includes(armed.key)) return;
    await new Promise<void>((resolve) => {
      armed.waiting.push(resolve);
      if (armed.waiting.length >= armed.parties) armed.release(true);
    });
  }
}

/** A store whose reads go through a rendezvous; everything else goes straight to `store`. */
export function racingStore(store: ConversationStore, rendezvous: ReadRendezvous): ConversationStore {
  return {
    read: async (keys) => {
      await rendezvous.pass(keys);
      return store.read(keys);
    },
    write: (changes) => store.write(changes),
    delete: (keys) => store.delete(keys),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
