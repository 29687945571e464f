import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import mysql from 'mysql2/promise';
import type { SqlEngine } from '../../src/connectors/graph-schema.ts';
import type { SqlConnection } from '../../src/connectors/sql/sql-connection.ts';
import { PG_ADMIN_URL } from './stores.ts';
import { fixtureHandle, MYSQL_ADMIN_URL } from '../fixtures/fediverse/fediverse-fixture.ts';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
/** Real applications' schemas live beside the clone (`../shared/schemas`), never in the project's own tree. */
export const SCHEMAS_DIR = process.env.MAMORI_SCHEMAS_DIR ?? join(root, '..', 'shared', 'schemas');
export const schemasPresent = existsSync(join(SCHEMAS_DIR, 'README.md'));

export type RealSchema = 'lemmy' | 'synapse' | 'wordpress';
export const schemaFiles: Record<RealSchema, { file: string; engine: SqlEngine }> = {
  lemmy: { file: 'lemmy.postgres.sql', engine: 'postgres' },
  synapse: { file: 'synapse.postgres.sql', engine: 'postgres' },
  wordpress: { file: 'wordpress.mysql.sql', engine: 'mysql' },
};

export interface RealDb {
  engine: SqlEngine;
  url: string;
  conn: SqlConnection;
  drop(): Promise<void>;
}

/** A fresh database with one real schema loaded (PostgreSQL or MariaDB), dropped by `drop()`. */
export async function loadRealSchema(schema: RealSchema, prefix = 'mamori_real'): Promise<RealDb> {
  const { file, engine } = schemaFiles[schema];
  const ddl = readFileSync(join(SCHEMAS_DIR, file), 'utf8');
  const name = `${prefix}_${schema}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  let url: string;
  let cleanup: () => Promise<void>;
  if (engine === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(ddl);
    await c.end();
    cleanup = async () => {
      const a = new pg.Client({ connectionString: PG_ADMIN_URL });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    };
  } else {
    const c = await mysql.createConnection({ uri: MYSQL_ADMIN_URL, multipleStatements: true });
    await c.query(`create database ${name}`);
    await c.query(`use ${name}`);
    await c.query(ddl);
    await c.end();
    url = `${MYSQL_ADMIN_URL}/${name}`;
    cleanup = async () => {
      const a = await mysql.createConnection({ uri: MYSQL_ADMIN_URL });
      await a.query(`drop database if exists ${name}`);
      await a.end();
    };
  }
  return fixtureHandle(engine, url, cleanup);
}

/** Inserts rows of equal width in chunks (`?` placeholders; the connection numbers them for PostgreSQL). */
export async function insertRows(conn: SqlConnection, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  const q = (n: string) => (conn.engine === 'mysql' ? `\`${n}\`` : `"${n}"`);
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const ph = chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
    await conn.query(`insert into ${q(table)} (${columns.map(q).join(', ')}) values ${ph}`, chunk.flat());
  }
}

/** Every row of every table, as sorted JSON lines per table, without the columns `ignore` names (`table.column`). */
export async function snapshotAll(conn: SqlConnection, ignore: (table: string, column: string) => boolean = () => false): Promise<Map<string, string[]>> {
  const tables =
    conn.engine === 'postgres'
      ? (await conn.query(`select table_name as t from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`)).rows
      : (await conn.query(`select table_name as t from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE'`)).rows;
  const out = new Map<string, string[]>();
  for (const r of tables) {
    const t = String(r.t);
    const q = conn.engine === 'mysql' ? `\`${t}\`` : `"${t}"`;
    const { rows } = await conn.query(`select * from ${q}`);
    out.set(t, rows.map((row) => JSON.stringify(Object.fromEntries(Object.entries(row).filter(([k]) => !ignore(t, k)).map(([k, v]) => [k, v instanceof Date ? (Number.isNaN(v.getTime()) ? 'zero-date' : v.toISOString()) : typeof v === 'bigint' ? String(v) : Buffer.isBuffer(v) ? v.toString('hex') : v])))).sort());
  }
  return out;
}

/**
 * Rows present before and missing after (changed or deleted), per table, that `isPersons` does not claim. A changed
 * row shows up as missing with its old content.
 */
export function changedRows(before: Map<string, string[]>, after: Map<string, string[]>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [t, rows] of before) {
    const now = new Set(after.get(t) ?? []);
    const gone = rows.filter((r) => !now.has(r));
    if (gone.length > 0) out.set(t, gone);
  }
  return out;
}
