import type { SqlEngine } from '../graph-schema.ts';
import type { ScanResult, ScannedColumn, ScannedTable } from './scan-types.ts';
import { looksLikePersonColumn } from './convention-links.ts';
import { triggerId, triggersFired } from '../sql/sql-triggers.ts';
import type { ForeignKey } from '../sql/sql-catalog.ts';

/** Tables a delete of `table` may reach through ON DELETE rules (CASCADE followed further), from the catalog alone. */
function reachedByDelete(scan: ScanResult, table: string): Array<{ table: string; rule: ForeignKey['onDelete'] }> {
  const out: Array<{ table: string; rule: ForeignKey['onDelete'] }> = [];
  const queue = [table];
  const seen = new Set(queue);
  for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
    for (const fk of scan.foreignKeys) {
      if (fk.refTable !== t) continue;
      out.push({ table: fk.table, rule: fk.onDelete });
      if (fk.onDelete === 'cascade' && !seen.has(fk.table)) {
        seen.add(fk.table);
        queue.push(fk.table);
      }
    }
  }
  return out;
}

/** A column of someone else (the target of an action), never the row's owner. */
const targetish = /target|recipient|followee|mutee|blockee|ignored|other|invit|approver|resolver|admin|(^|_)mod(erator)?(_|$)|reviewer|assignee|reported|(^|_)to(_|$)|system|parent|reply|replied|quote|mention|item_creator/i;
const ownerExact = /^(user_?id|person_?id|creator_?id|author_?id|owner_?id|account_?id|member_?id|user_name|post_author|link_owner|sender|creator|owner|author|local_user_id)$/i;
const ownerish = /user|person|creator|author|owner|account|member|sender|follower|muter|blocker|ignorer|reporter|voter|subscriber/i;
/** Tables that belong to the software, not to anyone: migrations, schema versions, background jobs, locks. */
const softwareTable = /^(_|schema_|knex_|typeorm_|migrations?$|.*_migrations$|.*schema_version.*|background_updates?|previously_run_sql|applied_schema_deltas|.*_lock(s)?$|.*_seq$)/i;
/** Spaces many people share (a room, a community): whoever created one does not own what is in it. */
const sharedSpace = /(^|_)(room|rooms|communit(y|ies)|channels?|groups?|forums?|guilds?|teams?|organi[sz]ations?|spaces?|servers?)$/i;
/** Server-wide configuration: one row for the whole instance. */
const configTable = /(^|_)(site|config|configuration|settings?|options?|instance|meta|system|secret|server)(s)?($|_)/i;

export interface DraftResult {
  graph: Record<string, unknown>;
  /** Tables left out, each with why (shown as a comment at the top of the draft). */
  leftOut: Array<{ table: string; reason: string }>;
}

function ownerScore(c: ScannedColumn): number {
  if (targetish.test(c.name)) return -1;
  if (ownerExact.test(c.name)) return 2;
  return ownerish.test(c.name) ? 1 : 0;
}

function keyOf(t: ScannedTable): string[] {
  if (t.primaryKey.length > 0) return t.primaryKey;
  const notNull = t.uniqueKeys.find((k) => k.every((n) => t.columns.find((c) => c.name === n)?.nullable === false));
  return notNull ?? t.uniqueKeys[0] ?? [];
}

/**
 * Drafts a dataset graph that is safe to run unedited: the account table is the root (the table email identities
 * point at, or the most-referenced one), 1:1 profile tables are joined to it, and ownership is inferred outward from
 * it. A row referencing the person directly belongs through that column; its other references (someone else, someone's
 * post) are `follow: false`. Server-wide and lookup tables are left out. A table other people's rows can point at is
 * masked rather than deleted, so no cascade or blocked foreign key touches their rows. Secrets get `disclose: false`.
 * @example const { graph, leftOut } = draftGraph(await scanSchema(conn, 'postgres'), { datasetId: 'app', engine: 'postgres', urlEnv: 'APP_DATABASE_URL' });
 */
