/** What happened in one system: expected outcomes are values, never exceptions. */
export type StepStatus = 'done' | 'failed' | 'skipped' | 'waiting';
export const stepStatuses: readonly StepStatus[] = ['done', 'failed', 'skipped', 'waiting'];

/**
 * Rows of one table a delete of the person's rows changes through the database's own ON DELETE rule, counted before
 * anything changes: the person's own rows (`mine`) and other people's (`others`). `path` names the foreign keys
 * followed, e.g. `post → comment.post_id (cascade)`. With `restrict`/`no_action` the rows would block the delete.
 */
export interface CascadeEffect {
  path: string;
  table: string;
  rule: 'cascade' | 'set_null' | 'set_default' | 'restrict' | 'no_action';
  mine: number;
  others: number;
}

/** One application trigger an erasure fires: `table.trigger`, when it runs, and whether the graph acknowledged it. */
export interface FiredTrigger {
  id: string;
  fires: string;
  acknowledged: boolean;
  /** The tables its code writes (INSERT/UPDATE/DELETE targets read from the trigger's text; dynamic SQL is not seen). */
  writes?: string[];
}

/**
 * Rows of one table the application's triggers changed when the person's rows of a collection were erased: beyond
 * the statement's own rows and beyond ON DELETE rules. Measured exactly by a PostgreSQL dry run (the erasure runs in
 * a transaction that is rolled back, reading `pg_stat_xact_user_tables` around each statement).
 */
export interface TriggerEffect {
  table: string;
  inserted: number;
  updated: number;
  deleted: number;
}

export interface CollectionOutcome {
  collection: string;
  status: 'done' | 'skipped';
  /** Rows read, erased, masked, corrected or flagged (a dry run: rows that would be). */
  count: number;
  /** Why it was skipped or what was kept: e.g. the legal basis and period of a retained collection. */
  note?: string;
  /** Erasure: rows in other tables the delete changes (or would, in a dry run) through ON DELETE rules. */
  cascaded?: CascadeEffect[];
  /**
   * Erasure: the application's triggers the delete or mask fires (or would), e.g. `post_actions.delete_statement`
   * with `after delete, per statement`; `acknowledged` when the graph's `allow_triggers` names it.
   */
  triggers?: FiredTrigger[];
  /** Dry run on PostgreSQL: rows other tables (or this one) had changed by the triggers, per table (see `TriggerEffect`). */
  triggerEffects?: TriggerEffect[];
}

export interface DatasetOutcome {
  dataset: string;
  status: StepStatus;
  count: number;
  collections: CollectionOutcome[];
  error?: { code: string; message: string };
  /**
   * Whether any row matched the identities in this system (SQL datasets; a webhook that reports a count). Undefined
   * when the system cannot tell (manual tasks). A run where every system says false found no data at all.
   */
  found?: boolean;
  /** Access only: the person's rows grouped by collection. */
  groups?: Array<{ name: string; rows: Array<Record<string, unknown>> }>;
  /** Correction only: each changed field with its values before and after. */
  corrections?: Array<{ field: string; before: unknown[]; after: unknown; count: number }>;
}

/**
 * A database error as it may be stored: its code and a message with quoted values removed, because driver
 * messages can echo the person's data (e.g. `Key (email)=(…) already exists`).
 */
export function safeError(err: unknown): { code: string; message: string } {
  const rawCode = err instanceof Error && 'code' in err ? err.code : undefined;
  const code = typeof rawCode === 'string' || typeof rawCode === 'number' ? String(rawCode) : 'MAMORI_CONNECTOR_ERROR';
  const raw = err instanceof Error ? err.message : 'unknown error';
  const message = raw
    .split('\n')[0]
    ?.replace(/=\([^)]*\)/g, '=(…)')
    .replace(/'[^']*'/g, "'…'")
    .replace(/"[^"]*"/g, '"…"')
    .slice(0, 200) ?? '';
  return { code, message };
}
