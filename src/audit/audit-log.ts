import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import { dialectOf, type DbOrTrx } from '../store/store.ts';

/** Who did something: a staff member, a requester (by request id), the system, an API key, or the CLI. */
export type Actor = `staff:${string}` | `requester:${string}` | `apikey:${string}` | 'system' | 'cli' | `subject:${string}`;

export interface AuditEventInput {
  actor: Actor;
  /** Dotted verb, e.g. `request.filed`, `request.viewed`, `policy.published`, `consent.recorded`. */
  action: string;
  targetType: string;
  targetId?: string | null;
  /** Facts about the change. Reference people by ids, never by email or name. */
  data?: Record<string, unknown>;
}

export interface AuditEvent {
  seq: number;
  id: string;
  at: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with sorted keys, so the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 over the previous hash and the event's canonical form. */
export function hashAuditEvent(prevHash: string, e: Omit<AuditEvent, 'hash' | 'prevHash'>): string {
  const body = canonicalJson({ seq: e.seq, id: e.id, at: e.at, actor: e.actor, action: e.action, targetType: e.targetType, targetId: e.targetId, data: e.data });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/**
 * Appends one event to the hash chain. Call it inside the transaction that makes the change, so the change and its
 * audit event commit together. On PostgreSQL a transaction-scoped advisory lock serializes writers.
 * @example await db.transaction().execute(async (trx) => { …; await appendAudit(trx, clock, { actor: 'system', action: 'x.y', targetType: 'x' }); });
 */
export async function appendAudit(db: DbOrTrx, clock: Clock, input: AuditEventInput): Promise<AuditEvent> {
  if (dialectOf(db) === 'postgres') {
    await sql`select pg_advisory_xact_lock(4242002)`.execute(db);
  }
  const last = await db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const partial = {
    seq: (last?.seq ?? 0) + 1,
    id: newId('aud'),
    at: clock.now().toISOString(),
    actor: input.actor,
    action: input.action,
    targetType: input.targetType,
    targetId: input.targetId ?? null,
    data: input.data ?? {},
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  const hash = hashAuditEvent(prevHash, partial);
  await db
    .insertInto('audit_events')
    .values({
      seq: partial.seq,
      id: partial.id,
      at: partial.at,
      actor: partial.actor,
      action: partial.action,
      target_type: partial.targetType,
      target_id: partial.targetId,
      data: canonicalJson(partial.data),
      prev_hash: prevHash,
      hash,
    })
    .execute();
  return { ...partial, prevHash, hash };
}

export type AuditProblem =
  | { kind: 'edited'; seq: number; id: string }
  | { kind: 'deleted'; afterSeq: number; missing: number }
  | { kind: 'inserted'; seq: number; id: string }
  | { kind: 'reordered'; seq: number; id: string };

/**
 * Walks the whole chain and names every row that was edited, inserted or deleted.
 * An edited row's stored hash no longer matches its content; a deleted row leaves a gap in `seq` and a broken link;
 * an inserted row carries a `prev_hash` that is not the hash of the row before it.
 */
export async function verifyAuditChain(db: DbOrTrx): Promise<{ ok: boolean; count: number; problems: AuditProblem[] }> {
  const problems: AuditProblem[] = [];
  let prevHash = GENESIS_HASH;
  let prevSeq = 0;
  let count = 0;
  let after = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_events').selectAll().where('seq', '>', after).orderBy('seq').limit(1000).execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      count += 1;
      let data: Record<string, unknown> = {};
      try {
        data = JSON.parse(r.data) as Record<string, unknown>;
      } catch {
        problems.push({ kind: 'edited', seq: r.seq, id: r.id });
      }
      const recomputed = hashAuditEvent(r.prev_hash, {
        seq: r.seq, id: r.id, at: r.at, actor: r.actor, action: r.action, targetType: r.target_type, targetId: r.target_id, data,
      });
      if (r.seq !== prevSeq + 1) {
        problems.push({ kind: 'deleted', afterSeq: prevSeq, missing: r.seq - prevSeq - 1 });
      } else if (r.prev_hash !== prevHash) {
        problems.push({ kind: recomputed === r.hash ? 'inserted' : 'edited', seq: r.seq, id: r.id });
      }
      if (recomputed !== r.hash) {
        if (!problems.some((p) => 'seq' in p && p.seq === r.seq)) problems.push({ kind: 'edited', seq: r.seq, id: r.id });
      }
      prevHash = r.hash;
      prevSeq = r.seq;
      after = r.seq;
    }
  }
  return { ok: problems.length === 0, count, problems };
}
