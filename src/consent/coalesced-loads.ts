/** How one caller waits for its key's answer. */
interface Waiter<V> {
  resolve(value: V | undefined): void;
  reject(err: unknown): void;
}

export interface CoalescedLoadsOptions {
  /** Batches out at once (at most one per connection the loader may use). */
  maxInFlight: number;
  /** Keys in one batch; more wait for the next. */
  maxBatch: number;
}

/**
 * Loads by key in batches, one round trip for many keys: the keys asked for in the same turn of the event loop (every
 * request whose bytes arrived together), and those asked for while `maxInFlight` batches are out, go together in the
 * next batch; each caller gets its own key's value (undefined when `loadMany` found none). The busier the database,
 * the larger the batches, so a burst of cache misses costs a few statements instead of one each.
 * A key asked for while a batch holding it is in flight never joins that batch: it waits for the next one, whose
 * statement starts after it was asked. So an answer always reflects the database at or after the moment its key was
 * asked for, which the preference cache's rule (a read started before an invalidation is not remembered) relies on.
 * A failed batch rejects every caller in it; later batches are unaffected.
 * @example const load = coalescedLoads((ids) => rowsByIds(ids), { maxInFlight: 4, maxBatch: 256 }); const row = await load(id);
 */
export function coalescedLoads<V>(loadMany: (keys: string[]) => Promise<Map<string, V>>, opts: CoalescedLoadsOptions): (key: string) => Promise<V | undefined> {
  const maxInFlight = Math.max(1, opts.maxInFlight);
  const maxBatch = Math.max(1, opts.maxBatch);
  let pending = new Map<string, Waiter<V>[]>();
  let scheduled = false;
  let inFlight = 0;

  function schedule(): void {
    if (scheduled || pending.size === 0 || inFlight >= maxInFlight) return;
    scheduled = true;
    setImmediate(dispatch); // after the poll phase: every request read in this turn joins the batch
  }

  function dispatch(): void {
    scheduled = false;
    while (pending.size > 0 && inFlight < maxInFlight) {
      let batch: Map<string, Waiter<V>[]>;
      if (pending.size <= maxBatch) {
        batch = pending;
        pending = new Map();
      } else {
        batch = new Map();
        for (const [key, waiters] of pending) {
          if (batch.size >= maxBatch) break;
          batch.set(key, waiters);
          pending.delete(key);
        }
      }
      inFlight += 1;
      let loaded: Promise<Map<string, V>>;
      try {
        loaded = loadMany([...batch.keys()]);
      } catch (err) {
        loaded = Promise.reject(err);
      }
      loaded.then(
        (found) => {
          inFlight -= 1;
          for (const [key, waiters] of batch) {
            const value = found.get(key);
            for (const w of waiters) w.resolve(value);
          }
          schedule();
        },
        (err: unknown) => {
          inFlight -= 1;
          for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
          schedule();
        },
      );
    }
  }

  return (key) =>
    new Promise<V | undefined>((resolve, reject) => {
      const waiters = pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else pending.set(key, [{ resolve, reject }]);
      schedule();
    });
}
