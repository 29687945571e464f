import { z } from 'zod';
import { taxonomy, type TaxonomyKey } from '../policy/taxonomy.ts';

/**
 * The dataset graph: the operator's own systems, described once beside the policy (`datasets.yaml`).
 * Database URLs are never written in the file: `url_env` names the environment variable that holds them.
 */
const ident = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain SQL identifier (letters, digits, underscore)');
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name such as MISSKEY_DATABASE_URL');
const text = z.union([z.string().min(1), z.strictObject({ ja: z.string().min(1), en: z.string().min(1) })]);

export const sqlEngines = ['postgres', 'mysql', 'sqlite'] as const;
export type SqlEngine = (typeof sqlEngines)[number];

/** How one field is masked: set to NULL, a fixed value, a keyed hash (HMAC-SHA256 with MAMORI_SECRET) or random text. */
export const maskStrategy = z.union([
  z.literal('null'),
  z.literal('hash'),
  z.literal('random'),
  z.strictObject({ fixed: z.union([z.string(), z.number(), z.boolean()]) }),
]);
export type MaskStrategy = z.infer<typeof maskStrategy>;

const field = z.strictObject({
  name: ident,
  /** A data category of the taxonomy (checked against the policy's `data` by lint). */
  category: z.string().min(1).optional(),
  /** This field identifies the person directly: the request identity of the same name (email, account_id, phone…). */
  identity: ident.optional(),
  /** `collection.field` in the same dataset this field points to. */
  references: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/, 'must be `collection.field`').optional(),
  /**
   * Whether rows reached through this reference belong to the person (default true). False for a reference to
   * someone else's row that only orders erasure, e.g. a reaction's note (another person's reaction on the note).
   */
  follow: z.boolean().default(true),
  /** Staff may correct this field on a correction request (訂正等). */
  correctable: z.boolean().default(false),
  /**
   * Whether the field goes into a disclosure (default true). False for secrets the person's rows hold (password
   * hashes, 2FA secrets, private keys, tokens, session ids): they are erased with the row but never exported.
   */
  disclose: z.boolean().default(true),
  /**
   * How an identity value is compared: `case_insensitive` (the default for `identity: email`, since mail addresses are
   * matched case-insensitively in practice) or `exact` (the default for every other identity). On MySQL/MariaDB the
   * column's collation decides; the default `_ci` collations already ignore case.
   */
  match: z.enum(['exact', 'case_insensitive']).optional(),
  /** A note left by `mamori scan` for a person to check (e.g. a reference found by naming convention, not a FK). */
  review: z.string().min(1).optional(),
});
export type GraphField = z.infer<typeof field>;

const eraseAction = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('delete') }),
  z.strictObject({ action: z.literal('mask'), fields: z.record(ident, maskStrategy).refine((r) => Object.keys(r).length > 0, 'name at least one field to mask') }),
  z.strictObject({ action: z.literal('retain'), legal_basis: text, period: text }),
]);
export type EraseAction = z.infer<typeof eraseAction>;

