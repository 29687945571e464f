import type { ChangeFeed } from '../store/change-feed.ts';
import type { Metrics } from '../metrics.ts';
import { andThen, type MaybePromise, type PreferenceReader, type PreferenceRow } from './preference-reader.ts';

export interface PreferenceCacheStats {
  hits: number;
  misses: number;
  invalidations: number;
  flushes: number;
  size: number;
  /** Every subject's rows are in memory (a subject not held has none): a decision never waits for the database. */
  complete: boolean;
  /** Subjects read in by preloads (pages of the whole table), since the start. */
  preloaded: number;
  /** Changed subjects read again (in batches, every `refreshMs`), so that a complete cache stays complete. */
  refreshes: number;
}

/** A preference reader that remembers subjects' rows; `stats()` for benchmarks and the operator. */
export interface CachedPreferenceReader extends PreferenceReader {
  stats(): PreferenceCacheStats;
}

export interface PreferenceCacheOptions {
  /** Subjects held at most; 100,000 unless told. */
  maxSubjects?: number;
  /** Remember a subject only when asked about again (SQLite, where a miss is one in-process statement). */
  admitOnSecondMiss?: boolean;
  /** Preload the whole table when the reader can page through it (PostgreSQL): on by default. */
  preload?: boolean;
  /** Wait before a failed preload is tried again; 5 s unless told. */
  retryMs?: number;
  /**
   * How long changed subjects gather before they are read again together (complete mode); 200 ms unless told. Until
   * then a decision for one reads the database, so this bounds statements (one per 500 subjects per period, however
   * many choices are recorded), not staleness.
   */
  refreshMs?: number;
}

/** A subject's remembered rows. */
interface Entry {
  rows: PreferenceRow[];
  /** Asked about since it was remembered or last passed over by eviction (its second chance). */
  used: boolean;
}

const entryOf = (rows: PreferenceRow[]): Entry => ({ rows, used: false });

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

/** One read of a subject's rows from the database, made stale by a change to that subject (or a flush) while it runs. */
interface Read {
  stale: boolean;
}

/** Rows per page of a preload. */
const PAGE_ROWS = 10_000;

/**
 * Remembers each subject's current preference rows in memory (at most `maxSubjects`, about the least recently used
 * first out), so a repeated decision is answered synchronously, without a round trip on PostgreSQL or a statement on
 * SQLite. Coherent across instances through the change feed: a recorded choice drops the subject everywhere, a
 * reconnect of the feed drops everything, and nothing is remembered while the feed is not live. A read that was out
 * when its subject changed is answered but not remembered, so a stale row can never be stored after the change that
 * replaced it.
 *
 * Complete mode (PostgreSQL, when every subject fits in `maxSubjects`): the cache pages through the whole table once
 * the feed is live (again after every flush) and then holds every subject that has a row, so a subject it does not
 * hold has none: a visitor who never chose is answered from memory too, which no cache of recent subjects can do. A
 * changed subject is read again with the others changed in the same `refreshMs` (one statement per 500), and until
 * that read is back the subject goes to the database. Completeness is given up, never assumed, when the table
 * outgrows the bound.
 * `admitOnSecondMiss` (for SQLite, where a miss is one in-process statement, not a round trip): a subject is
 * remembered only when asked about again, so a stream of one-off subjects (a crawler, a uniform spread over millions)
 * costs no memory, no garbage kept alive and no evictions of the active members.
 * @example const reader = createCachedPreferenceReader(await createPreferenceReader(store), feed, { maxSubjects: 100_000 });
 */
