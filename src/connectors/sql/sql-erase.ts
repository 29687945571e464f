import type { SqlEngine } from '../graph-schema.ts';
import type { CollectionPlan, DatasetPlan } from '../graph-plan.ts';
import { safeError, type CascadeEffect, type CollectionOutcome, type DatasetOutcome, type FiredTrigger, type TriggerEffect } from '../step-outcome.ts';
import { measuringConnection } from './trigger-effects.ts';
import { quoteIdent, type SqlConnection, type SqlQueryable } from './sql-connection.ts';
import { readCatalog } from './sql-catalog.ts';
import { analyseCascades, cascadeRefusal } from './cascade-analysis.ts';
import { readTriggers, triggerId, triggersFired, type TableTrigger } from './sql-triggers.ts';
import { maskCollection, setBasedMask } from './sql-mask.ts';
import { combinable, createWriteQueue } from './combined-writes.ts';
import type { createTraversal, Traversal } from './sql-traverse.ts';
import type { ErasureCatalog, Identities } from './sql-executor-types.ts';

/** What an erasure needs to know of the database beyond the graph, read once per dataset. */
export async function readErasureCatalog(db: SqlQueryable, engine: SqlEngine): Promise<ErasureCatalog> {
  const [c, triggers] = await Promise.all([readCatalog(db, engine), readTriggers(db, engine)]);
  const maxLength = new Map(c.columns.flatMap((col) => (col.maxLength !== undefined ? [[`${col.table}.${col.name}`, col.maxLength] as const] : [])));
  const unique = new Set<string>();
  for (const [t, keys] of c.uniqueKeys) for (const k of keys) for (const col of k) unique.add(`${t}.${col}`);
  for (const [t, k] of c.primaryKeys) for (const col of k) unique.add(`${t}.${col}`);
  return { foreignKeys: c.foreignKeys, triggers, maxLength, unique };
}

export interface EraseContext {
  plan: DatasetPlan;
  conn: SqlConnection;
  traversal: ReturnType<typeof createTraversal>;
  catalog: (db: SqlQueryable) => Promise<ErasureCatalog>;
  hashKey?: Buffer;
}

const fires = (t: TableTrigger) => `${t.timing.replace('_', ' ')} ${t.events.join('/')}, ${t.level === 'row' ? 'for each row' : 'per statement'}`;

/**
 * Why an erasure of a collection is refused for its triggers, or undefined: a trigger the graph does not name in
 * `allow_triggers` (mamori cannot see what it changes), or a guard whose statement comment the collection lacks.
 */
function triggerRefusal(cp: CollectionPlan, fired: TableTrigger[]): string | undefined {
  const c = cp.collection;
  const name = c.name;
  const guards = fired.filter((t) => t.table === name && t.guardComment !== undefined && t.guardComment !== c.statement_comment && c.erase.action === 'delete');
  if (guards.length > 0) return `deleting "${name}" is refused by the application's trigger ${guards.map(triggerId).join(', ')} unless the statement starts with ${guards[0]?.guardComment ?? ''}: set \`statement_comment\` on "${name}" if the application means such deletes to be deliberate`;
  const unknown = fired.filter((t) => !(c.allow_triggers?.names ?? []).includes(triggerId(t)));
  if (unknown.length > 0) return `erasing "${name}" fires the application's trigger(s) ${unknown.map((t) => `${triggerId(t)} (${fires(t)})`).join(', ')}, whose effects mamori cannot count: name them in \`allow_triggers: { names: […], reason: … }\` on "${name}" after checking what they change`;
  return undefined;
}

/**
 * Erases in reverse dependency order in one transaction; with `dryRun`, only counts what would change. The person's
 * rows are found once (identity matches and self-references read by primary key, then addressed by it). Before
 * anything changes, every delete's effect through the database's ON DELETE rules is counted and the application's
 * triggers the erasure fires are listed; a delete that would change other people's rows (or that their rows would
 * block), or that fires a trigger the graph does not acknowledge, is refused. Cascaded counts and triggers are
 * reported per collection.
 */