const collection = z.strictObject({
  name: ident,
  primary_key: z.array(ident).min(1),
  fields: z.array(field).min(1),
  erase: eraseAction.default({ action: 'delete' }),
  /**
   * Erasing this collection may change other people's rows through the database's own ON DELETE rules (CASCADE,
   * SET NULL, SET DEFAULT). Without this acknowledgement such an erasure is refused before anything changes; with
   * it, the erasure runs and the reason is kept in the run ledger.
   */
  allow_cascade: z.strictObject({ reason: z.string().min(1) }).optional(),
  /**
   * The application's own triggers this collection's erasure fires (DELETE triggers of a deleted table, UPDATE
   * triggers of a masked one, and those of tables reached through ON DELETE rules), named `table.trigger`, with why
   * they may run (e.g. Lemmy's triggers that keep vote counts). mamori cannot see what a trigger changes: an erasure
   * that would fire a trigger not named here is refused before anything changes. `mamori scan` drafts this list for
   * review. The names and the reason are kept in the run ledger.
   */
  allow_triggers: z.strictObject({ names: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_$]*$/, 'must be `table.trigger`')).min(1), reason: z.string().min(1) }).optional(),
  /**
   * One SQL comment the erasure's DELETE statements on this collection start with, for applications whose triggers
   * only let marked deletes through: Lemmy's `require_uplete` refuses a DELETE on its `*_actions` tables unless the
   * statement text starts with an empty comment (slash, two asterisks, slash), the marker Lemmy's own code uses for
   * deliberate deletes. `mamori scan` drafts it when it finds such a guard in a trigger's code. Every DELETE also
   * carries `/* mamori erase *\/` after it, so the statements can be told apart in the database's logs.
   */
  statement_comment: z.string().regex(/^\/\*(?![!+])(?:[^*\n]|\*(?!\/))*\*\/$/, 'must be one SQL comment such as /* … */ (not an executable /*! or hint /*+ comment)').optional(),
  /**
   * Secrets kept as rows of a key/value table (WordPress `wp_usermeta` rows whose `meta_key` is `session_tokens`): on
   * rows whose `field` is one of `values`, the `hide` fields are erased with the row but never disclosed.
   */
  withhold: z.array(z.strictObject({ field: ident, values: z.array(z.string()).min(1), hide: z.array(ident).min(1) })).default([]),
  /** A note left by `mamori scan` for a person to check. */
  review: z.string().min(1).optional(),
});
export type GraphCollection = z.infer<typeof collection>;

/** Suspension / stop of provision for a SQL dataset: a flag column set on the person's rows. */
const suspension = z.strictObject({ collection: ident, field: ident, value: z.union([z.string(), z.number(), z.boolean()]).default(true) });

const sqlConnection = z.strictObject({ kind: z.enum(sqlEngines), url_env: envName });
const webhookConnection = z.strictObject({
  kind: z.literal('webhook'),
  url_env: envName,
  /** Shared secret for the HMAC-SHA256 signature of requests and callbacks. */
  secret_env: envName,
  /** Request kinds the operator's app handles through this webhook. */
  handles: z.array(z.enum(['access', 'erase', 'correct', 'suspend'])).min(1).default(['access', 'erase', 'correct', 'suspend']),
});
const manualConnection = z.strictObject({
  kind: z.literal('manual'),
  /** What staff must do by hand (shown as a checklist item). */
  task: text,
  handles: z.array(z.enum(['access', 'erase', 'correct', 'suspend'])).min(1).default(['access', 'erase', 'correct', 'suspend']),
});

const dataset = z.strictObject({
  id: ident,
  name: text.optional(),
  connection: z.discriminatedUnion('kind', [sqlConnection.extend({ kind: z.literal('postgres') }), sqlConnection.extend({ kind: z.literal('mysql') }), sqlConnection.extend({ kind: z.literal('sqlite') }), webhookConnection, manualConnection]),
  /** Categories held by a webhook or manual system (SQL datasets declare them per field). */
  categories: z.array(z.string().min(1)).default([]),
  collections: z.array(collection).default([]),
  suspension: suspension.optional(),
});
export type GraphDataset = z.infer<typeof dataset>;
export type DatasetConnection = GraphDataset['connection'];
export type ConnectionKind = DatasetConnection['kind'];

export const graphSchema = z.strictObject({
  mamori_graph: z.literal(1, { error: 'set `mamori_graph: 1` (the graph schema version) at the top of the file' }),
  datasets: z.array(dataset).min(1),
});
export type DatasetGraph = z.infer<typeof graphSchema>;

/** Work a run carries out in each system. */
export const runKinds = ['access', 'erase', 'correct', 'suspend'] as const;
export type RunKind = (typeof runKinds)[number];

export function isTaxonomyKey(key: string): key is TaxonomyKey {
  return Object.hasOwn(taxonomy, key);
}

/** Whether an identity field is compared ignoring case. */
export function matchesCaseInsensitively(f: Pick<GraphField, 'identity' | 'match'>): boolean {
  return (f.match ?? (f.identity === 'email' ? 'case_insensitive' : 'exact')) === 'case_insensitive';
}

export function isSqlDataset(d: GraphDataset): d is GraphDataset & { connection: { kind: SqlEngine; url_env: string } } {
  return d.connection.kind === 'postgres' || d.connection.kind === 'mysql' || d.connection.kind === 'sqlite';
}
