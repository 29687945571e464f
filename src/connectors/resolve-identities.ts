import type { DatasetGraph, GraphDataset } from './graph-schema.ts';
import { isSqlDataset } from './graph-schema.ts';
import { quoteIdent, toPlainValue, type SqlConnection } from './sql/sql-connection.ts';

/** At most this many rows are read per collection: a resolution names accounts, it does not export them. */
const ROWS_PER_COLLECTION = 20;

export interface IdentityResolutionResult {
  /** Identity kind → distinct values found in rows that match a given identity. */
  found: Record<string, string[]>;
  /** Datasets that could not be asked (connection or query failed). */
  unavailable: string[];
}

/**
 * Which identifiers the operator's databases link to the given trusted ones: for every collection with an identity
 * field of a given kind, the values of its identity fields in the rows that match (e.g. `user_profile.userId` where
 * `user_profile.email` is the verified email). Emails are compared without regard to case. Reads identity columns
 * only, at most a few rows per collection; writes nothing.
 */
export async function resolveIdentities(graph: DatasetGraph, connectionFor: (ds: GraphDataset) => SqlConnection, identities: Record<string, string>): Promise<IdentityResolutionResult> {
  const found = new Map<string, Set<string>>();
  const unavailable: string[] = [];
  for (const ds of graph.datasets) {
    if (!isSqlDataset(ds)) continue;
    try {
      const conn = connectionFor(ds);
      const q = (name: string) => quoteIdent(conn.engine, name);
      for (const c of ds.collections) {
        const idFields = c.fields.filter((f) => f.identity !== undefined);
        const seeds = idFields.filter((f) => f.identity !== undefined && identities[f.identity] !== undefined);
        if (seeds.length === 0) continue;
        const where = seeds.map((f) => (f.identity === 'email' ? `lower(${q(f.name)}) = lower(?)` : `${q(f.name)} = ?`)).join(' or ');
        const params = seeds.map((f) => identities[f.identity ?? '']);
        const { rows } = await conn.query(`select ${idFields.map((f) => q(f.name)).join(', ')} from ${q(c.name)} where ${where} limit ${ROWS_PER_COLLECTION}`, params);
        for (const row of rows) {
          for (const f of idFields) {
            const v = toPlainValue(row[f.name]);
            if (f.identity === undefined || v === null || v === undefined || typeof v === 'object') continue;
            const text = String(v);
            found.set(f.identity, (found.get(f.identity) ?? new Set()).add(text));
          }
        }
      }
    } catch {
      unavailable.push(ds.id);
    }
  }
  return { found: Object.fromEntries([...found].map(([k, s]) => [k, [...s].sort()])), unavailable };
}
