import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { z } from 'zod';
import { createMysqlConnection } from '../../src/connectors/sql/mysql-connection.ts';
import { createPostgresConnection } from '../../src/connectors/sql/postgres-connection.ts';
import type { SqlConnection } from '../../src/connectors/sql/sql-connection.ts';
import type { SqlEngine } from '../../src/connectors/graph-schema.ts';
import { MYSQL_ADMIN_URL } from '../fixtures/fediverse/fediverse-fixture.ts';
import { PG_ADMIN_URL } from '../support/stores.ts';

async function kill(engine: SqlEngine, pid: number): Promise<void> {
  if (engine === 'postgres') {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL });
    await c.connect();
    await c.query('select pg_terminate_backend($1)', [pid]);
    await c.end();
  } else {
    const c = await mysql.createConnection({ uri: MYSQL_ADMIN_URL });
    await c.query(`kill ${pid}`);
    await c.end();
  }
}

const open: Record<'postgres' | 'mysql', () => SqlConnection> = {
  postgres: () => createPostgresConnection(PG_ADMIN_URL, { max: 2 }),
  mysql: () => createMysqlConnection(MYSQL_ADMIN_URL, { max: 2 }),
};

for (const engine of ['postgres', 'mysql'] as const) {
  describe(`connector connection on ${engine} killed while checked out and idle`, () => {
    test('the transaction fails, the process lives on, the pool serves the next query', { timeout: 20_000 }, async () => {
      const crashes: unknown[] = [];
      const onCrash = (err: unknown) => crashes.push(err);
      process.on('uncaughtException', onCrash);
      const conn = open[engine]();
      try {
        for (let round = 0; round < 3; round++) {
          await assert.rejects(
            conn.transaction(async (tx) => {
              const r = await tx.query(engine === 'postgres' ? 'select pg_backend_pid() as pid' : 'select connection_id() as pid');
              await kill(engine, z.coerce.number().parse(r.rows[0]?.pid));
              // Idle between two statements: the server's goodbye arrives with no query to deliver it to.
              await new Promise((resolve) => setTimeout(resolve, 300));
              await tx.query('select 1 as one');
            }),
          );
          const again = await conn.query('select 1 as one');
          assert.equal(Number(again.rows[0]?.one), 1);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.deepEqual(crashes, []);
      } finally {
        process.off('uncaughtException', onCrash);
        await conn.close();
      }
    });
  });
}
