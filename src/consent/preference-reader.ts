import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import type { Store } from '../store/store.ts';

/** The current preference rows the decisions read: the hot path's one dependency. */
export interface PreferenceRow {
  purpose: string;
  allowed: number;
  policy_version: string;
  receipt_id: string;
  updated_at: string;
}

export interface PreferenceReader {
  one(subject: string, purpose: string): Promise<PreferenceRow | undefined>;
  all(subject: string): Promise<PreferenceRow[]>;
  close(): Promise<void>;
}

const COLUMNS = 'purpose, allowed, policy_version, receipt_id, updated_at';

function kyselyReader(store: Store): PreferenceReader {
  const select = () => store.db.selectFrom('consent_preferences').select(['purpose', 'allowed', 'policy_version', 'receipt_id', 'updated_at']);
  return {
    one: (subject, purpose) => select().where('subject', '=', subject).where('purpose', '=', purpose).executeTakeFirst(),
    all: (subject) => select().where('subject', '=', subject).execute(),
    close: async () => {},
  };
}

/**
 * Reads current preferences for decisions. On SQLite it keeps its own read-only connection with prepared statements
 * (WAL lets it read beside the writer and every read sees the last commit), which takes the query builder out of the
 * hot path; on PostgreSQL it uses the store. Both read one primary-key row, never a scan.
 */
export async function createPreferenceReader(store: Store): Promise<PreferenceReader> {
  if (store.dialect !== 'sqlite') return kyselyReader(store);
  const list = await sql<{ name: string; file: string }>`PRAGMA database_list`.execute(store.db);
  const file = list.rows.find((r) => r.name === 'main')?.file;
  if (!file) return kyselyReader(store); // :memory: has no file another connection could open
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  // Decisions jump to random subjects: map the file and keep a larger page cache, so a lookup in millions of rows
  // costs memory reads rather than a read() system call per B-tree page.
  db.pragma('mmap_size = 268435456');
  db.pragma('cache_size = -32768');
  const one = db.prepare<[string, string], PreferenceRow>(`select ${COLUMNS} from consent_preferences where subject = ? and purpose = ?`);
  const all = db.prepare<[string], PreferenceRow>(`select ${COLUMNS} from consent_preferences where subject = ?`);
  return {
    one: async (subject, purpose) => one.get(subject, purpose),
    all: async (subject) => all.all(subject),
    close: async () => {
      db.close();
    },
  };
}