export function draftGraph(scan: ScanResult, opts: { datasetId: string; engine: SqlEngine; urlEnv: string }): DraftResult {
  const byName = new Map(scan.tables.map((t) => [t.name, t]));
  const leftOut: DraftResult['leftOut'] = [];
  const candidates = scan.tables.filter((t) => {
    if (softwareTable.test(t.name)) return leftOut.push({ table: t.name, reason: 'software bookkeeping' }) < 0;
    if (keyOf(t).length === 0) return leftOut.push({ table: t.name, reason: 'no primary or unique key: declare one by hand if it holds personal data' }) < 0;
    return true;
  });
  const isCandidate = new Set(candidates.map((t) => t.name));
  const refsOf = (t: ScannedTable) => t.columns.filter((c) => c.references && isCandidate.has(c.references.table));
  const incoming = new Map<string, Set<string>>();
  for (const t of candidates) for (const c of refsOf(t)) if (c.references && c.references.table !== t.name) incoming.set(c.references.table, (incoming.get(c.references.table) ?? new Set()).add(t.name));
  const fanIn = (n: string) => incoming.get(n)?.size ?? 0;
  const emailCols = (t: ScannedTable) => t.columns.filter((c) => c.category === 'email' && c.shape === 'text' && c.evidence?.by === 'values' && !targetish.test(c.name));
  const identityTables = candidates.filter((t) => emailCols(t).length > 0);

  // The root: among the identity tables and the tables they point at, the one most others point at.
  const rootCandidates = new Set<string>(identityTables.map((t) => t.name));
  for (const t of identityTables) for (const c of refsOf(t)) if (c.references) rootCandidates.add(c.references.table);
  if (rootCandidates.size === 0) for (const t of candidates) if (/user|person|account|member/i.test(t.name)) rootCandidates.add(t.name);
  const rootName = [...rootCandidates].sort((a, b) => fanIn(b) - fanIn(a) || Number(identityTables.some((t) => t.name === b)) - Number(identityTables.some((t) => t.name === a)) || a.localeCompare(b))[0];
  const root = rootName ? byName.get(rootName) : undefined;
  const rootKey = root ? keyOf(root) : [];

  /** Per owned table: the column it belongs through (undefined for the root and seeded tables), or null when seeded only. */
  const owner = new Map<string, string | null>();
  if (root) owner.set(root.name, null);
  // The identity table the root is found from (user_profile.userId → user.id, local_user.person_id → person.id).
  let profile: { table: ScannedTable; column: ScannedColumn } | undefined;
  if (root && emailCols(root).length === 0) {
    for (const t of identityTables) {
      const c = refsOf(t).find((x) => x.references?.table === root.name && ownerScore(x) >= 0);
      if (c && (!profile || fanIn(t.name) > fanIn(profile.table.name))) profile = { table: t, column: c };
    }
  }
  if (profile) owner.set(profile.table.name, null);
  const singleton = (t: ScannedTable) => t.rowEstimate === 1 && configTable.test(t.name);
  // Outward from the root: a table pointing at an owned table through an owner-like column belongs through it.
  // Server-wide singletons that point at an account (the instance's system account) are not that person's data.
  for (let level = 0; level < 4; level++) {
    let changed = false;
    for (const t of candidates) {
      if (owner.has(t.name) || singleton(t) || (sharedSpace.test(t.name) && !identityTables.includes(t))) continue;
      const direct = refsOf(t).filter((c) => c.references?.table === root?.name && ownerScore(c) >= 0 && t.name !== root?.name);
      // Through another owned table only when nothing in the row names some (other, unlinked) person: a row with its
      // own `user_id` that does not lead to the account is someone's, not necessarily the person's.
      const unlinkedPerson = t.columns.some((c) => looksLikePersonColumn(c.name) && !c.references);
      const pick = direct.sort((a, b) => ownerScore(b) - ownerScore(a))[0] ?? (direct.length === 0 && !unlinkedPerson ? refsOf(t).find((c) => c.references && c.references.table !== t.name && c.references.table !== root?.name && owner.has(c.references.table) && ownerScore(c) >= 0) : undefined);
      if (!pick) continue;
      owner.set(t.name, pick.name);
      changed = true;
    }
    if (!changed) break;
  }
  // Guest data keyed by email with no owner path (a newsletter list, guest comments elsewhere) is found by the address.
  for (const t of identityTables) if (!owner.has(t.name) && !singleton(t)) owner.set(t.name, null);
  for (const t of candidates) {
    if (owner.has(t.name)) continue;
    leftOut.push({ table: t.name, reason: singleton(t) ? 'server-wide (one row for the instance)' : sharedSpace.test(t.name) ? 'a space many people share (its creator does not own it)' : 'no owner path from the account (server-wide or lookup data)' });
  }
  const owned = candidates.filter((t) => owner.has(t.name));
  const isOwned = (n: string) => owner.has(n);
  const follows = (t: ScannedTable, c: ScannedColumn): boolean => {
    if (!c.references || !isOwned(c.references.table)) return false;
    if (t.name === root?.name) return false;
    return owner.get(t.name) === c.name;
  };

  // Deleting a row other people's rows may point at would cascade to them or be blocked: mask those instead.
  const action = new Map<string, 'delete' | 'mask'>(owned.map((t) => [t.name, 'delete']));
  const pointedAtByOthers = (name: string) =>
    scan.foreignKeys.some((fk) => fk.refTable === name && (!isOwned(fk.table) || fk.columns.length !== 1 || owner.get(fk.table) !== fk.columns[0] || byName.get(fk.table)?.columns.find((c) => c.name === fk.columns[0])?.references?.table !== name)) ||
    owned.some((t) => t.columns.some((c) => c.references?.table === name && c.references.byConvention && !follows(t, c)));
  for (const t of owned) if (pointedAtByOthers(t.name) || t.name === root?.name) action.set(t.name, 'mask');
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of owned) {
      if (action.get(t.name) !== 'delete') continue;
      const keptChild = owned.some((c) => action.get(c.name) === 'mask' && c.columns.some((x) => x.references?.table === t.name && c.name !== t.name));
      if (keptChild) {
        action.set(t.name, 'mask');
        changed = true;
      }
    }
  }

  // The account's own names (login, user name) are the person's display name even though a bare `name` is not.
  if (root) for (const c of root.columns) if (!c.category && c.shape === 'text' && /^(user_?)?(name|login|nicename)$/i.test(c.name)) c.category = 'display_name';
  const collections = owned.map((t) => {
    const key = keyOf(t);
    const fields = t.columns.map((c) => {
      const isRootKey = t.name === root?.name && rootKey.length === 1 && rootKey[0] === c.name;
      const ref = c.references && isOwned(c.references.table) && !(isRootKey && profile) ? c.references : undefined;
      const isIdentity = c.category === 'email' && c.shape === 'text' && c.evidence?.by === 'values' && !targetish.test(c.name) && (t.name === root?.name || owner.get(t.name) === null || identityTables.includes(t));
      const category = c.category;
      return {
        name: c.name,
        ...(isIdentity ? { identity: 'email' } : isRootKey ? { identity: 'account_id' } : {}),
        ...(category ? { category } : {}),
        ...(isRootKey && profile ? { references: `${profile.table.name}.${profile.column.name}` } : ref ? { references: `${ref.table}.${ref.column}` } : {}),
        ...(ref && !(isRootKey && profile) && !follows(t, c) ? { follow: false } : {}),
        ...(c.secret ? { disclose: false } : {}),
        ...((isRootKey && profile ? profile.column.references?.byConvention : ref?.byConvention) ? { review: 'link by naming convention (no foreign key), confirmed by sampled values: check it' } : {}),
      };
    });
    const maskable = t.columns.filter((c) => (c.category || c.secret || c.freeText) && !key.includes(c.name) && !c.references && t.uniqueKeys.every((u) => !(u.length === 1 && u[0] === c.name) || c.nullable || c.shape === 'text'));
    const masks: Record<string, unknown> = {};
    const unmaskable: string[] = [];
    for (const c of maskable) {
      if (c.nullable) masks[c.name] = 'null';
      // Random text fits the column (shorter than 16 characters: `~` and fewer characters) and stays unique on a
      // UNIQUE column; only a column too short for that gets the empty text.
      else if (c.shape === 'text') masks[c.name] = c.maxLength !== undefined && c.maxLength < 4 ? { fixed: '' } : 'random';
      else if (c.shape === 'json') masks[c.name] = { fixed: '{}' };
      else if (c.shape === 'ip') masks[c.name] = { fixed: '0.0.0.0' };
      else unmaskable.push(c.name);
    }
    let erase: Record<string, unknown> = { action: 'delete' };
    if (action.get(t.name) === 'mask' && Object.keys(masks).length > 0) erase = { action: 'mask', fields: masks };
    else if (action.get(t.name) === 'mask') erase = { action: 'retain', legal_basis: 'other people’s rows point at these rows and they hold no personal data to mask: review', period: 'review' };
    const review = [
      ...(unmaskable.length > 0 ? [`cannot mask ${unmaskable.join(', ')} automatically (NOT NULL, not text)`] : []),
      ...(erase.action === 'retain' ? ['kept because other people’s rows point at it: choose delete with allow_cascade or mask'] : []),
    ];
    // The application's triggers this erasure fires are named for review; a guard that only lets marked deletes
    // through (Lemmy's require_uplete) gets its marker as the collection's statement comment.
    const eraseKind = erase.action === 'delete' ? 'delete' : erase.action === 'mask' ? 'mask' : undefined;
    const fired = eraseKind ? triggersFired(scan.triggers, t.name, eraseKind, eraseKind === 'delete' ? reachedByDelete(scan, t.name) : []) : [];
    const guard = fired.find((x) => x.table === t.name && x.guardComment !== undefined)?.guardComment;
    if (fired.length > 0) review.push(`the erasure fires the application's trigger(s) ${fired.map(triggerId).join(', ')}: check what they change before keeping allow_triggers`);
    if (guard) review.push(`a trigger refuses deletes whose statement does not start with ${guard}: statement_comment marks mamori's deletes so`);
    const triggerKeys = { ...(fired.length > 0 ? { allow_triggers: { names: fired.map(triggerId), reason: 'drafted by mamori scan: review what these triggers change' } } : {}), ...(guard && eraseKind === 'delete' ? { statement_comment: guard } : {}) };
    const withhold = t.secretRows ? { withhold: [{ field: t.secretRows.keyColumn, values: t.secretRows.keys, hide: [t.secretRows.valueColumn] }] } : {};
    return { name: t.name, primary_key: key, ...(review.length > 0 ? { review: review.join('; ') } : {}), fields, erase, ...triggerKeys, ...withhold };
  });
  return { graph: { mamori_graph: 1, datasets: [{ id: opts.datasetId, connection: { kind: opts.engine, url_env: opts.urlEnv }, collections }] }, leftOut };
}