export function createCachedPreferenceReader(inner: PreferenceReader, feed: ChangeFeed, opts: PreferenceCacheOptions = {}): CachedPreferenceReader {
  const max = opts.maxSubjects ?? 100_000;
  const seenBefore = opts.admitOnSecondMiss ? doorkeeper(max) : undefined;
  const page = opts.preload === false || max === 0 ? undefined : inner.page?.bind(inner);
  const retryMs = opts.retryMs ?? 5000;
  const refreshMs = opts.refreshMs ?? 200;
  let refreshTimer: NodeJS.Timeout | undefined;
  const cache = new Map<string, Entry>();
  const stats = { hits: 0, misses: 0, invalidations: 0, flushes: 0, preloaded: 0, refreshes: 0 };
  const reads = new Map<string, Read[]>();
  // Complete mode: every subject not in `cache` has no rows, except those in `unknown` (changed, being read again).
  let complete = false;
  const unknown = new Set<string>();
  /** While a preload runs: subjects changed while its current page is out (that page's rows for them are old). */
  let changedDuringPage: Set<string> | undefined;
  let generation = 0; // a flush or close ends the preload of an earlier generation
  let retry: NodeJS.Timeout | undefined;
  /** Most subjects waiting to be read again before completeness is given up. */
  const maxUnknown = Math.max(1000, Math.floor(max / 10));
  // A subject without rows in complete mode: one shared entry.
  const none = entryOf([]);

  function giveUpCompleteness(): void {
    complete = false;
    unknown.clear();
  }

  /** Forgets everything (a flush, or every subject changed) and starts a new preload when the feed is live. */
  function reset(): void {
    cache.clear();
    for (const list of reads.values()) for (const r of list) r.stale = true;
    reads.clear();
    giveUpCompleteness();
    changedDuringPage = undefined;
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = undefined;
    generation += 1;
    if (retry) clearTimeout(retry);
    retry = undefined;
    if (page && feed.live) void preload(generation);
  }

  const unsubscribe = feed.subscribe((change) => {
    if (change.kind === 'flush') {
      stats.flushes += 1;
      reset();
      return;
    }
    if (change.topic !== 'preferences') return;
    stats.invalidations += 1;
    if (change.key === null) return reset();
    const subject = change.key;
    cache.delete(subject);
    const list = reads.get(subject);
    if (list) for (const r of list) r.stale = true;
    if (changedDuringPage) {
      changedDuringPage.add(subject);
      unknown.add(subject);
    } else if (complete) {
      unknown.add(subject);
      if (unknown.size > maxUnknown) giveUpCompleteness();
      else if (!refreshTimer) {
        refreshTimer = setTimeout(refreshChanged, refreshMs);
        refreshTimer.unref();
      }
    }
  });

  /** Reads the whole table into the cache, a page at a time, then declares it complete (unless it did not fit). */
  async function preload(gen: number): Promise<void> {
    let after = '';
    try {
      for (;;) {
        const changed = (changedDuringPage = new Set());
        const { subjects, last } = await page!(after, PAGE_ROWS);
        if (gen !== generation) return;
        for (const [subject, rows] of subjects) {
          if (changed.has(subject) || cache.has(subject)) continue; // read before its change; or already current
          if (cache.size >= max) {
            changedDuringPage = undefined; // does not fit: what was read stays as a warm start
            unknown.clear();
            return;
          }
          if (rows.length > 0) cache.set(subject, entryOf(rows));
          unknown.delete(subject);
          stats.preloaded += 1;
        }
        if (last === undefined) break;
        after = last;
      }
      changedDuringPage = undefined;
      complete = true;
      refreshChanged();
    } catch {
      if (gen !== generation) return;
      changedDuringPage = undefined;
      unknown.clear();
      retry = setTimeout(() => {
        retry = undefined;
        if (gen === generation && feed.live) void preload(gen);
      }, retryMs);
      retry.unref();
    }
  }

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

  function remember(subject: string, rows: PreferenceRow[], read: Read): Entry | undefined {
    if (read.stale || !feed.live || max === 0) return undefined;
    unknown.delete(subject);
    if (complete && rows.length === 0) {
      cache.delete(subject);
      return none;
    }
    if (cache.size >= max && !cache.has(subject)) {
      giveUpCompleteness(); // more subjects than the bound: a cache of the recent ones from now on
      evictOne();
    }
    const entry = entryOf(rows);
    cache.set(subject, entry);
    return entry;
  }

  function endRead(subject: string, read: Read): void {
    const list = reads.get(subject);
    if (!list) return;
    if (list.length === 1) reads.delete(subject);
    else list.splice(list.indexOf(read), 1);
  }

  /** Reads the subject from the database and remembers its rows (when `admit`). */
  function load(subject: string, admit: boolean): MaybePromise<Entry | PreferenceRow[]> {
    const read: Read = { stale: false };
    const list = reads.get(subject);
    if (list) list.push(read);
    else reads.set(subject, [read]);
    const settle = (rows: PreferenceRow[]) => {
      endRead(subject, read);
      return (admit ? remember(subject, rows, read) : undefined) ?? rows;
    };
    let rows: MaybePromise<PreferenceRow[]>;
    try {
      rows = inner.all(subject);
    } catch (err) {
      endRead(subject, read);
      throw err;
    }
    if (!(rows instanceof Promise)) return settle(rows);
    return rows.then(settle, (err: unknown) => {
      endRead(subject, read);
      throw err;
    });
  }

  /**
   * Complete mode: the subjects changed since the last time are read again, together (misses asked for in one turn
   * are one statement per 500). A read that fails, or that a newer change makes stale, leaves its subject unknown:
   * its next decision reads the database, and its next change schedules it again.
   */
  function refreshChanged(): void {
    refreshTimer = undefined;
    if (!complete) return;
    for (const subject of unknown) {
      stats.refreshes += 1;
      const loaded = load(subject, true);
      if (loaded instanceof Promise) loaded.catch(() => undefined);
    }
  }

  /** The subject's entry, remembered now if it was not (just the rows read, when they cannot be remembered). */
  function entry(subject: string): MaybePromise<Entry | PreferenceRow[]> {
    const hit = cache.get(subject);
    if (hit) {
      stats.hits += 1;
      hit.used = true; // active members stay remembered (evictOne)
      return hit;
    }
    if (complete && !unknown.has(subject)) {
      stats.hits += 1;
      return none;
    }
    stats.misses += 1;
    return load(subject, seenBefore === undefined || seenBefore(subject));
  }

  const rowsOf = (e: Entry | PreferenceRow[]): PreferenceRow[] => (Array.isArray(e) ? e : e.rows);
  const all = (subject: string) => andThen(entry(subject), rowsOf);

  if (page && feed.live) void preload(generation);

  return {
    all,
    one: (subject, purpose) => andThen(all(subject), (rows) => rows.find((r) => r.purpose === purpose)),
    stats: () => ({ ...stats, size: cache.size, complete }),
    async close() {
      unsubscribe();
      generation += 1;
      if (retry) clearTimeout(retry);
      if (refreshTimer) clearTimeout(refreshTimer);
      cache.clear();
      await inner.close();
    },
  };
}

