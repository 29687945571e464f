import { createHash } from 'node:crypto';
import { z } from 'zod';
import { sql } from 'kysely';
import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import { dialectOf, type DbOrTrx } from '../store/store.ts';
import { auditKeyOf, auditMac, macMatches, type AuditKey } from './audit-key.ts';

export { registerAuditKey, deriveAuditKey } from './audit-key.ts';

/** Action of the event written when a keyed append finds the signed head invalid (forged, or the key changed). */
export const ANCHOR_INVALID_ACTION = 'audit.anchor_invalid';

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
  const key = auditKeyOf(db);
  if (!key) return insertEvent(db, clock, input, await lastRow(db), null);
  const head = await db.selectFrom('audit_head').select(['seq', 'hash', 'mac']).where('id', '=', 1).executeTakeFirst();
  let last = await lastRow(db);
  if (head && !macMatches(key, 'head', head.seq, head.hash, head.mac)) {
    // Keep the evidence inside the signed chain before the anchor is replaced.
    const noted = await insertEvent(db, clock, { actor: 'system', action: ANCHOR_INVALID_ACTION, targetType: 'audit_head', data: { headSeq: head.seq, headHash: head.hash, lastSeq: last?.seq ?? 0 } }, linkFrom(head, last), key);
    last = { seq: noted.seq, hash: noted.hash };
  }
  const event = await insertEvent(db, clock, input, linkFrom(head, last), key);
  const mac = auditMac(key, 'head', event.seq, event.hash);
  await db
    .insertInto('audit_head')
    .values({ id: 1, seq: event.seq, hash: event.hash, mac })
    .onConflict((oc) => oc.column('id').doUpdateSet({ seq: event.seq, hash: event.hash, mac }))
    .execute();
  return event;
}

async function lastRow(db: DbOrTrx): Promise<{ seq: number; hash: string } | undefined> {
  return db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
}

/**
 * The signed head is ahead of the newest row when the newest rows were deleted: link the new row to the head, so the
 * gap stays visible as a deletion forever instead of being papered over by the next append.
 */
function linkFrom(head: { seq: number; hash: string } | undefined, last: { seq: number; hash: string } | undefined): { seq: number; hash: string } | undefined {
  return head && head.seq > (last?.seq ?? 0) ? { seq: head.seq, hash: head.hash } : last;
}

async function insertEvent(db: DbOrTrx, clock: Clock, input: AuditEventInput, last: { seq: number; hash: string } | undefined, key: AuditKey | null): Promise<AuditEvent> {
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
      row_mac: key ? auditMac(key, 'row', null, hash) : null,
    })
    .execute();
  return { ...partial, prevHash, hash };
}

export type AuditProblem =
  /** The row's content no longer matches its hash, or it was changed and re-hashed (the next row no longer links to it). */
  | { kind: 'edited'; seq: number; id: string; rehashed?: boolean }
  /** Rows are missing before `beforeSeq` (`missing` of them, counted by their original numbers). */
  | { kind: 'deleted'; afterSeq: number; beforeSeq: number; missing: number }
  /** A row that is not part of the original chain. */
  | { kind: 'inserted'; seq: number; id: string }
  /** Rows `fromSeq`..`toSeq` carry numbers shifted by `offset` from the ones they were written with. */
  | { kind: 'renumbered'; fromSeq: number; toSeq: number; offset: number }
  /** The newest rows were removed: the chain ends before the head the caller expected. */
  | { kind: 'truncated'; lastSeq: number; expectedSeq: number }
  /** The row at the expected head's position has a different hash. */
  | { kind: 'head_mismatch'; seq: number; expectedHash: string; actualHash: string }
  /** The row's MAC does not match its hash under the audit key: written or re-hashed by someone without the key. */
  | { kind: 'mac_mismatch'; seq: number; id: string }
  /** A row without a MAC after signed rows: written without the key (forged, or by a process not given the secret). */
  | { kind: 'unsigned'; seq: number; id: string }
  /** A row after the signed head: appended without moving the anchor (forged, or written without the key). */
  | { kind: 'unanchored'; seq: number; id: string }
  /** The signed head's MAC does not match: the anchor was rewritten (or the key changed). */
  | { kind: 'head_forged'; seq: number }
  /** Signed rows exist but the head anchor row is gone. */
  | { kind: 'head_missing' }
  /** No rows and no head, although the store shows it was used (requests, staff, consent receipts exist). */
  | { kind: 'wiped'; evidence: string[] }
  /** An earlier append found the signed head invalid and recorded it here before replacing the anchor. */
  | { kind: 'anchor_reset'; seq: number; id: string; headSeq: number };

