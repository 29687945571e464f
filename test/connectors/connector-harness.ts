import { readFileSync } from 'node:fs';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { z } from 'zod';
import { createManualClock, type ManualClock } from '../../src/clock.ts';
import type { DatasetGraph, SqlEngine } from '../../src/connectors/graph-schema.ts';
import { parseGraph } from '../../src/connectors/load-graph.ts';
import { createConnectorService, type ConnectorServiceOptions } from '../../src/connectors/connector-service.ts';
import type { SqlConnection, SqlQueryable } from '../../src/connectors/sql/sql-connection.ts';
import { FIXTURE_GRAPH, MYSQL_ADMIN_URL } from '../fixtures/fediverse/fediverse-fixture.ts';
import { PG_ADMIN_URL } from '../support/stores.ts';
import type { Store } from '../../src/store/store.ts';

export const SECRET = Buffer.alloc(32, 9);

/** The fixture graph with its connection switched to `engine`. */
export function fixtureGraph(engine: SqlEngine, edit: (yaml: string) => string = (y) => y): DatasetGraph {
  const text = edit(readFileSync(FIXTURE_GRAPH, 'utf8').replace('kind: postgres', `kind: ${engine}`));
  const r = parseGraph(text, 'datasets.yaml');
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.line}:${i.col} ${i.message}`).join('\n'));
  return r.loaded.graph;
}

export function makeService(store: Store, graph: DatasetGraph, conn: SqlConnection, extra: Partial<ConnectorServiceOptions> & { clock?: ManualClock } = {}) {
  const clock = extra.clock ?? createManualClock('2026-11-01T00:00:00.000Z');
  const svc = createConnectorService({ store, clock, graph, secret: SECRET, env: {}, baseUrl: 'http://127.0.0.1:0', connections: { misskey_db: conn }, ...extra });
  return { svc, clock };
}

/**
 * A connection whose transaction loses its server connection for real at the `failAt`-th statement: the backend is
 * terminated from a separate admin session (pg_terminate_backend / KILL), so the statement fails as in production.
 */
export function connectionLostAt(inner: SqlConnection, failAt: number): SqlConnection & { tripped(): boolean } {
  let tripped = false;
  return {
    engine: inner.engine,
    query: (s, p) => inner.query(s, p),
    close: () => inner.close(),
    tripped: () => tripped,
    transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      return inner.transaction(async (tx) => {
        const idRow = await tx.query(inner.engine === 'postgres' ? 'select pg_backend_pid() as pid' : 'select connection_id() as pid');
        const pid = z.coerce.number().parse(idRow.rows[0]?.pid);
        let n = 0;
        const wrapped: SqlQueryable = {
          async query(s, p) {
            n++;
            if (!tripped && n === failAt) {
              tripped = true;
              await killSession(inner.engine, pid);
            }
            return tx.query(s, p);
          },
        };
        return fn(wrapped);
      });
    },
  };
}

async function killSession(engine: SqlEngine, pid: number): Promise<void> {
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
