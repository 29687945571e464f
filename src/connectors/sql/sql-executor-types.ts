import type { SqlQueryable } from './sql-connection.ts';
import type { ForeignKey } from './sql-catalog.ts';

/** Tuning knobs: IN-list chunk size, keyset page size, collections read in parallel. */
export interface SqlExecutorOptions {
  chunkSize?: number;
  pageSize?: number;
  concurrency?: number;
  /** Key for `hash` masking (HMAC-SHA256). */
  hashKey?: Buffer;
  /**
   * The database's foreign keys with their ON DELETE rules, when the caller keeps them across runs (the connector
   * service reads them once per dataset); otherwise read on the first erasure that deletes.
   */
  foreignKeys?: (db: SqlQueryable) => Promise<ForeignKey[]>;
}

export type Identities = Record<string, string>;
/** Values of the person's rows for the fields children reference: collection → field → distinct values. */
export type KeyValues = Map<string, Map<string, unknown[]>>;
export interface Batch {
  where: string;
  params: unknown[];
}
