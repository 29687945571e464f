import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import { appendAudit, type Actor } from '../audit/audit-log.ts';
import { MamoriError } from '../errors.ts';
import type { DbOrTrx } from '../store/store.ts';
import { parseRecordInput } from './record-errors.ts';
import { inTransaction } from './in-transaction.ts';

/** draft → filed (届出) → published (the PPC published it; we publish too) ; withdrawn ends provision (27条3項). */
export type OptOutFilingStatus = 'draft' | 'filed' | 'published' | 'withdrawn';
export const optOutFilingStatuses: readonly OptOutFilingStatus[] = ['draft', 'filed', 'published', 'withdrawn'];

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD');

export const optOutFilingInputSchema = z.strictObject({
  title: z.string().trim().min(1).max(200),
  dataItems: z.array(z.string().trim().min(1).max(200)).min(1),
  note: z.string().max(2000).optional(),
});

export const optOutFilingUpdateSchema = z
  .strictObject({
    status: z.enum(optOutFilingStatuses as [OptOutFilingStatus, ...OptOutFilingStatus[]]),
    filedOn: isoDay.optional(),
    ppcPublishedOn: isoDay.optional(),
    selfPublishedOn: isoDay.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.status === 'filed' && !v.filedOn) ctx.addIssue({ code: 'custom', path: ['filedOn'], message: 'give the date the filing was submitted to the PPC' });
    if (v.status === 'published' && !v.ppcPublishedOn) ctx.addIssue({ code: 'custom', path: ['ppcPublishedOn'], message: 'give the date the PPC published the filing' });
  });

export interface OptOutFiling {
  id: string;
  status: OptOutFilingStatus;
  title: string;
  dataItems: string[];
  filedOn: string | null;
  ppcPublishedOn: string | null;
  selfPublishedOn: string | null;
  /** After the PPC publishes, the operator publishes promptly itself (27条4項): true while that is still missing. */
  selfPublicationPending: boolean;
}

const statusSchema = z.enum(optOutFilingStatuses as [OptOutFilingStatus, ...OptOutFilingStatus[]]);

function toFiling(r: { id: string; status: string; title: string; data_items: string; filed_on: string | null; ppc_published_on: string | null; self_published_on: string | null }): OptOutFiling {
  const status = statusSchema.parse(r.status);
  return {
    id: r.id, status, title: r.title, dataItems: z.array(z.string()).parse(JSON.parse(r.data_items)), filedOn: r.filed_on, ppcPublishedOn: r.ppc_published_on, selfPublishedOn: r.self_published_on,
    selfPublicationPending: status === 'published' && !r.self_published_on,
  };
}

export async function createOptOutFiling(db: DbOrTrx, clock: Clock, actor: Actor, input: unknown): Promise<OptOutFiling> {
  const v = parseRecordInput(optOutFilingInputSchema, input, 'MAMORI_RECORD_INVALID');
  const now = clock.now().toISOString();
  const row = { id: newId('oof'), created_at: now, updated_at: now, status: 'draft', title: v.title, data_items: JSON.stringify(v.dataItems), filed_on: null, ppc_published_on: null, self_published_on: null, note: v.note ?? null };
  await inTransaction(db, async (trx) => {
    await trx.insertInto('record_optout_filings').values(row).execute();
    await appendAudit(trx, clock, { actor, action: 'records.optout_filing_created', targetType: 'optout_filing', targetId: row.id, data: { items: v.dataItems.length } });
  });
  return toFiling(row);
}

export async function updateOptOutFiling(db: DbOrTrx, clock: Clock, actor: Actor, id: string, input: unknown): Promise<OptOutFiling> {
  const v = parseRecordInput(optOutFilingUpdateSchema, input, 'MAMORI_RECORD_INVALID');
  return inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('record_optout_filings').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new MamoriError('MAMORI_RECORD_NOT_FOUND');
    const next = { ...row, status: v.status, filed_on: v.filedOn ?? row.filed_on, ppc_published_on: v.ppcPublishedOn ?? row.ppc_published_on, self_published_on: v.selfPublishedOn ?? row.self_published_on, updated_at: clock.now().toISOString() };
    await trx.updateTable('record_optout_filings').set(next).where('id', '=', id).execute();
    await appendAudit(trx, clock, { actor, action: 'records.optout_filing_updated', targetType: 'optout_filing', targetId: id, data: { from: row.status, to: v.status, filedOn: next.filed_on, ppcPublishedOn: next.ppc_published_on } });
    return toFiling(next);
  });
}

export async function listOptOutFilings(db: DbOrTrx): Promise<OptOutFiling[]> {
  return (await db.selectFrom('record_optout_filings').selectAll().orderBy('created_at', 'desc').execute()).map(toFiling);
}

/** A person asked that opt-out provision of their data stop (27条2項, 35条3項): flag them so later provisions refuse. */
export async function flagOptOutStop(db: DbOrTrx, clock: Clock, actor: Actor, input: { subjectId: string; filingId?: string | null; source: 'staff' | 'request' | 'api'; requestId?: string | null }): Promise<{ id: string; alreadyFlagged: boolean }> {
  return inTransaction(db, async (trx) => {
    const existing = await trx.selectFrom('record_optout_stops').select('id').where('subject_id', '=', input.subjectId).executeTakeFirst();
    if (existing) return { id: existing.id, alreadyFlagged: true };
    const id = newId('stop');
    await trx.insertInto('record_optout_stops').values({ id, subject_id: input.subjectId, filing_id: input.filingId ?? null, requested_at: clock.now().toISOString(), source: input.source, request_id: input.requestId ?? null }).execute();
    await appendAudit(trx, clock, { actor, action: 'records.optout_stop_flagged', targetType: 'subject', targetId: input.subjectId, data: { stopId: id, source: input.source, requestId: input.requestId ?? null } });
    return { id, alreadyFlagged: false };
  });
}
