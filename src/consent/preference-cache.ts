import type { ChangeFeed } from '../store/change-feed.ts';
import { andThen, type MaybePromise, type PreferenceReader, type PreferenceRow } from './preference-reader.ts';

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
  /**
   * `make(rows)` over the subject's current rows, remembered beside those rows (for `owner`, such as the policy's
   * consent config, and `key`) until they change, leave the cache or `owner` changes: a repeated page view costs a
   * lookup, not a decision and its JSON. Not remembered when the rows are not.
   */
  derived(subject: string, owner: object, key: string, make: (rows: readonly PreferenceRow[]) => string): MaybePromise<string>;
}

/** A subject's remembered rows, and what was derived from them (for one owner). */
interface Entry {
  rows: PreferenceRow[];
  /** Asked about since it was remembered or last passed over by eviction (its second chance). */
  used: boolean;
  owner?: object;
  /** The first key derived (nearly always the only one: one purpose asked about), held inline; others in `more`. */
  key?: string;
  value?: string;
  more?: Map<string, string>;
}

function derivedOf(entry: Entry, owner: object, key: string, make: (rows: readonly PreferenceRow[]) => string): string {
  if (entry.owner !== owner) {
    entry.owner = owner;
    entry.key = entry.value = entry.more = undefined;
  }
  if (entry.key === key) return entry.value!;
  if (entry.key === undefined) {
    entry.key = key;
    return (entry.value = make(entry.rows));
  }
  let value = entry.more?.get(key);
  if (value === undefined) (entry.more ??= new Map()).set(key, (value = make(entry.rows)));
  return value;
}

/**
 * Whether a subject was asked about lately, from a fixed table of 32-bit hashes (no memory per subject; a newer
 * subject may take an older one's slot, which only means one more miss). Marks the subject as seen.
 */
function doorkeeper(max: number): (subject: string) => boolean {
  let size = 1024;
  while (size < max && size < 1 << 22) size *= 2;
  const seen = new Int32Array(size);
  return (subject) => {
    let h = 0x811c9dc5 | 0; // FNV-1a
    for (let i = 0; i < subject.length; i += 1) h = Math.imul(h ^ subject.charCodeAt(i), 16777619);
    h |= 1; // never 0, the empty slot
    const at = (h >>> 1) & (size - 1);
    if (seen[at] === h) return true;
    seen[at] = h;
    return false;
  };
}

/**
 * Remembers each subject's current preference rows in memory (at most `maxSubjects`, about the least recently used first out), so a
 * repeated decision is answered synchronously, without a round trip on PostgreSQL or a statement on SQLite. Coherent across instances
 * through the change feed: a recorded choice drops the subject everywhere, a reconnect of the feed drops
 * everything, and nothing is remembered while the feed is not live. A read that started before an invalidation is
 * answered but not remembered, so a stale row can never be stored after the change that replaced it.
 * `admitOnSecondMiss` (for SQLite, where a miss is one in-process statement, not a round trip): a subject is
 * remembered only when asked about again, so a stream of one-off subjects (a crawler, a uniform spread over millions)
 * costs no memory, no garbage kept alive and no evictions of the active members.
 * @example const reader = createCachedPreferenceReader(await createPreferenceReader(store), feed, { maxSubjects: 100_000 });
 */
export function createCachedPreferenceReader(inner: PreferenceReader, feed: ChangeFeed, opts: { maxSubjects?: number; admitOnSecondMiss?: boolean } = {}): CachedPreferenceReader {
  const max = opts.maxSubjects ?? 100_000;
  const seenBefore = opts.admitOnSecondMiss ? doorkeeper(max) : undefined;
  const cache = new Map<string, Entry>();
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

  /**
   * Least recently used out, approximately (second chance): the oldest subject goes, unless it was asked about since it
   * was remembered, in which case it moves to the newest end and the next oldest is considered. A hit then costs a
   * flag, not a reorder of the map; each eviction passes over at most every entry once.
   */
  function evictOne(): void {
    for (const [subject, e] of cache) {
      cache.delete(subject);
      if (!e.used) return;
      e.used = false;
      cache.set(subject, e);
    }
  }

  function remember(subject: string, rows: PreferenceRow[], since: number): Entry | undefined {
    if (since !== epoch || !feed.live || max === 0) return undefined;
    if (cache.size >= max) evictOne();
    const entry: Entry = { rows, used: false, owner: undefined, key: undefined, value: undefined, more: undefined }; // one shape for every entry
    cache.set(subject, entry);
    return entry;
  }

  /** The subject's entry, remembered now if it was not (just the rows read, when they cannot be remembered). */
  function entry(subject: string): MaybePromise<Entry | PreferenceRow[]> {
    const hit = cache.get(subject);
    if (hit) {
      stats.hits += 1;
      hit.used = true; // active members stay remembered (evictOne)
      return hit;
    }
    stats.misses += 1;
    const since = epoch;
    const admit = seenBefore === undefined || seenBefore(subject);
    return andThen(inner.all(subject), (rows) => (admit ? remember(subject, rows, since) : undefined) ?? rows);
  }

  const rowsOf = (e: Entry | PreferenceRow[]): PreferenceRow[] => (Array.isArray(e) ? e : e.rows);
  const all = (subject: string) => andThen(entry(subject), rowsOf);

  return {
    all,
    one: (subject, purpose) => andThen(all(subject), (rows) => rows.find((r) => r.purpose === purpose)),
    derived: (subject, owner, key, make) => andThen(entry(subject), (e) => (Array.isArray(e) ? make(e) : derivedOf(e, owner, key, make))),
    stats: () => ({ ...stats, size: cache.size }),
    async close() {
      unsubscribe();
      cache.clear();
      await inner.close();
    },
  };
}
