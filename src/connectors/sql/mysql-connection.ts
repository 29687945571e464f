import mysql from 'mysql2/promise';
import { z } from 'zod';
import type { SqlConnection, SqlQueryable, SqlResult } from './sql-connection.ts';
import { rowsSchema } from './sql-connection.ts';

const okPacket = z.object({ affectedRows: z.number() });

async function run(q: { query(sql: string, values: unknown[]): Promise<[unknown, unknown]> }, sql: string, params: readonly unknown[] = []): Promise<SqlResult> {
  const [result] = await q.query(sql, [...params]);
  if (Array.isArray(result)) return { rows: rowsSchema.parse(result), rowCount: result.length };
  return { rows: [], rowCount: okPacket.parse(result).affectedRows };
}

/**
 * Opens a MySQL/MariaDB pool for one dataset (`mysql://user:pass@host:3306/db`).
 * @example const db = createMysqlConnection(process.env.SHOP_DATABASE_URL ?? '');
 */
export function createMysqlConnection(url: string, opts: { max?: number } = {}): SqlConnection {
  const pool = mysql.createPool({ uri: url, connectionLimit: opts.max ?? 4, supportBigNumbers: true, bigNumberStrings: true });
  // mysql2 listens for a pooled connection's first 'error' only: a killed connection that errs again (or errs while
  // checked out by a transaction) would end the process. The query in flight fails instead, the pool drops the
  // connection, and the connector run's failed step is retried (steps are idempotent).
  pool.on('connection', (conn) => {
    conn.on('error', () => {});
  });
  return {
    engine: 'mysql',
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      const conn = await pool.getConnection();
      let broken = false;
      try {
        await conn.beginTransaction();
        const tx: SqlQueryable = { query: (sql, params) => run(conn, sql, params) };
        const out = await fn(tx);
        await conn.commit();
        return out;
      } catch (err) {
        await conn.rollback().catch(() => {
          broken = true;
        });
        throw err;
      } finally {
        if (broken) conn.destroy();
        else conn.release();
      }
    },
    close: () => pool.end(),
  };
}