export async function eraseDataset(ctx: EraseContext, ids: Identities, dryRun: boolean): Promise<DatasetOutcome> {
  const { plan, conn, traversal: t } = ctx;
  const engine = conn.engine;
  const dataset = plan.dataset.id;
  const q = (n: string) => quoteIdent(engine, n);
  // `measure`: the real erasure, refusals ignored, on a connection that measures triggers' effects (then rolled back).
  const work = async (db: SqlQueryable, mode: 'dry' | 'real' | 'measure'): Promise<DatasetOutcome> => {
    const dryRun = mode === 'dry';
    const tr = await t.traverse(db, ids, 'erase');
    // Every row of the person hangs off a row an identity matches directly, and those were all read.
    const found = plan.order.some((cp) => cp.seeds.some((s) => ids[s.identity] !== undefined) && (tr.rows.get(cp.collection.name)?.length ?? 0) > 0);
    if (!found) return { dataset, status: 'done', count: 0, found: false, collections: plan.order.map((cp) => ({ collection: cp.collection.name, status: 'done' as const, count: 0 })) };
    const catalog = await ctx.catalog(db);
    const cascades = await cascadesOf(ctx, db, catalog, ids, tr);
    const fired = new Map<string, TableTrigger[]>();
    for (const cp of plan.order) {
      const e = cp.collection.erase;
      if (e.action === 'retain') continue;
      const reached = (cascades.get(cp.collection.name) ?? []).filter((x) => x.mine + x.others > 0);
      const list = triggersFired(catalog.triggers, cp.collection.name, e.action, reached);
      if (list.length > 0) fired.set(cp.collection.name, list);
    }
    const triggersOf = (cp: CollectionPlan): FiredTrigger[] | undefined => {
      const list = fired.get(cp.collection.name);
      return list ? list.map((x) => ({ id: triggerId(x), fires: fires(x), acknowledged: (cp.collection.allow_triggers?.names ?? []).includes(triggerId(x)), ...(x.writes.length > 0 ? { writes: x.writes } : {}) })) : undefined;
    };
    const refusalOf = (cp: CollectionPlan) => {
      const name = cp.collection.name;
      const byCascade = cp.collection.erase.action === 'delete' ? cascadeRefusal(name, cascades.get(name) ?? [], cp.collection.allow_cascade !== undefined) : undefined;
      return byCascade ?? triggerRefusal(cp, fired.get(name) ?? []);
    };
    const refusals = plan.order.flatMap((cp) => {
      const why = refusalOf(cp);
      return why ? [why] : [];
    });
    if (refusals.length > 0 && mode === 'real') {
      const collections = plan.order.flatMap((cp) => {
        const c = cascades.get(cp.collection.name);
        const trg = triggersOf(cp);
        const why = refusalOf(cp);
        return why ? [{ collection: cp.collection.name, status: 'skipped' as const, count: 0, note: `refused: ${why.slice(0, 300)}`, ...(c ? { cascaded: c } : {}), ...(trg ? { triggers: trg } : {}) }] : [];
      });
      const byCascade = plan.order.some((cp) => cp.collection.erase.action === 'delete' && cascadeRefusal(cp.collection.name, cascades.get(cp.collection.name) ?? [], cp.collection.allow_cascade !== undefined) !== undefined);
      const code = byCascade ? 'MAMORI_ERASE_CASCADE' : 'MAMORI_ERASE_TRIGGERS';
      return { dataset, status: 'failed', count: 0, found, collections, error: { code, message: `nothing was changed: ${refusals.join(' | ')}`.slice(0, 2000) } };
    }
    // A PostgreSQL dry run that fires triggers measures what they change: the erasure runs once more in a transaction
    // that is rolled back. MySQL/MariaDB and SQLite keep no per-transaction row counts: their plan names the tables
    // the triggers' code writes instead.
    const measured = dryRun && engine === 'postgres' && fired.size > 0 ? await measureTriggerEffects(ctx.conn, catalog, (m) => work(m, 'measure')) : undefined;
    const unmeasured = engine === 'postgres' ? '' : `; trigger effects not counted on ${engine === 'mysql' ? 'MySQL/MariaDB' : 'SQLite'} (tables their code writes are listed)${engine === 'sqlite' ? '; statement guards not checked (a SQLite trigger cannot read the statement text)' : ''}`;
    const out: CollectionOutcome[] = [];
    // A dry run counts every collection not read already in a few combined statements.
    const counted = dryRun ? await t.countAll(db, plan.order.filter((cp) => !(tr.rows.get(cp.collection.name) && cp.seeds.some((s) => ids[s.identity] !== undefined))), ids, tr.keys) : new Map<string, number>();
    const queue = createWriteQueue(db);
    // Tables that hold none of the person's rows get no write. Asked once, before anything changes; cascades only take
    // rows away, so only tables an application trigger's code writes (it might add the person's rows) are left out
    // of the question and always written.
    const written = new Set(catalog.triggers.flatMap((x) => x.writes));
    const askable = dryRun ? [] : plan.order.flatMap((cp) => {
      const list = cp.collection.erase.action === 'retain' || written.has(cp.collection.name) ? [] : t.erasureBatches(cp, ids, tr);
      return list.length === 1 && list[0] ? [{ name: cp.collection.name, batch: list[0] }] : [];
    });
    const nothingThere = askable.length < 2 ? new Set<string>() : await t.withoutRows(db, askable);
    for (const cp of [...plan.order].reverse()) {
      const e = cp.collection.erase;
      const name = cp.collection.name;
      const cascaded = cascades.get(name);
      const trg = triggersOf(cp);
      const ack = cp.collection.allow_cascade;
      const extra = { ...(cascaded ? { cascaded } : {}), ...(trg ? { triggers: trg } : {}) };
      const notes = [ack && cascaded?.some((x) => x.others > 0) ? `cascade acknowledged: ${ack.reason}` : '', trg && cp.collection.allow_triggers ? `triggers acknowledged: ${cp.collection.allow_triggers.reason}` : ''].filter((s) => s.length > 0);
      if (dryRun) {
        const read = tr.rows.get(name);
        const count = read && cp.seeds.some((s) => ids[s.identity] !== undefined) ? read.length : (counted.get(name) ?? 0);
        const refused = refusalOf(cp);
        const effects = measured && 'effects' in measured ? measured.effects.get(name) : undefined;
        const measureNote = !trg ? '' : measured && 'error' in measured ? `; trigger effects could not be measured: ${measured.error}` : unmeasured;
        out.push(e.action === 'retain' ? { collection: name, status: 'skipped', count, note: 'retained' } : { collection: name, status: 'done', count, note: `dry run: ${e.action}${refused ? ` (would be refused: ${refused.slice(0, 300)})` : notes.map((n) => `; ${n}`).join('')}${measureNote}`, ...extra, ...(effects ? { triggerEffects: effects } : {}) });
        continue;
      }
      if (nothingThere.has(name)) {
        out.push({ collection: name, status: 'done', count: 0, ...(e.action === 'mask' ? { note: ['masked', ...notes].join('; ') } : notes.length > 0 ? { note: notes.join('; ') } : {}), ...(e.action === 'delete' ? extra : trg ? { triggers: trg } : {}) });
        continue;
      }
      if (combinable(engine, catalog, cp, !cascaded?.some((x) => x.mine + x.others > 0))) {
        // Deferred into one statement with the neighbouring combinable writes; counted when that statement runs.
        const mask = e.action === 'mask' ? setBasedMask({ engine, catalog, hashKey: ctx.hashKey }, cp, e.fields, t.erasureBatches(cp, ids, tr)) : undefined;
        if (e.action === 'delete' || mask) {
          const outcome: CollectionOutcome = e.action === 'delete' ? { collection: name, status: 'done', count: 0, ...(notes.length > 0 ? { note: notes.join('; ') } : {}), ...extra } : { collection: name, status: 'done', count: 0, note: ['masked', ...notes].join('; ') };
          const writes = mask ?? t.erasureBatches(cp, ids, tr).map((b) => ({ sql: `/* mamori erase */ delete from ${q(name)} where ${b.where}`, params: b.params }));
          for (const w of writes) queue.add(w, (n) => (outcome.count += n));
          out.push(outcome);
          continue;
        }
      }
      if (e.action !== 'retain') await queue.flush();
      switch (e.action) {
        case 'retain': {
          // Nothing is read here (a dry run shows how many rows are kept): the erasure costs no extra round trip.
          const basis = typeof e.legal_basis === 'string' ? e.legal_basis : e.legal_basis.en;
          const period = typeof e.period === 'string' ? e.period : e.period.en;
          out.push({ collection: name, status: 'skipped', count: 0, note: `retained: ${basis}; ${period}` });
          break;
        }
        case 'delete': {
          let n = 0;
          // Every DELETE is marked `/* mamori erase */` for the database's logs. An application that lets only marked
          // deletes through (Lemmy's require_uplete trigger wants the statement to start with an empty comment) gets
          // its marker first when the graph says so (`statement_comment`, drafted by scan from the trigger's code).
          const lead = cp.collection.statement_comment ? `${cp.collection.statement_comment} ` : '';
          for (const b of t.erasureBatches(cp, ids, tr)) n += (await db.query(`${lead}/* mamori erase */ delete from ${q(name)} where ${b.where}`, b.params)).rowCount;
          out.push({ collection: name, status: 'done', count: n, ...(notes.length > 0 ? { note: notes.join('; ') } : {}), ...extra });
          break;
        }
        case 'mask': {
          const n = await maskCollection({ engine, traversal: t, catalog, hashKey: ctx.hashKey }, db, cp, e.fields, t.erasureBatches(cp, ids, tr));
          out.push({ collection: name, status: 'done', count: n, note: ['masked', ...notes].join('; '), ...(trg ? { triggers: trg } : {}) });
          break;
        }
        default: {
          const never: never = e;
          throw new Error(`unhandled erase action ${String(never)}`);
        }
      }
    }
    await queue.flush();
    const collections = out.reverse();
    return { dataset, status: 'done', count: collections.filter((c) => c.status === 'done').reduce((a, c) => a + c.count, 0), found, collections };
  };
  return dryRun ? work(conn, 'dry') : conn.transaction((tx) => work(tx, 'real'));
}

