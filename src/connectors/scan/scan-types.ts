import type { DeleteRule, ForeignKey } from '../sql/sql-catalog.ts';
import type { TableTrigger } from '../sql/sql-triggers.ts';
import type { TaxonomyKey } from '../../policy/taxonomy.ts';
import type { ValueKind } from './personal-data-detectors.ts';

/** What a scan reads of a database: tables, their columns with what their values look like, and the foreign keys. */

/** What a column's type says about what it can hold. */
export type ColumnShape = 'text' | 'json' | 'integer' | 'date' | 'boolean' | 'ip' | 'other';

export interface ScannedColumn {
  name: string;
  type: string;
  shape: ColumnShape;
  nullable: boolean;
  maxLength?: number;
  /** What the column holds, from its values (preferred) or its name. */
  category?: TaxonomyKey;
  evidence?: { by: 'values'; kind: ValueKind; matched: number; sampled: number } | { by: 'name' } | { by: 'json'; kind: ValueKind };
  /** A password hash, 2FA secret, private key, token or session id: erased but never disclosed. */
  secret?: boolean;
  /** Free text (long text or JSON) with no more specific category. */
  freeText?: boolean;
  /** A single-column foreign key, or (`byConvention`) a link found by the column's name and confirmed by its values. */
  references?: { table: string; column: string; onDelete?: DeleteRule; byConvention?: boolean };
}

export interface ScannedTable {
  name: string;
  primaryKey: string[];
  uniqueKeys: string[][];
  columns: ScannedColumn[];
  rowEstimate: number;
  /** Rows sampled (at most `sample`): classification works on these. */
  sampled: number;
  /** A key/value table whose sampled keys name secrets (`session_tokens`): those rows' values are never disclosed. */
  secretRows?: { keyColumn: string; valueColumn: string; keys: string[] };
}

export interface ScanResult {
  tables: ScannedTable[];
  foreignKeys: ForeignKey[];
  /** The application's own triggers (an erasure that fires one must acknowledge it). */
  triggers: TableTrigger[];
}
