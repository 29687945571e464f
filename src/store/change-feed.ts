import pg from 'pg';
import { sql } from 'kysely';
import type { Db, DbOrTrx, StoreDialect } from './store.ts';
import { preparedStatement } from './prepared-statement.ts';

/** What a cache may hold that another instance can change: preferences (keyed by subject), consent keys, config. */
export type ChangeTopic = 'preferences' | 'consent_keys' | 'config';

/** One change, or `flush`: forget everything (the feed reconnected, so changes may have been missed). */
export type Change = { kind: 'change'; topic: ChangeTopic; key: string | null } | { kind: 'flush' };

/**
 * Tells every mamori instance on the same database what changed, so each can drop what it cached. On PostgreSQL a
 * change is a `NOTIFY` sent inside the writer's transaction (delivered only if it commits) and heard on one dedicated
 * `LISTEN` connection per instance that reconnects and asks its listeners to flush after any gap. On SQLite there is
 * one server process, so a change reaches the listeners directly; given the store's connection (`db`), the feed also
 * notices commits made by any other process on the same file (a CLI command, a restore) by polling that
 * connection's `PRAGMA data_version` (which moves only for other connections' commits), and then flushes.
 */
export interface ChangeFeed {
  /** Announces a change as part of `db`'s transaction (PostgreSQL: delivered on commit). */
  publish(db: DbOrTrx, topic: ChangeTopic, key?: string): Promise<void>;
  /**
   * Announces changes to many keys of one topic in one statement (PostgreSQL: one `NOTIFY` per 7,000 bytes of keys,
   * delivered on commit): a batch of receipts announces all its subjects with one round trip.
   */
  publishMany(db: DbOrTrx, topic: ChangeTopic, keys: readonly string[]): Promise<void>;
  /**
   * Tells this instance's own listeners at once, after the writer's commit: the NOTIFY comes back through the
   * database a little later, and a person who just chose must see the choice on the instance that recorded it.
   */
  changedHere(topic: ChangeTopic, key?: string): void;
  /** Calls `listener` for every change and every flush; returns the unsubscribe. */
  subscribe(listener: (change: Change) => void): () => void;
  /** Whether changes are being heard now (false while the PostgreSQL listener reconnects: caches must not fill). */
  readonly live: boolean;
  close(): Promise<void>;
}

const CHANNEL = 'mamori_changes';
// One statement for any number of payloads (prepared once; the payloads go as one text[] parameter).
const notifyMany = preparedStatement('select pg_notify(?, p) from unnest(?::text[]) as p');
/** A text[] element in PostgreSQL's array literal syntax: quoted, with `"` and `\\` escaped. */
const arrayLiteral = (v: string): string => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
const topics: readonly ChangeTopic[] = ['preferences', 'consent_keys', 'config'];

/**
 * `topic`, `topic:key` or `topic:key1\nkey2…` (keys are subject ids or similar ids, which hold no control
 * characters); one change per key. An unknown topic is a flush: safest to forget everything.
 */
export function parsePayload(payload: string | undefined): Change[] {
  const at = (payload ?? '').indexOf(':');
  const name = at < 0 ? payload : payload?.slice(0, at);
  const topic = topics.find((t) => t === name);
  if (!topic) return [{ kind: 'flush' }];
  if (at < 0) return [{ kind: 'change', topic, key: null }];
  return (payload ?? '').slice(at + 1).split('\n').map((key) => ({ kind: 'change', topic, key }));
}

/** NOTIFY payloads must stay under 8000 bytes: keys joined by newlines, cut into payloads of at most this many bytes. */
const PAYLOAD_BYTES = 7000;

/** The payloads announcing `keys` of `topic` (none for no keys). */
export function payloadsOf(topic: ChangeTopic, keys: readonly string[]): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const key of new Set(keys)) {
    const size = Buffer.byteLength(key) + 1;
    if (current.length > 0 && bytes + size > PAYLOAD_BYTES) {
      out.push(`${topic}:${current.join('\n')}`);
      current = [];
      bytes = 0;
    }
    current.push(key);
    bytes += size;
  }
  if (current.length > 0) out.push(`${topic}:${current.join('\n')}`);
  return out;
}

