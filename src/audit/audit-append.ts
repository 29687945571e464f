import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import { dialectOf, type DbOrTrx } from '../store/store.ts';
import { insertRow, preparedStatement } from '../store/prepared-statement.ts';
import { auditKeyOf, auditMac, macMatches, type AuditKey } from './audit-key.ts';
import { ANCHOR_INVALID_ACTION, GENESIS_HASH, canonicalJson, hashAuditEvent, type AuditEventInput, type AuditEvent } from './audit-event.ts';

// Appending an event: links it to the newest row (or the signed head), signs the row and moves the head.
/**
 * Appends one event to the hash chain. Call it inside the transaction that makes the change, so the change and its
 * audit event commit together. On PostgreSQL a transaction-scoped advisory lock serializes writers.
 * @example await db.transaction().execute(async (trx) => { …; await appendAudit(trx, clock, { actor: 'system', action: 'x.y', targetType: 'x' }); });
 */
export async function appendAudit(db: DbOrTrx, clock: Clock, input: AuditEventInput): Promise<AuditEvent> {
  const [event] = await appendAuditEvents(db, clock, [input]);
  if (!event) throw new Error('appendAuditEvents returned no event');
  return event;
}

/**
 * Appends several events in order under one lock, one read of the head and one write of it: the same chain, row by
 * row, as that many `appendAudit` calls, for callers that commit several changes in one transaction (a batch of
 * consent receipts), so the global lock is held once per batch instead of once per event.
 */
export async function appendAuditEvents(db: DbOrTrx, clock: Clock, inputs: readonly AuditEventInput[]): Promise<AuditEvent[]> {
  if (inputs.length === 0) return [];
  const key = auditKeyOf(db);
  // The signed head and the newest row in one statement; on PostgreSQL the same round trip first takes the chain's
  // transaction-scoped lock (serializing writers on every instance) and reads them after it is granted.
  // Read already when an earlier statement of this transaction took the lock and read them (`chainEndsRead`).
  const early = endsReadEarly.get(db);
  if (early) endsReadEarly.delete(db);
  const ends = early ?? (await (dialectOf(db) === 'postgres' ? lockAndChainEnds : chainEnds).run(db, [])).rows[0];
  const head = ends?.head_seq != null && ends.head_hash != null && ends.head_mac != null ? { seq: Number(ends.head_seq), hash: ends.head_hash, mac: ends.head_mac } : undefined;
  const last = ends?.last_seq != null && ends.last_hash != null ? { seq: Number(ends.last_seq), hash: ends.last_hash } : undefined;
  const at = clock.now().toISOString();
  if (!key) {
    const events = chainEvents(at, inputs, last);
    await writeEvents(db, events, null, null);
    return events;
  }
  let from = linkFrom(head, last);
  let noted: AuditEvent[] = [];
  if (head && !headSigned(key, head)) {
    // Keep the evidence inside the signed chain before the anchor is replaced.
    noted = chainEvents(at, [{ actor: 'system', action: ANCHOR_INVALID_ACTION, targetType: 'audit_head', data: { headSeq: head.seq, headHash: head.hash, lastSeq: last?.seq ?? 0 } }], from);
    from = { seq: noted[0]!.seq, hash: noted[0]!.hash };
  }
  const events = chainEvents(at, inputs, from);
  // Every row, then the head moved to the newest: one statement on PostgreSQL, while the chain's lock is held.
  const newest = events[events.length - 1]!;
  const moved = { seq: newest.seq, hash: newest.hash, mac: auditMac(key, 'head', newest.seq, newest.hash) };
  await writeEvents(db, [...noted, ...events], key, moved);
  headsSigned.set(key, moved);
  return events;
}

/**
 * The head this process last signed, per key: the next append (on one instance, nearly always) reads that same head
 * back, and its MAC is then known to match without computing it again (one HMAC less per append). Any other head (a
 * rolled-back append's is never read; another instance's, an edited one) is checked in full.
 */
const headsSigned = new WeakMap<AuditKey, { seq: number; hash: string; mac: string }>();

function headSigned(key: AuditKey, head: { seq: number; hash: string; mac: string }): boolean {
  const signed = headsSigned.get(key);
  if (signed && signed.seq === head.seq && signed.hash === head.hash && signed.mac === head.mac) return true;
  return macMatches(key, 'head', head.seq, head.hash, head.mac);
}

// Prepared once: every filing and every staff action appends (see store/prepared-statement.ts).
/** The signed head and the newest row of the chain, as one statement reads them. */
export type ChainEnds = { head_seq: number | string | null; head_hash: string | null; head_mac: string | null; last_seq: number | string | null; last_hash: string | null };
/**
 * PostgreSQL (migration 0097): takes the chain's transaction-scoped lock (`pg_advisory_xact_lock(4242002)`), then
 * reads the same ends as `chainEnds`, each with a fresh snapshot taken after the lock is granted. Exported for a
 * statement that takes the lock in its own round trip (see `chainEndsRead`).
 */
