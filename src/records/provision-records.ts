import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import { appendAudit, type Actor } from '../audit/audit-log.ts';
import { MamoriError } from '../errors.ts';
import type { DbOrTrx } from '../store/store.ts';
import { recordFormAllowed, recordRequirement, retainUntil, type ProvisionBasis, type RecordForm } from '../law/appi/record-retention.ts';
import { parseRecordInput } from './record-errors.ts';
import { inTransaction } from './in-transaction.ts';
import { provisionExtensionInputSchema, provisionInputSchema } from './record-inputs.ts';
import { addSubjects, basisSchema, formSchema, stringArray } from './record-rows.ts';

// Records of provision to third parties (29条); the entry of the records domain, re-exporting receipts, 31条
// confirmations, inputs and the purge.
export interface ProvisionRecord {
  id: string;
  createdAt: string;
  form: RecordForm;
  basis: ProvisionBasis;
  providedOn: string;
  lastProvidedOn: string;
  recipient: { name: string; address: string | null; representative: string | null; unspecified: boolean; publicBody: boolean; country: string | null };
  subjectDescription: string | null;
  subjectCount: number;
  dataItems: string[];
  consentProof: string | null;
  contractRef: string | null;
  optOutFilingId: string | null;
  anonymizedNoticeGiven: boolean;
  required: boolean;
  retainUntil: string;
  source: string;
  note: string | null;
}

export 
function rowToProvision(r: {
  id: string; created_at: string; form: string; basis: string; provided_on: string; last_provided_on: string; recipient_name: string; recipient_address: string | null;
  recipient_representative: string | null; recipient_unspecified: number; recipient_public_body: number; foreign_country: string | null; subject_description: string | null;
  subject_count: number; data_items: string; consent_proof: string | null; contract_ref: string | null; optout_filing_id: string | null; anonymized_notice_given: number;
  required: number; retain_until: string; source: string; note: string | null;
}): ProvisionRecord {
  return {
    id: r.id,
    createdAt: r.created_at,
    form: formSchema.parse(r.form),
    basis: basisSchema.parse(r.basis),
    providedOn: r.provided_on,
    lastProvidedOn: r.last_provided_on,
    recipient: { name: r.recipient_name, address: r.recipient_address, representative: r.recipient_representative, unspecified: r.recipient_unspecified === 1, publicBody: r.recipient_public_body === 1, country: r.foreign_country },
    subjectDescription: r.subject_description,
    subjectCount: r.subject_count,
    dataItems: stringArray.parse(JSON.parse(r.data_items)),
    consentProof: r.consent_proof,
    contractRef: r.contract_ref,
    optOutFilingId: r.optout_filing_id,
    anonymizedNoticeGiven: r.anonymized_notice_given === 1,
    required: r.required === 1,
    retainUntil: r.retain_until,
    source: r.source,
    note: r.note,
  };
}

/** People among `subjects` who asked that opt-out provision of their data stop. */
export async function optOutStoppedSubjects(db: DbOrTrx, subjects: string[]): Promise<string[]> {
  if (subjects.length === 0) return [];
  const out = new Set<string>();
  for (let i = 0; i < subjects.length; i += 500) {
    const rows = await db.selectFrom('record_optout_stops').select('subject_id').where('subject_id', 'in', subjects.slice(i, i + 500)).execute();
    for (const r of rows) out.add(r.subject_id);
  }
  return [...out];
}

/**
 * Records a provision to a third party (29条) in its own transaction, with its audit event.
 * Refuses a batch record for opt-out, opt-out without a filed PPC filing, and opt-out provision of anyone who asked it to stop.
 * @example await recordProvision(store.db, clock, 'apikey:k1', { basis: 'consent', providedOn: '2026-04-01', recipient: { name: 'Example KK' }, subjects: ['u1'], dataItems: ['email'], consentProof: 'rcpt_…' }, 'api');
 */
