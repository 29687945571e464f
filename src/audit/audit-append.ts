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
  // The signed head and the newest row in one statement, read after the lock is held: on PostgreSQL the lock and the
  // read are one round trip (migration 0097's function: a fresh snapshot for the read after the lock's wait).
  const ends = (await (dialectOf(db) === 'postgres' ? lockAndReadEnds : chainEnds).run(db, [])).rows[0];
  const head = ends?.head_seq != null && ends.head_hash != null && ends.head_mac != null ? { seq: Number(ends.head_seq), hash: ends.head_hash, mac: ends.head_mac } : undefined;
  let last = ends?.last_seq != null && ends.last_hash != null ? { seq: Number(ends.last_seq), hash: ends.last_hash } : undefined;
  if (!key) return insertEvents(db, clock, inputs, last, null);
  if (head && !macMatches(key, 'head', head.seq, head.hash, head.mac)) {
    // Keep the evidence inside the signed chain before the anchor is replaced.
    const [noted] = await insertEvents(db, clock, [{ actor: 'system', action: ANCHOR_INVALID_ACTION, targetType: 'audit_head', data: { headSeq: head.seq, headHash: head.hash, lastSeq: last?.seq ?? 0 } }], linkFrom(head, last), key);
    if (noted) last = { seq: noted.seq, hash: noted.hash };
  }
  const events = await insertEvents(db, clock, inputs, linkFrom(head, last), key);
  const newest = events[events.length - 1]!;
  const mac = auditMac(key, 'head', newest.seq, newest.hash);
  await moveHead.run(db, [newest.seq, newest.hash, mac]);
  return events;
}

// Prepared once: every filing and every staff action appends (see store/prepared-statement.ts).
// The head move reads no table an insertRow writes, so inserts waiting on PostgreSQL may travel with it.
const lockAndReadEnds = preparedStatement<{ head_seq: number | string | null; head_hash: string | null; head_mac: string | null; last_seq: number | string | null; last_hash: string | null }>('select * from mamori_lock_audit_chain()');
const chainEnds = preparedStatement<{ head_seq: number | string | null; head_hash: string | null; head_mac: string | null; last_seq: number | string | null; last_hash: string | null }>(`
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

async function insertEvents(db: DbOrTrx, clock: Clock, inputs: readonly AuditEventInput[], last: { seq: number; hash: string } | undefined, key: AuditKey | null): Promise<AuditEvent[]> {
  const at = clock.now().toISOString();
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
  // One event (every filing, every staff action) through the prepared insert; a batch in one statement.
  if (rows.length === 1) await insertRow(db, 'audit_events', rows[0]!);
  else await db.insertInto('audit_events').values(rows).execute();
  return events;
}
