import pg from 'pg';
import type { SqlConnection, SqlQueryable, SqlResult } from './sql-connection.ts';
import { rowsSchema } from './sql-connection.ts';

/** `?` placeholders to `$1…$n` (generated SQL never contains string literals). */
function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

async function run(q: { query(text: string, values: unknown[]): Promise<{ rows: unknown; rowCount: number | null }> }, sql: string, params: readonly unknown[] = []): Promise<SqlResult> {
  const r = await q.query(numbered(sql), [...params]);
  return { rows: rowsSchema.parse(r.rows), rowCount: r.rowCount ?? 0 };
}

/**
 * Opens a PostgreSQL pool for one dataset.
 * @example const db = createPostgresConnection(process.env.MISSKEY_DATABASE_URL ?? '');
 */
export function createPostgresConnection(url: string, opts: { max?: number } = {}): SqlConnection {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 4 });
  pool.on('error', () => {
    /* a dropped idle client surfaces on the next query */
  });
  return {
    engine: 'postgres',
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      const onError = (err: Error) => {
        broken = err;
      };
      client.on('error', onError);
      try {
        await client.query('begin');
        const tx: SqlQueryable = { query: (sql, params) => run(client, sql, params) };
        const out = await fn(tx);
        await client.query('commit');
        return out;
      } catch (err) {
        await client.query('rollback').catch((e: unknown) => {
          broken ??= e instanceof Error ? e : new Error('rollback failed');
        });
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