class RolledBack extends Error {
  constructor(readonly effects: Map<string, TriggerEffect[]>) {
    super('rolled back');
  }
}

/**
 * Runs the erasure in a transaction that is always rolled back, measuring per collection what the application's
 * triggers changed (see `measuringConnection`). A failure (a guard trigger that refuses the statement, say) is
 * reported instead of counts.
 */
async function measureTriggerEffects(conn: SqlConnection, catalog: ErasureCatalog, run: (db: SqlQueryable) => Promise<DatasetOutcome>): Promise<{ effects: Map<string, TriggerEffect[]> } | { error: string }> {
  try {
    await conn.transaction(async (tx) => {
      const m = measuringConnection(tx, catalog.foreignKeys);
      await run(m.db);
      throw new RolledBack(m.effects);
    });
    return { error: 'the measuring transaction was not rolled back' };
  } catch (err) {
    if (err instanceof RolledBack) return { effects: err.effects };
    return { error: safeError(err).message };
  }
}

/** What each delete of the person's rows would change elsewhere through the database's own ON DELETE rules. */
async function cascadesOf(ctx: EraseContext, db: SqlQueryable, catalog: ErasureCatalog, ids: Identities, tr: Traversal): Promise<Map<string, CascadeEffect[]>> {
  const { plan, traversal: t } = ctx;
  const out = new Map<string, CascadeEffect[]>();
  const deleting = plan.order.filter((cp) => cp.collection.erase.action === 'delete');
  const fks = catalog.foreignKeys;
  if (deleting.length === 0 || fks.length === 0) return out;
  const byName = new Map(plan.order.map((cp) => [cp.collection.name, cp]));
  const ownRows = (tableName: string) => {
    const cp = byName.get(tableName);
    if (!cp) return undefined;
    const list = t.erasureBatches(cp, ids, tr);
    return list.length === 0 ? { where: '1 = 0', params: [] } : { where: list.map((b) => `(${b.where})`).join(' or '), params: list.flatMap((b) => b.params) };
  };
  for (const cp of deleting) {
    // Leaves nothing references need no statement at all.
    if (!fks.some((fk) => fk.refTable === cp.collection.name)) continue;
    const effects: CascadeEffect[] = [];
    for (const b of t.erasureBatches(cp, ids, tr)) {
      for (const e of await analyseCascades(db, ctx.conn.engine, fks, { table: cp.collection.name, where: b.where, params: b.params }, ownRows)) {
        const same = effects.find((x) => x.path === e.path);
        if (same) {
          same.mine += e.mine;
          same.others += e.others;
        } else effects.push(e);
      }
    }
    if (effects.length > 0) out.set(cp.collection.name, effects);
  }
  return out;
}
