import type { SqlEngine } from '../graph-schema.ts';
import type { SqlConnection } from './sql-connection.ts';
import { createPostgresConnection } from './postgres-connection.ts';
import { createMysqlConnection } from './mysql-connection.ts';
import { createSqliteConnection } from './sqlite-connection.ts';

const openers: Record<SqlEngine, (url: string) => SqlConnection> = {
  postgres: (url) => createPostgresConnection(url),
  mysql: (url) => createMysqlConnection(url),
  sqlite: (url) => createSqliteConnection(url),
};

export function openSqlConnection(engine: SqlEngine, url: string): SqlConnection {
  return openers[engine](url);
}
