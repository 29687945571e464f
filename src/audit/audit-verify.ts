import { z } from 'zod';
import type { DbOrTrx } from '../store/store.ts';
import { auditKeyOf, macMatches } from './audit-key.ts';
import { ANCHOR_INVALID_ACTION, GENESIS_HASH, canonicalJson, hashAuditEvent, parseData } from './audit-event.ts';
import { problemSeq, type AuditProblem, type AuditVerification, type AuditLogVerification } from './audit-problems.ts';

// Verification of the chain, in the database or in an export: names every edited, inserted or deleted row.
/** The newest row as `{ seq, hash }`: keep it outside the database and pass it back as `expectHead` to detect truncation. */
export async function auditChainHead(db: DbOrTrx): Promise<{ seq: number; hash: string } | null> {
  const row = await db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row ? { seq: row.seq, hash: row.hash } : null;
}

type AuditRow = { seq: number; id: string; at: string; actor: string; action: string; target_type: string; target_id: string | null; data: string; prev_hash: string; hash: string; row_mac?: string | null };

function recomputeAt(r: AuditRow, seq: number, data: Record<string, unknown>): string {
  return hashAuditEvent(r.prev_hash, { seq, id: r.id, at: r.at, actor: r.actor, action: r.action, targetType: r.target_type, targetId: r.target_id, data });
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