/** The cache's figures on `/metrics`: how much it holds, whether it is complete, and how often it answered. */
export function addPreferenceCacheMetrics(metrics: Metrics, reader: CachedPreferenceReader): void {
  const figure = (name: string, help: string, type: 'gauge' | 'counter', read: (s: PreferenceCacheStats) => number) =>
    metrics.add({ name: `mamori_preference_cache_${name}`, help, type, read: () => read(reader.stats()) });
  figure('subjects', 'Subjects whose consent preferences this instance holds in memory.', 'gauge', (s) => s.size);
  figure('complete', '1 when every subject with a recorded choice is held (decisions never wait for the database).', 'gauge', (s) => (s.complete ? 1 : 0));
  figure('hits_total', 'Decisions answered from memory.', 'counter', (s) => s.hits);
  figure('misses_total', 'Decisions that read the database.', 'counter', (s) => s.misses);
  figure('invalidations_total', 'Subjects dropped because a choice was recorded (on any instance).', 'counter', (s) => s.invalidations);
  figure('flushes_total', 'Times everything was dropped (the change feed reconnected).', 'counter', (s) => s.flushes);
  figure('preloaded_total', 'Subjects read in by preloads of the whole table.', 'counter', (s) => s.preloaded);
  figure('refreshes_total', 'Changed subjects read again so that a complete cache stays complete.', 'counter', (s) => s.refreshes);
}
