import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import type { Store } from '../store/store.ts';
import { coalescedLoads } from './coalesced-loads.ts';

/** The current preference rows the decisions read: the hot path's one dependency. */
export interface PreferenceRow {
  purpose: string;
  allowed: number;
  policy_version: string;
  receipt_id: string;
  updated_at: string;
}

/** What a single decision needs from a preference: whether it allows, and under which policy version. */
export type CurrentChoice = Pick<PreferenceRow, 'allowed' | 'policy_version'>;

/** A value now, or later: the SQLite reader answers synchronously, so the hot path needs no promise at all. */
export type MaybePromise<T> = T | Promise<T>;

/** Applies `fn` at once to a value, or when a promise settles. */
export function andThen<T, U>(value: MaybePromise<T>, fn: (v: T) => U): MaybePromise<U> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

/** One page of the whole table: whole subjects in the primary key's order; `last` is where the next page starts. */
export interface PreferencePage {
  subjects: Array<[subject: string, rows: PreferenceRow[]]>;
  /** The last subject of this page; undefined when the table ends with it. */
  last: string | undefined;
}

export interface PreferenceReader {
  one(subject: string, purpose: string): MaybePromise<CurrentChoice | undefined>;
  all(subject: string): MaybePromise<PreferenceRow[]>;
  /** The subjects after `after` (about `limit` rows, never a subject cut in two), for a cache that preloads. */
  page?(after: string, limit: number): Promise<PreferencePage>;
  close(): Promise<void>;
}

function kyselyReader(store: Store): PreferenceReader {
  return {
    one: (subject, purpose) =>
      store.db.selectFrom('consent_preferences').select(['allowed', 'policy_version']).where('subject', '=', subject).where('purpose', '=', purpose).executeTakeFirst(),
    all: (subject) =>
      store.db.selectFrom('consent_preferences').select(['purpose', 'allowed', 'policy_version', 'receipt_id', 'updated_at']).where('subject', '=', subject).execute(),
    close: async () => {},
  };
}

/**
 * Reads current preferences for decisions. On SQLite it keeps its own read-only connection with prepared statements
 * and answers synchronously (WAL lets it read beside the writer and every read sees the last commit), which takes the
 * query builder and the promise machinery out of the hot path; on PostgreSQL it uses the store. Both read by the
 * primary key (one row, or one subject's range), never a scan. On PostgreSQL it keeps a small pool of its own and
 * one named prepared statement (parsed and planned once per connection, no query builder) that reads any number of
 * subjects: misses arriving together share one round trip (coalesced-loads.ts), which never queues behind the
 * writers' transactions in the main pool.
 */
export async function createPreferenceReader(store: Store): Promise<PreferenceReader> {
  if (store.dialect === 'postgres') return store.url ? pgReader(store.url) : kyselyReader(store);
  const list = await sql<{ name: string; file: string }>`PRAGMA database_list`.execute(store.db);
  const file = list.rows.find((r) => r.name === 'main')?.file;
  if (!file) return kyselyReader(store); // :memory: has no file another connection could open
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  // Decisions jump to random subjects: map the file (address space only; the kernel pages in what is read) and keep
  // a larger page cache, so a lookup in millions of rows costs memory reads rather than a read() per B-tree page.
  db.pragma('mmap_size = 1073741824');
  db.pragma('cache_size = -32768');
  const one = db.prepare<[string, string], CurrentChoice>('select allowed, policy_version from consent_preferences where subject = ? and purpose = ?');
  const all = db.prepare<[string], PreferenceRow>('select purpose, allowed, policy_version, receipt_id, updated_at from consent_preferences where subject = ?');
  return {
    one: (subject, purpose) => one.get(subject, purpose),
    all: (subject) => all.all(subject),
    close: async () => {
      db.close();
    },
  };
}

// One statement for any number of subjects: the primary key's index, probed once per subject in the array.
const MANY_TEXT = 'select subject, purpose, allowed, policy_version, receipt_id, updated_at from consent_preferences where subject = any($1::text[])';
// A page of the whole table in the primary key's order (an index range scan from `after`).
const PAGE_TEXT = 'select subject, purpose, allowed, policy_version, receipt_id, updated_at from consent_preferences where subject > $1 order by subject, purpose limit $2';
/** Every column arrives as the text PostgreSQL sends; `allowed` alone is made a number. */
const asText = { getTypeParser: () => (value: string) => value };
/** Connections of the reader's own pool; as many batches may be out at once. */
const READER_CONNECTIONS = 4;

function pgReader(url: string): PreferenceReader {
  const pool = new pg.Pool({ connectionString: url, max: READER_CONNECTIONS });
  pool.on('error', () => {
    /* an idle client's error surfaces on the next query */
  });
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  // Purposes and policy versions are a handful of values repeated in every row: one string each, not one per row
  // (a preloaded cache holds a row per subject and purpose).
  const shared = new Map<string, string>();
  const intern = (value: string): string => {
    const known = shared.get(value);
    if (known !== undefined) return known;
    if (shared.size < 10_000) shared.set(value, value);
    return value;
  };
  /** Rows grouped by subject, in the order they came (the page's order). */
  const bySubject = (rows: string[][]): Map<string, PreferenceRow[]> => {
    const out = new Map<string, PreferenceRow[]>();
    for (const [subject, purpose, allowed, policy_version, receipt_id, updated_at] of rows) {
      const row: PreferenceRow = { purpose: intern(purpose!), allowed: Number(allowed), policy_version: intern(policy_version!), receipt_id: receipt_id!, updated_at: updated_at! };
      const list = out.get(subject!);
      if (list) list.push(row);
      else out.set(subject!, [row]);
    }
    return out;
  };
  // Cache misses arriving together (a burst of page views of members not remembered) are read in one round trip.
  const load = coalescedLoads(
    async (subjects: string[]) => bySubject((await pool.query<string[]>({ name: 'mamori_preferences_of_subjects', text: MANY_TEXT, values: [subjects], rowMode: 'array', types: asText })).rows),
    { maxInFlight: READER_CONNECTIONS, maxBatch: 500 },
  );
  const all = async (subject: string): Promise<PreferenceRow[]> => (await load(subject)) ?? [];
  return {
    all,
    one: async (subject, purpose) => (await all(subject)).find((r) => r.purpose === purpose),
    async page(after, limit) {
      const result = await pool.query<string[]>({ name: 'mamori_preferences_page', text: PAGE_TEXT, values: [after, limit], rowMode: 'array', types: asText });
      const subjects = [...bySubject(result.rows)];
      if (result.rows.length < limit) return { subjects, last: undefined };
      // The page's last subject may go on in the next page: it is left whole to that one (or read whole now, when it
      // alone filled the page).
      const [cut] = subjects.length > 1 ? subjects.splice(-1) : [];
      if (cut === undefined) subjects[0] = [subjects[0]![0], await all(subjects[0]![0])];
      return { subjects, last: subjects[subjects.length - 1]![0] };
    },
    close: () => pool.end(),
  };
}
