import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import { appendAudit, type Actor } from '../audit/audit-log.ts';
import type { DbOrTrx } from '../store/store.ts';
import { retainUntil } from '../law/appi/record-retention.ts';
import { parseRecordInput } from './record-errors.ts';
import { inTransaction } from './in-transaction.ts';
import { relatedConfirmationInputSchema } from './record-inputs.ts';
import { stringArray, addSubjects } from './record-rows.ts';

// Confirmation records before providing 個人関連情報 (31条).
export interface RelatedConfirmation {
  id: string;
  createdAt: string;
  form: 'single' | 'batch';
  confirmedOn: string;
  lastProvidedOn: string;
  recipient: { name: string; address: string | null; representative: string | null; country: string | null };
  consentMethod: string;
  foreignInfoGiven: boolean;
  subjectDescription: string | null;
  subjectCount: number;
  dataItems: string[];
  retainUntil: string;
}

/** Records a 31条 confirmation that the recipient holds the person's consent, with its audit event. */
export async function recordRelatedConfirmation(db: DbOrTrx, clock: Clock, actor: Actor, input: unknown, source: string): Promise<RelatedConfirmation> {
  const v = parseRecordInput(relatedConfirmationInputSchema, input, 'MAMORI_RECORD_INVALID');
  const last = v.lastProvidedOn ?? v.confirmedOn;
  const id = newId('rel');
  const row = {
    id,
    created_at: clock.now().toISOString(),
    created_by: actor,
    form: v.form,
    confirmed_on: v.confirmedOn,
    last_provided_on: last,
    recipient_name: v.recipient.name,
    recipient_address: v.recipient.address ?? null,
    recipient_representative: v.recipient.representative ?? null,
    foreign_country: v.recipient.country ?? null,
    consent_method: v.consentMethod,
    foreign_info_given: v.foreignInfoGiven ? 1 : 0,
    subject_description: v.subjectDescription ?? null,
    subject_count: v.subjectCount ?? v.subjects.length,
    data_items: JSON.stringify(v.dataItems),
    retain_until: retainUntil(v.form, last),
    source,
    note: v.note ?? null,
  };
  await inTransaction(db, async (trx) => {
    await trx.insertInto('record_related_confirmations').values(row).execute();
    await addSubjects(trx, 'related_confirmation', id, v.subjects);
    await appendAudit(trx, clock, { actor, action: 'records.related_confirmed', targetType: 'related_confirmation', targetId: id, data: { form: v.form, confirmedOn: v.confirmedOn, subjectCount: row.subject_count, foreign: !!v.recipient.country, source } });
  });
  return {
    id, createdAt: row.created_at, form: v.form, confirmedOn: v.confirmedOn, lastProvidedOn: last,
    recipient: { name: row.recipient_name, address: row.recipient_address, representative: row.recipient_representative, country: row.foreign_country },
    consentMethod: v.consentMethod, foreignInfoGiven: row.foreign_info_given === 1, subjectDescription: row.subject_description, subjectCount: row.subject_count, dataItems: v.dataItems, retainUntil: row.retain_until,
  };
}

export async function listRelatedConfirmations(db: DbOrTrx, opts: { subjectId?: string; limit?: number } = {}): Promise<RelatedConfirmation[]> {
  let q = db.selectFrom('record_related_confirmations').selectAll('record_related_confirmations');
  if (opts.subjectId) q = q.innerJoin('record_subjects', (j) => j.onRef('record_subjects.record_id', '=', 'record_related_confirmations.id').on('record_subjects.record_type', '=', 'related_confirmation')).where('record_subjects.subject_id', '=', opts.subjectId);
  const rows = await q.orderBy('record_related_confirmations.confirmed_on', 'desc').limit(Math.min(opts.limit ?? 100, 1000)).execute();
  return rows.map((r) => ({
    id: r.id, createdAt: r.created_at, form: r.form === 'batch' ? 'batch' : 'single', confirmedOn: r.confirmed_on, lastProvidedOn: r.last_provided_on,
    recipient: { name: r.recipient_name, address: r.recipient_address, representative: r.recipient_representative, country: r.foreign_country },
    consentMethod: r.consent_method, foreignInfoGiven: r.foreign_info_given === 1, subjectDescription: r.subject_description, subjectCount: r.subject_count,
    dataItems: stringArray.parse(JSON.parse(r.data_items)), retainUntil: r.retain_until,
  }));
}
