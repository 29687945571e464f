import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import { appendAudit, type Actor } from '../audit/audit-log.ts';
import { MamoriError } from '../errors.ts';
import type { DbOrTrx } from '../store/store.ts';
import { recordFormAllowed, recordRequirement, retainUntil, type RecordForm } from '../law/appi/record-retention.ts';
import { parseRecordInput } from './record-errors.ts';
import { inTransaction } from './in-transaction.ts';
import { receiptInputSchema } from './record-inputs.ts';
import { addSubjects, formSchema, stringArray } from './record-rows.ts';

// Confirmation records on receipt of personal data from a third party (30条).
export interface ReceiptRecord {
  id: string;
  createdAt: string;
  form: RecordForm;
  basis: string;
  receivedOn: string;
  lastReceivedOn: string;
  provider: { name: string; address: string | null; representative: string | null };
  providerAcquisition: string;
  consentConfirmed: boolean;
  optOutFilingConfirmed: boolean;
  subjectDescription: string | null;
  subjectCount: number;
  dataItems: string[];
  required: boolean;
  retainUntil: string;
  note: string | null;
}

function rowToReceipt(r: {
  id: string; created_at: string; form: string; basis: string; received_on: string; last_received_on: string; provider_name: string; provider_address: string | null;
  provider_representative: string | null; provider_acquisition: string; consent_confirmed: number; optout_filing_confirmed: number; subject_description: string | null;
  subject_count: number; data_items: string; required: number; retain_until: string; note: string | null;
}): ReceiptRecord {
  return {
    id: r.id,
    createdAt: r.created_at,
    form: formSchema.parse(r.form),
    basis: r.basis,
    receivedOn: r.received_on,
    lastReceivedOn: r.last_received_on,
    provider: { name: r.provider_name, address: r.provider_address, representative: r.provider_representative },
    providerAcquisition: r.provider_acquisition,
    consentConfirmed: r.consent_confirmed === 1,
    optOutFilingConfirmed: r.optout_filing_confirmed === 1,
    subjectDescription: r.subject_description,
    subjectCount: r.subject_count,
    dataItems: stringArray.parse(JSON.parse(r.data_items)),
    required: r.required === 1,
    retainUntil: r.retain_until,
    note: r.note,
  };
}

/** Records the confirmation on receipt (30条) with its audit event. */
export async function recordReceipt(db: DbOrTrx, clock: Clock, actor: Actor, input: unknown, source: string): Promise<ReceiptRecord> {
  const v = parseRecordInput(receiptInputSchema, input, 'MAMORI_RECORD_INVALID');
  if (!recordFormAllowed(v.form, v.basis)) throw new MamoriError('MAMORI_RECORD_FORM_NOT_ALLOWED', undefined, { form: v.form, basis: v.basis });
  const requirement = recordRequirement({ basis: v.basis, foreignRecipient: false, recipientIsPublicBody: !!v.provider.publicBody });
  const last = v.lastReceivedOn ?? v.receivedOn;
  const id = newId('rcv');
  const row = {
    id,
    created_at: clock.now().toISOString(),
    created_by: actor,
    form: v.form,
    basis: v.basis,
    received_on: v.receivedOn,
    last_received_on: last,
    provider_name: v.provider.name,
    provider_address: v.provider.address ?? null,
    provider_representative: v.provider.representative ?? null,
    provider_acquisition: v.providerAcquisition,
    consent_confirmed: v.consentConfirmed ? 1 : 0,
    optout_filing_confirmed: v.optOutFilingConfirmed ? 1 : 0,
    subject_description: v.subjectDescription ?? null,
    subject_count: v.subjectCount ?? v.subjects.length,
    data_items: JSON.stringify(v.dataItems),
    required: requirement.required ? 1 : 0,
    retain_until: retainUntil(v.form, last),
    source,
    note: v.note ?? null,
  };
  await inTransaction(db, async (trx) => {
    await trx.insertInto('record_receipts').values(row).execute();
    await addSubjects(trx, 'receipt', id, v.subjects);
    await appendAudit(trx, clock, { actor, action: 'records.receipt_recorded', targetType: 'receipt_record', targetId: id, data: { form: v.form, basis: v.basis, receivedOn: v.receivedOn, subjectCount: row.subject_count, source } });
  });
  return rowToReceipt(row);
}

export async function listReceipts(db: DbOrTrx, opts: { subjectId?: string; limit?: number } = {}): Promise<ReceiptRecord[]> {
  let q = db.selectFrom('record_receipts').selectAll('record_receipts');
  if (opts.subjectId) q = q.innerJoin('record_subjects', (j) => j.onRef('record_subjects.record_id', '=', 'record_receipts.id').on('record_subjects.record_type', '=', 'receipt')).where('record_subjects.subject_id', '=', opts.subjectId);
  const rows = await q.orderBy('record_receipts.received_on', 'desc').limit(Math.min(opts.limit ?? 100, 1000)).execute();
  return rows.map(rowToReceipt);
}
