import type { DbOrTrx } from '../store/store.ts';
import { canonicalJson, parseData, type AuditEvent } from './audit-event.ts';

// Reading the log: the JSON Lines export and the console listing.
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
