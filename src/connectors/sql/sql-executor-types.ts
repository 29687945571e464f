import type { SqlQueryable } from './sql-connection.ts';
import type { ForeignKey } from './sql-catalog.ts';
import type { TableTrigger } from './sql-triggers.ts';

/** What an erasure reads of the database's catalog: ON DELETE rules, the application's triggers, column limits. */
export interface ErasureCatalog {
  foreignKeys: ForeignKey[];
  triggers: TableTrigger[];
  /** `table.column` → character limit, for columns that have one. */
  maxLength: Map<string, number>;
  /** `table.column` of every column in a primary or unique key. */
  unique: Set<string>;
}

/** Tuning knobs: IN-list chunk size, keyset page size, collections read in parallel. */
export interface SqlExecutorOptions {
  chunkSize?: number;
  pageSize?: number;
  concurrency?: number;
  /** Key for `hash` masking (HMAC-SHA256). */
  hashKey?: Buffer;
  /**
   * The database's catalog as erasure needs it (foreign keys with their ON DELETE rules, triggers, column limits),
   * when the caller keeps it across runs (the connector service reads it once per dataset); otherwise read on the
   * executor's first erasure.
   */
  catalog?: (db: SqlQueryable) => Promise<ErasureCatalog>;
}

export type Identities = Record<string, string>;
/** Values of the person's rows for the fields children reference: collection → field → distinct values. */
export type KeyValues = Map<string, Map<string, unknown[]>>;
export interface Batch {
  where: string;
  params: unknown[];
}