export const LOCK_AND_CHAIN_ENDS = 'select head_seq, head_hash, head_mac, last_seq, last_hash from mamori_audit_lock_and_ends()';
const lockAndChainEnds = preparedStatement<ChainEnds>(LOCK_AND_CHAIN_ENDS);
const endsReadEarly = new WeakMap<DbOrTrx, ChainEnds>();

/**
 * PostgreSQL: a statement of transaction `trx` took the chain's lock and read its ends (with `LOCK_AND_CHAIN_ENDS`),
 * one round trip less: the next append in `trx` uses them instead of reading them again. Exact because the lock is
 * held until the transaction ends (no other writer moves the chain meanwhile) and the first append in `trx` after
 * the read consumes them (later appends read the ends their predecessor left).
 */
export function chainEndsRead(trx: DbOrTrx, ends: ChainEnds): void {
  endsReadEarly.set(trx, ends);
}
const chainEnds = preparedStatement<ChainEnds>(`
  select (select seq from audit_head where id = 1) as head_seq, (select hash from audit_head where id = 1) as head_hash,
    (select mac from audit_head where id = 1) as head_mac,
    (select seq from audit_events order by seq desc limit 1) as last_seq, (select hash from audit_events order by seq desc limit 1) as last_hash`);
const moveHead = preparedStatement(`insert into audit_head (id, seq, hash, mac) values (1, ?, ?, ?)
  on conflict (id) do update set seq = excluded.seq, hash = excluded.hash, mac = excluded.mac`, 'carries_deferred');

/**
 * The signed head is ahead of the newest row when the newest rows were deleted: link the new row to the head, so the
 * gap stays visible as a deletion forever instead of being papered over by the next append.
 */
function linkFrom(head: { seq: number; hash: string } | undefined, last: { seq: number; hash: string } | undefined): { seq: number; hash: string } | undefined {
  return head && head.seq > (last?.seq ?? 0) ? { seq: head.seq, hash: head.hash } : last;
}

/** The events linked one after another from `last` (hashes computed here: each depends on the row before). */
function chainEvents(at: string, inputs: readonly AuditEventInput[], last: { seq: number; hash: string } | undefined): AuditEvent[] {
  const events: AuditEvent[] = [];
  let prev = last;
  for (const input of inputs) {
    const partial = {
      seq: (prev?.seq ?? 0) + 1,
      id: newId('aud'),
      at,
      actor: input.actor,
      action: input.action,
      targetType: input.targetType,
      targetId: input.targetId ?? null,
      data: input.data ?? {},
    };
    const prevHash = prev?.hash ?? GENESIS_HASH;
    const hash = hashAuditEvent(prevHash, partial);
    events.push({ ...partial, prevHash, hash });
    prev = { seq: partial.seq, hash };
  }
  return events;
}

/** Writes the rows (signed when there is a key) and moves the head when one is given. */
async function writeEvents(db: DbOrTrx, events: readonly AuditEvent[], key: AuditKey | null, head: { seq: number; hash: string; mac: string } | null): Promise<void> {
  const rows = events.map((e) => ({
    seq: e.seq,
    id: e.id,
    at: e.at,
    actor: e.actor,
    action: e.action,
    target_type: e.targetType,
    target_id: e.targetId,
    data: canonicalJson(e.data),
    prev_hash: e.prevHash,
    hash: e.hash,
    row_mac: key ? auditMac(key, 'row', null, e.hash) : null,
  }));
  if (dialectOf(db) === 'postgres') {
    // Rows as one JSON parameter of a fixed text: one round trip, and no statement built per batch size.
    const json = JSON.stringify(rows);
    if (head) await insertAndMoveHead.run(db, [json, head.seq, head.hash, head.mac]);
    else await insertJson.run(db, [json]);
    return;
  }
  // One event (every filing, every staff action) through the prepared insert; a batch in one statement.
  if (rows.length === 1) await insertRow(db, 'audit_events', rows[0]!);
  else await db.insertInto('audit_events').values(rows).execute();
  if (head) await moveHead.run(db, [head.seq, head.hash, head.mac]);
}

const auditColumns = 'seq, id, at, actor, action, target_type, target_id, data, prev_hash, hash, row_mac';
// Both read no table an insertRow writes (on PostgreSQL audit rows go through these, not insertRow), so inserts
// waiting on PostgreSQL (store/postgres-deferred-writes.ts) may travel with them; and their result is never read, so
// they may themselves wait for the commit (the append is a transaction's last write; any later statement sends it first).
const insertJson = preparedStatement(`insert into audit_events (${auditColumns}) select ${auditColumns} from json_populate_recordset(null::audit_events, ?::json)`, 'carries_deferred_until_commit');
const insertAndMoveHead = preparedStatement(`with rows as (insert into audit_events (${auditColumns}) select ${auditColumns} from json_populate_recordset(null::audit_events, ?::json))
  insert into audit_head (id, seq, hash, mac) values (1, ?, ?, ?)
  on conflict (id) do update set seq = excluded.seq, hash = excluded.hash, mac = excluded.mac`, 'carries_deferred_until_commit');
