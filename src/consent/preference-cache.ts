import type { ChangeFeed } from '../store/change-feed.ts';
import { andThen, type PreferenceReader, type PreferenceRow } from './preference-reader.ts';

export interface PreferenceCacheStats {
  hits: number;
  misses: number;
  invalidations: number;
  flushes: number;
  size: number;
}

/** A preference reader that remembers subjects' rows; `stats()` for benchmarks and the operator. */
export interface CachedPreferenceReader extends PreferenceReader {
  stats(): PreferenceCacheStats;
}

/**
 * Remembers each subject's current preference rows in memory (at most `maxSubjects`, least recently used first out), so a
 * repeated decision on PostgreSQL is answered without a round trip, synchronously. Coherent across instances
 * through the change feed: a recorded choice drops the subject everywhere, a reconnect of the feed drops
 * everything, and nothing is remembered while the feed is not live. A read that started before an invalidation is
 * answered but not remembered, so a stale row can never be stored after the change that replaced it.
 * @example const reader = createCachedPreferenceReader(await createPreferenceReader(store), feed, { maxSubjects: 100_000 });
 */
export function createCachedPreferenceReader(inner: PreferenceReader, feed: ChangeFeed, opts: { maxSubjects?: number } = {}): CachedPreferenceReader {
  const max = opts.maxSubjects ?? 100_000;
  const cache = new Map<string, PreferenceRow[]>();
  const stats = { hits: 0, misses: 0, invalidations: 0, flushes: 0 };
  let epoch = 0;
  const unsubscribe = feed.subscribe((change) => {
    epoch += 1;
    if (change.kind === 'flush') {
      stats.flushes += 1;
      cache.clear();
    } else if (change.topic === 'preferences') {
      stats.invalidations += 1;
      if (change.key === null) cache.clear();
      else cache.delete(change.key);
    }
  });

  function remember(subject: string, rows: PreferenceRow[], since: number): void {
    if (since !== epoch || !feed.live || max === 0) return;
    if (cache.size >= max) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(subject, rows);
  }

  function all(subject: string) {
    const hit = cache.get(subject);
    if (hit) {
      stats.hits += 1;
      // Least recently used goes first: a hit moves the subject to the end, so active members stay remembered.
      cache.delete(subject);
      cache.set(subject, hit);
      return hit;
    }
    stats.misses += 1;
    const since = epoch;
    return andThen(inner.all(subject), (rows) => {
      remember(subject, rows, since);
      return rows;
    });
  }

  return {
    all,
    one: (subject, purpose) => andThen(all(subject), (rows) => rows.find((r) => r.purpose === purpose)),
    stats: () => ({ ...stats, size: cache.size }),
    async close() {
      unsubscribe();
      cache.clear();
      await inner.close();
    },
  };
}