/**
 * How the head anchor was checked: `verified` (MAC checked with the key), `unchecked` (anchor present, no key
 * registered: position checked, MACs not), `absent` (no anchor yet: only the chain itself was checked).
 */
export type AnchorStatus = 'verified' | 'unchecked' | 'absent';

export interface AuditVerification {
  ok: boolean;
  count: number;
  problems: AuditProblem[];
}

/** A verification of the database's log, with how far the head anchor could be checked. */
export interface AuditLogVerification extends AuditVerification {
  anchor: AnchorStatus;
}

/** The newest row as `{ seq, hash }`: keep it outside the database and pass it back as `expectHead` to detect truncation. */
export async function auditChainHead(db: DbOrTrx): Promise<{ seq: number; hash: string } | null> {
  const row = await db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row ? { seq: row.seq, hash: row.hash } : null;
}

type AuditRow = { seq: number; id: string; at: string; actor: string; action: string; target_type: string; target_id: string | null; data: string; prev_hash: string; hash: string; row_mac?: string | null };

function recomputeAt(r: AuditRow, seq: number, data: Record<string, unknown>): string {
  return hashAuditEvent(r.prev_hash, { seq, id: r.id, at: r.at, actor: r.actor, action: r.action, targetType: r.target_type, targetId: r.target_id, data });
}