export async function recordProvision(db: DbOrTrx, clock: Clock, actor: Actor, input: unknown, source: string): Promise<ProvisionRecord> {
  const v = parseRecordInput(provisionInputSchema, input, 'MAMORI_RECORD_INVALID');
  if (!recordFormAllowed(v.form, v.basis)) throw new MamoriError('MAMORI_RECORD_FORM_NOT_ALLOWED', undefined, { form: v.form, basis: v.basis });
  const requirement = recordRequirement({ basis: v.basis, foreignRecipient: !!v.recipient.country, recipientIsPublicBody: !!v.recipient.publicBody });
  const last = v.lastProvidedOn ?? v.providedOn;
  const id = newId('prov');
  const now = clock.now().toISOString();
  return inTransaction(db, async (trx) => {
    if (v.basis === 'opt_out') {
      const filing = await trx.selectFrom('record_optout_filings').select(['status']).where('id', '=', v.optOutFilingId ?? '').executeTakeFirst();
      if (!filing || (filing.status !== 'filed' && filing.status !== 'published')) throw new MamoriError('MAMORI_RECORD_OPTOUT_NOT_FILED', undefined, { optOutFilingId: v.optOutFilingId, status: filing?.status ?? null });
      const stopped = await optOutStoppedSubjects(trx, v.subjects);
      if (stopped.length > 0) throw new MamoriError('MAMORI_RECORD_OPTOUT_STOPPED', `${stopped.length} person(s) in this provision asked that opt-out provision of their data stop; remove them and record again.`, { subjects: stopped });
    }
    const row = {
      id,
      created_at: now,
      created_by: actor,
      form: v.form,
      basis: v.basis,
      provided_on: v.providedOn,
      last_provided_on: last,
      recipient_name: v.recipient.name,
      recipient_address: v.recipient.address ?? null,
      recipient_representative: v.recipient.representative ?? null,
      recipient_unspecified: v.recipient.unspecified ? 1 : 0,
      recipient_public_body: v.recipient.publicBody ? 1 : 0,
      foreign_country: v.recipient.country ?? null,
      subject_description: v.subjectDescription ?? null,
      subject_count: v.subjectCount ?? v.subjects.length,
      data_items: JSON.stringify(v.dataItems),
      consent_proof: v.consentProof ?? null,
      contract_ref: v.contractRef ?? null,
      optout_filing_id: v.optOutFilingId ?? null,
      anonymized_notice_given: v.anonymizedNoticeGiven ? 1 : 0,
      required: requirement.required ? 1 : 0,
      retain_until: retainUntil(v.form, last),
      source,
      note: v.note ?? null,
    };
    await trx.insertInto('record_provisions').values(row).execute();
    await addSubjects(trx, 'provision', id, v.subjects);
    await appendAudit(trx, clock, {
      actor,
      action: 'records.provision_recorded',
      targetType: 'provision_record',
      targetId: id,
      data: { form: v.form, basis: v.basis, providedOn: v.providedOn, subjectCount: row.subject_count, required: requirement.required, ...(requirement.required ? {} : { notRequiredBecause: requirement.reason }), source },
    });
    return rowToProvision(row);
  });
}

/** A further provision under a batch (or contract-substitute) record: moves the last provision date and the retention. */
export async function extendProvision(db: DbOrTrx, clock: Clock, actor: Actor, id: string, input: unknown): Promise<ProvisionRecord> {
  const v = parseRecordInput(provisionExtensionInputSchema, input, 'MAMORI_RECORD_INVALID');
  return inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('record_provisions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new MamoriError('MAMORI_RECORD_NOT_FOUND');
    if (row.form === 'single') throw new MamoriError('MAMORI_RECORD_FORM_NOT_ALLOWED', 'Only a batch or contract-substitute record covers further provisions; record a new provision instead.');
    const last = v.providedOn > row.last_provided_on ? v.providedOn : row.last_provided_on;
    const form = formSchema.parse(row.form);
    await addSubjects(trx, 'provision', id, v.subjects);
    const count = await trx.selectFrom('record_subjects').select((eb) => eb.fn.countAll<string | number>().as('n')).where('record_type', '=', 'provision').where('record_id', '=', id).executeTakeFirstOrThrow();
    const subjectCount = Math.max(row.subject_count, Number(count.n));
    await trx.updateTable('record_provisions').set({ last_provided_on: last, retain_until: retainUntil(form, last), subject_count: subjectCount }).where('id', '=', id).execute();
    await appendAudit(trx, clock, { actor, action: 'records.provision_extended', targetType: 'provision_record', targetId: id, data: { providedOn: v.providedOn, addedSubjects: v.subjects.length } });
    return rowToProvision({ ...row, last_provided_on: last, retain_until: retainUntil(form, last), subject_count: subjectCount });
  });
}

export async function getProvision(db: DbOrTrx, id: string): Promise<ProvisionRecord> {
  const row = await db.selectFrom('record_provisions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new MamoriError('MAMORI_RECORD_NOT_FOUND');
  return rowToProvision(row);
}

export async function listProvisions(db: DbOrTrx, opts: { subjectId?: string; limit?: number; offset?: number } = {}): Promise<ProvisionRecord[]> {
  let q = db.selectFrom('record_provisions').selectAll('record_provisions');
  if (opts.subjectId) {
    q = q.innerJoin('record_subjects', (j) => j.onRef('record_subjects.record_id', '=', 'record_provisions.id').on('record_subjects.record_type', '=', 'provision')).where('record_subjects.subject_id', '=', opts.subjectId);
  }
  const rows = await q.orderBy('record_provisions.provided_on', 'desc').orderBy('record_provisions.id').limit(Math.min(opts.limit ?? 100, 1000)).offset(opts.offset ?? 0).execute();
  return rows.map(rowToProvision);
}

export { provisionInputSchema, receiptInputSchema, relatedConfirmationInputSchema, type ProvisionInput, type ReceiptInput, type RelatedConfirmationInput } from './record-inputs.ts';
export type { RecordType } from './record-rows.ts';
export { listReceipts, recordReceipt, type ReceiptRecord } from './receipt-records.ts';
export { listRelatedConfirmations, recordRelatedConfirmation, type RelatedConfirmation } from './related-confirmations.ts';
export { purgeExpiredRecords } from './record-purge.ts';