export interface ChangeFeedOptions {
  dialect: StoreDialect;
  /** The PostgreSQL URL the listener connects to (required on PostgreSQL). */
  url?: string;
  /** First reconnect delay; doubles up to 5 s. */
  retryMs?: number;
  /** SQLite: the store's own (writing) connection, watched for other processes' commits. */
  db?: Db;
  /** SQLite: how often that connection's `data_version` is read; 250 ms unless told. */
  watchMs?: number;
}

/**
 * Calls `changed` when another connection committed to the SQLite file: `data_version` is per connection and does not
 * move for the connection's own commits, so on the store's connection it moves only for other processes' writes.
 * Returns the stop.
 */
async function watchOtherWriters(db: Db, everyMs: number, changed: () => void): Promise<() => void> {
  const version = async () => Number((await sql<{ data_version: number }>`PRAGMA data_version`.execute(db)).rows[0]?.data_version);
  let last = await version();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    version()
      .then((v) => {
        if (v !== last) changed();
        last = v;
      })
      .catch(() => changed()) // unknown: safest to forget everything
      .finally(() => {
        busy = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * @example const feed = await createChangeFeed({ dialect: store.dialect, url: store.url });
 *          feed.subscribe((c) => { if (c.kind === 'flush') cache.clear(); });
 */
export async function createChangeFeed(opts: ChangeFeedOptions): Promise<ChangeFeed> {
  const listeners = new Set<(change: Change) => void>();
  const emit = (change: Change): void => {
    for (const l of listeners) l(change);
  };
  const subscribe = (listener: (change: Change) => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  if (opts.dialect === 'sqlite' || !opts.url) {
    const stop = opts.dialect === 'sqlite' && opts.db ? await watchOtherWriters(opts.db, opts.watchMs ?? 250, () => emit({ kind: 'flush' })) : () => {};
    return {
      async publish(_db, topic, key) {
        emit({ kind: 'change', topic, key: key ?? null });
      },
      async publishMany(_db, topic, keys) {
        for (const key of new Set(keys)) emit({ kind: 'change', topic, key });
      },
      changedHere: (topic, key) => emit({ kind: 'change', topic, key: key ?? null }),
      subscribe,
      live: opts.dialect === 'sqlite',
      async close() {
        stop();
      },
    };
  }
  const url = opts.url;
  const baseRetry = opts.retryMs ?? 100;
  let client: pg.Client | undefined;
  let live = false;
  let closed = false;
  let retry = baseRetry;
  let timer: NodeJS.Timeout | undefined;

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: url, application_name: 'mamori-change-feed' });
    c.on('error', () => lost(c));
    c.on('end', () => lost(c));
    c.on('notification', (n) => {
      if (n.channel === CHANNEL) for (const change of parsePayload(n.payload)) emit(change);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}`);
    } catch {
      lost(c);
      return;
    }
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    live = true;
    retry = baseRetry;
    // Whatever changed while nobody listened is unknown: every cache starts again from the database.
    emit({ kind: 'flush' });
  }

  function lost(c: pg.Client): void {
    if (client === c) client = undefined;
    if (!live && timer) return;
    live = false;
    emit({ kind: 'flush' });
    c.removeAllListeners('end');
    c.end().catch(() => undefined);
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) void connect();
    }, retry);
    timer.unref();
    retry = Math.min(5000, retry * 2);
  }

  await connect();
  return {
    async publish(db, topic, key) {
      await sql`select pg_notify(${CHANNEL}, ${key === undefined ? topic : `${topic}:${key}`})`.execute(db);
    },
    async publishMany(db, topic, keys) {
      const payloads = payloadsOf(topic, keys);
      if (payloads.length === 0) return;
      await notifyMany.run(db, [CHANNEL, `{${payloads.map(arrayLiteral).join(',')}}`]);
    },
    changedHere: (topic, key) => emit({ kind: 'change', topic, key: key ?? null }),
    subscribe,
    get live() {
      return live;
    },
    async close() {
      closed = true;
      live = false;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      if (c) {
        c.removeAllListeners('end');
        await c.end().catch(() => undefined);
      }
    },
  };
}