function parseData(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** How far a renumbered row is searched for its original number. */
const RENUMBER_WINDOW = 16;
/** How many recent rows are remembered to recognize a link that skips rows (inserted rows). */
const LINK_WINDOW = 10_000;

/**
 * Walks the whole chain and names every row that was edited, inserted or deleted:
 * - edited: its content no longer matches its hash; or it was re-hashed, so the next row's `prev_hash` no longer
 *   matches it;
 * - deleted: the next surviving row's original number (kept in its hash) jumps, and its `prev_hash` is unknown;
 * - inserted: a later row links past it to an earlier row, or it fits nowhere in the chain;
 * - renumbered: rows moved to make room for an insertion or to close a deletion's gap.
 * With an audit key registered for `db` (`registerAuditKey`), it also checks every row's MAC and the signed head:
 * truncation (head ahead of the last row), a forged head, rows written without the key, rows after the head.
 * Without a key the head's position is still checked but not its MAC (`anchor: 'unchecked'`); with no head at all
 * (`anchor: 'absent'`) deleting the newest rows leaves a valid shorter chain: pass a head recorded elsewhere
 * (`expectHead`) to catch it.
 */
export async function verifyAuditChain(db: DbOrTrx, opts: { expectHead?: { seq: number; hash: string } } = {}): Promise<AuditVerification> {
  const { ok, count, problems } = await verifyAuditLog(db, opts);
  return { ok, count, problems };
}

/**
 * Tables whose rows are always written with an audit event: if any has rows, an empty audit log was emptied.
 * A table missing from the store (an older schema) counts as empty.
 */
async function usageEvidence(db: DbOrTrx): Promise<string[]> {
  const out: string[] = [];
  for (const table of ['requests', 'staff_users', 'consent_receipts', 'policy_versions'] as const) {
    try {
      const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
      if (Number(row?.n ?? 0) > 0) out.push(`${Number(row?.n)} ${table}`);
    } catch {
      /* not in this schema */
    }
  }
  return out;
}

/** `verifyAuditChain`, plus whether the head anchor was checked with the key (`anchor`), for reports to people. */
export async function verifyAuditLog(db: DbOrTrx, opts: { expectHead?: { seq: number; hash: string } } = {}): Promise<AuditLogVerification> {
  const key = auditKeyOf(db);
  const readHead = () => db.selectFrom('audit_head').select(['seq', 'hash', 'mac']).where('id', '=', 1).executeTakeFirst();
  const page = (from: number) => db.selectFrom('audit_events').selectAll().where('seq', '>', from).orderBy('seq').limit(1000).execute();
  // The head is read again once the scan reaches the end, and the end is confirmed by one more empty page after that
  // read: rows appended while we walk (each moves the head in its own transaction) are then seen, never mistaken for
  // truncation or for rows past the head.
  let head = await readHead();
  const firstHeadSeq = head?.seq ?? 0;
  const keyed: AuditProblem[] = [];
  const pastFirstHead: Array<{ seq: number; id: string }> = [];
  const unsignedAfterSigned: Array<{ seq: number; id: string }> = [];
  let signedRows = 0;
  let lastSeq = 0;
  async function* pages(): AsyncGenerator<AuditRow[]> {
    for (;;) {
      let rows = await page(lastSeq);
      if (rows.length === 0) {
        head = await readHead();
        rows = await page(lastSeq);
        if (rows.length === 0) return;
      }
      for (const r of rows) {
        lastSeq = r.seq;
        if (r.seq > firstHeadSeq) pastFirstHead.push({ seq: r.seq, id: r.id });
        if (r.row_mac === null) {
          if (signedRows > 0) unsignedAfterSigned.push({ seq: r.seq, id: r.id });
        } else {
          signedRows += 1;
          if (key && !macMatches(key, 'row', null, r.hash, r.row_mac)) keyed.push({ kind: 'mac_mismatch', seq: r.seq, id: r.id });
        }
        if (r.action === ANCHOR_INVALID_ACTION) {
          const d = parseData(r.data);
          keyed.push({ kind: 'anchor_reset', seq: r.seq, id: r.id, headSeq: typeof d?.headSeq === 'number' ? d.headSeq : 0 });
        }
      }
      yield rows;
    }
  }
  const result = await verifyAuditRows(pages(), opts);
  const anchoredUpTo = head?.seq ?? Number.MAX_SAFE_INTEGER;
  for (const r of unsignedAfterSigned) if (r.seq <= anchoredUpTo) keyed.push({ kind: 'unsigned', seq: r.seq, id: r.id });
  if (head) {
    for (const r of pastFirstHead) if (r.seq > head.seq) keyed.push({ kind: 'unanchored', seq: r.seq, id: r.id });
    if (key && !macMatches(key, 'head', head.seq, head.hash, head.mac)) keyed.push({ kind: 'head_forged', seq: head.seq });
    const atHead = head.seq <= lastSeq ? await db.selectFrom('audit_events').select('hash').where('seq', '=', head.seq).executeTakeFirst() : undefined;
    if (lastSeq < head.seq) keyed.push({ kind: 'truncated', lastSeq, expectedSeq: head.seq });
    else if (atHead && atHead.hash !== head.hash) keyed.push({ kind: 'head_mismatch', seq: head.seq, expectedHash: head.hash, actualHash: atHead.hash });
  } else if (signedRows > 0) {
    keyed.push({ kind: 'head_missing' });
  } else if (result.count === 0) {
    const evidence = await usageEvidence(db);
    if (evidence.length > 0) keyed.push({ kind: 'wiped', evidence });
  }
  const seen = new Set(result.problems.map((p) => canonicalJson(p)));
  const problems = [...result.problems, ...keyed.filter((p) => !seen.has(canonicalJson(p)))].sort((a, b) => problemSeq(a) - problemSeq(b));
  return { ok: problems.length === 0, count: result.count, problems, anchor: !head ? 'absent' : key ? 'verified' : 'unchecked' };
}

const exportedLine = z.object({
  seq: z.number().int(),
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  data: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});

/**
 * Verifies an export written by `exportAuditJsonl` without the database (e.g. a copy kept by an auditor), with the
 * same precision as `verifyAuditChain`. A line that is not an event is reported as edited at its position.
 */
export async function verifyAuditExport(lines: Iterable<string> | AsyncIterable<string>, opts: { expectHead?: { seq: number; hash: string } } = {}): Promise<AuditVerification> {
  async function* pages(): AsyncGenerator<AuditRow[]> {
    let batch: AuditRow[] = [];
    let n = 0;
    for await (const line of lines) {
      if (line.trim() === '') continue;
      n += 1;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = null;
      }
      const e = exportedLine.safeParse(parsed);
      batch.push(
        e.success
          ? { seq: e.data.seq, id: e.data.id, at: e.data.at, actor: e.data.actor, action: e.data.action, target_type: e.data.targetType, target_id: e.data.targetId, data: typeof e.data.data === 'string' ? e.data.data : canonicalJson(e.data.data), prev_hash: e.data.prevHash, hash: e.data.hash }
          : { seq: n, id: `line:${n}`, at: '', actor: '', action: '', target_type: '', target_id: null, data: 'not json', prev_hash: '', hash: '' },
      );
      if (batch.length >= 1000) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
  return verifyAuditRows(pages(), opts);
}

async function verifyAuditRows(source: AsyncIterable<AuditRow[]>, opts: { expectHead?: { seq: number; hash: string } }): Promise<AuditVerification> {
  const problems: AuditProblem[] = [];
  const recent = new Map<string, { seq: number; id: string; index: number }>();
  const order: Array<{ seq: number; id: string; hash: string }> = [];
  let prev: { seq: number; origSeq: number; id: string; hash: string } | null = null;
  let count = 0;
  let after = 0;
  let renumberRun: { fromSeq: number; toSeq: number; offset: number } | null = null;
  const flushRenumber = () => {
    if (renumberRun) problems.push({ kind: 'renumbered', ...renumberRun });
    renumberRun = null;
  };
  let expectedHeadHash: string | null = null;

  for await (const rows of source) {
    for (const r of rows) {
      count += 1;
      after = r.seq;
      if (opts.expectHead && r.seq === opts.expectHead.seq) expectedHeadHash = r.hash;
      const data = parseData(r.data);
      let contentOk = data !== null && recomputeAt(r, r.seq, data) === r.hash;
      let origSeq = r.seq;
      if (!contentOk && data !== null) {
        for (let d = 1; d <= RENUMBER_WINDOW && origSeq === r.seq; d++) {
          for (const cand of [r.seq - d, r.seq + d]) {
            if (cand > 0 && recomputeAt(r, cand, data) === r.hash) {
              origSeq = cand;
              break;
            }
          }
        }
      }
      const renumbered = origSeq !== r.seq;
      if (renumbered) {
        const offset = r.seq - origSeq;
        if (renumberRun && renumberRun.offset === offset && renumberRun.toSeq === (prev?.seq ?? -1)) renumberRun.toSeq = r.seq;
        else {
          flushRenumber();
          renumberRun = { fromSeq: r.seq, toSeq: r.seq, offset };
        }
        contentOk = true;
      } else flushRenumber();

      const expectedPrev = prev?.hash ?? GENESIS_HASH;
      if (r.prev_hash !== expectedPrev) {
        const earlier = r.prev_hash === GENESIS_HASH ? { seq: 0, index: -1 } : recent.get(r.prev_hash);
        if (earlier && contentOk) {
          // This row links to an earlier row: everything between was not in the original chain.
          const skipped = order.slice(earlier.index + 1);
          for (const s of skipped) {
            for (let i = problems.length - 1; i >= 0; i--) {
              const p = problems[i];
              if (p && (p.kind === 'edited' || p.kind === 'inserted') && p.seq === s.seq) problems.splice(i, 1);
            }
            problems.push({ kind: 'inserted', seq: s.seq, id: s.id });
          }
          // A suspicion of re-hashing on the row before the insertion was wrong.
          for (let i = problems.length - 1; i >= 0; i--) {
            const p = problems[i];
            if (p && p.kind === 'edited' && p.rehashed && p.seq === earlier.seq) problems.splice(i, 1);
          }
        } else if (contentOk && !prev && origSeq > 1) {
          // The first row(s) of the chain are gone: this intact row was written after them.
          problems.push({ kind: 'deleted', afterSeq: 0, beforeSeq: r.seq, missing: origSeq - 1 });
        } else if (contentOk && prev && origSeq > prev.origSeq + 1) {
          problems.push({ kind: 'deleted', afterSeq: prev.seq, beforeSeq: r.seq, missing: origSeq - prev.origSeq - 1 });
        } else if (contentOk && prev) {
          // Intact row whose predecessor changed: the predecessor was edited and its hash recomputed.
          if (!problems.some((p) => (p.kind === 'edited' || p.kind === 'inserted') && p.seq === prev?.seq)) {
            problems.push({ kind: 'edited', seq: prev.seq, id: prev.id, rehashed: true });
          }
        } else {
          problems.push({ kind: 'edited', seq: r.seq, id: r.id });
        }
      } else if (!contentOk) {
        problems.push({ kind: 'edited', seq: r.seq, id: r.id });
      }

      order.push({ seq: r.seq, id: r.id, hash: r.hash });
      recent.set(r.hash, { seq: r.seq, id: r.id, index: order.length - 1 });
      if (order.length > LINK_WINDOW * 2) {
        const drop = order.splice(0, LINK_WINDOW);
        for (const o of drop) recent.delete(o.hash);
        for (const v of recent.values()) v.index -= LINK_WINDOW;
      }
      prev = { seq: r.seq, origSeq, id: r.id, hash: r.hash };
    }
  }
  flushRenumber();
  if (opts.expectHead) {
    if (after < opts.expectHead.seq) problems.push({ kind: 'truncated', lastSeq: after, expectedSeq: opts.expectHead.seq });
    else if (expectedHeadHash !== null && expectedHeadHash !== opts.expectHead.hash) {
      problems.push({ kind: 'head_mismatch', seq: opts.expectHead.seq, expectedHash: opts.expectHead.hash, actualHash: expectedHeadHash });
    }
  }
  problems.sort((a, b) => problemSeq(a) - problemSeq(b));
  return { ok: problems.length === 0, count, problems };
}

function problemSeq(p: AuditProblem): number {
  switch (p.kind) {
    case 'edited':
    case 'inserted':
    case 'head_mismatch':
    case 'mac_mismatch':
    case 'unsigned':
    case 'unanchored':
    case 'head_forged':
    case 'anchor_reset':
      return p.seq;
    case 'head_missing':
    case 'wiped':
      return Number.MAX_SAFE_INTEGER;
    case 'deleted':
      return p.afterSeq + 0.5;
    case 'renumbered':
      return p.fromSeq;
    case 'truncated':
      return p.lastSeq + 0.5;
    default: {
      const never: never = p;
      return never;
    }
  }
}

/** One line per problem, for people: `row 12 (aud_…) was edited`. */
export function describeAuditProblem(p: AuditProblem): string {
  switch (p.kind) {
    case 'edited':
      return p.rehashed ? `row ${p.seq} (${p.id}) was edited and its hash recomputed: the next row no longer links to it` : `row ${p.seq} (${p.id}) was edited: its content does not match its hash`;
    case 'deleted':
      return p.afterSeq === 0 ? `the first ${p.missing} row(s) were deleted (the log starts at row ${p.beforeSeq})` : `${p.missing} row(s) deleted between row ${p.afterSeq} and row ${p.beforeSeq}`;
    case 'inserted':
      return `row ${p.seq} (${p.id}) was inserted: it is not part of the original chain`;
    case 'renumbered':
      return `rows ${p.fromSeq}-${p.toSeq} were renumbered (shifted by ${p.offset})`;
    case 'truncated':
      return `the newest rows were deleted: the log ends at row ${p.lastSeq}, expected at least row ${p.expectedSeq}`;
    case 'head_mismatch':
      return `row ${p.seq} does not match the recorded head hash`;
    case 'mac_mismatch':
      return `row ${p.seq} (${p.id}) has a MAC that does not match its hash: it was written or re-hashed without the audit key`;
    case 'unsigned':
      return `row ${p.seq} (${p.id}) has no MAC although earlier rows are signed: it was written without the audit key`;
    case 'unanchored':
      return `row ${p.seq} (${p.id}) comes after the signed head: it was appended without moving the anchor`;
    case 'head_forged':
      return `the signed head (row ${p.seq}) has an invalid MAC: the anchor was rewritten, or the server secret changed`;
    case 'head_missing':
      return 'the signed head anchor is missing although rows are signed';
    case 'wiped':
      return `the audit log is empty although the store was used (${p.evidence.join(', ')}): every row and the head were deleted`;
    case 'anchor_reset':
      return `row ${p.seq} (${p.id}) records that an append found the signed head (row ${p.headSeq}) invalid and replaced it`;
    default: {
      const never: never = p;
      return never;
    }
  }
}

/** Streams every event as one JSON object per line (the exact stored fields, so an export can be verified offline). */
export async function* exportAuditJsonl(db: DbOrTrx, opts: { since?: string; until?: string } = {}): AsyncGenerator<string> {
  let after = 0;
  for (;;) {
    let q = db.selectFrom('audit_events').selectAll().where('seq', '>', after);
    if (opts.since) q = q.where('at', '>=', opts.since);
    if (opts.until) q = q.where('at', '<', opts.until);
    const rows = await q.orderBy('seq').limit(1000).execute();
    if (rows.length === 0) return;
    for (const r of rows) {
      after = r.seq;
      yield `${canonicalJson({ seq: r.seq, id: r.id, at: r.at, actor: r.actor, action: r.action, targetType: r.target_type, targetId: r.target_id, data: parseData(r.data) ?? r.data, prevHash: r.prev_hash, hash: r.hash })}\n`;
    }
  }
}

/** Reads audit events for the console: newest first, filtered by action prefix or target. */
export async function listAuditEvents(db: DbOrTrx, opts: { limit?: number; beforeSeq?: number; actionPrefix?: string; targetType?: string; targetId?: string } = {}): Promise<AuditEvent[]> {
  let q = db.selectFrom('audit_events').selectAll();
  if (opts.beforeSeq) q = q.where('seq', '<', opts.beforeSeq);
  if (opts.actionPrefix) q = q.where('action', 'like', `${opts.actionPrefix.replace(/[%_]/g, '')}%`);
  if (opts.targetType) q = q.where('target_type', '=', opts.targetType);
  if (opts.targetId) q = q.where('target_id', '=', opts.targetId);
  const rows = await q.orderBy('seq', 'desc').limit(Math.min(opts.limit ?? 100, 1000)).execute();
  return rows.map((r) => ({ seq: r.seq, id: r.id, at: r.at, actor: r.actor, action: r.action, targetType: r.target_type, targetId: r.target_id, data: parseData(r.data) ?? {}, prevHash: r.prev_hash, hash: r.hash }));
}
