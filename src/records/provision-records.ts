import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import { appendAudit, type Actor } from '../audit/audit-log.ts';
import { MamoriError } from '../errors.ts';
import type { DbOrTrx } from '../store/store.ts';
import { jstDate } from '../law/appi/breach.ts';
import { provisionBases, recordFormAllowed, recordForms, recordRequirement, retainUntil, type ProvisionBasis, type RecordForm } from '../law/appi/record-retention.ts';
import { parseRecordInput } from './record-errors.ts';
import { inTransaction } from './in-transaction.ts';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD').refine((s) => !Number.isNaN(new Date(`${s}T00:00:00Z`).getTime()), 'not a real date');
const shortText = z.string().trim().min(1).max(500);
const subjectIds = z.array(z.string().trim().min(1).max(200)).max(10_000);
const dataItems = z.array(z.string().trim().min(1).max(200)).min(1, 'name at least one data item').max(200);
const country = z.string().regex(/^[A-Z]{2}$/, 'use an ISO 3166-1 alpha-2 code such as "US"');
const party = z.strictObject({
  name: shortText,
  address: shortText.optional(),
  representative: shortText.optional(),
});

/** A provision to a third party (29条), as the API, the SDK, the console and the CLI send it. */
export const provisionInputSchema = z
  .strictObject({
    form: z.enum(recordForms as [RecordForm, ...RecordForm[]]).default('single'),
    basis: z.enum(provisionBases as [ProvisionBasis, ...ProvisionBasis[]]),
    providedOn: isoDay,
    /** For a batch record: the latest provision so far (defaults to providedOn). */
    lastProvidedOn: isoDay.optional(),
    recipient: party.extend({
      /** Opt-out provision to an unspecified number of recipients (不特定多数). */
      unspecified: z.boolean().optional(),
      publicBody: z.boolean().optional(),
      country: country.optional(),
    }),
    subjects: subjectIds.default([]),
    subjectDescription: shortText.optional(),
    subjectCount: z.number().int().min(0).optional(),
    dataItems,
    consentProof: shortText.optional(),
    contractRef: shortText.optional(),
    optOutFilingId: z.string().min(1).max(100).optional(),
    anonymizedNoticeGiven: z.boolean().optional(),
    note: z.string().max(2000).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.subjects.length === 0 && !v.subjectDescription) ctx.addIssue({ code: 'custom', path: ['subjects'], message: 'list the people (subject ids) or describe them in subjectDescription' });
    if (v.basis === 'consent' && !v.consentProof) ctx.addIssue({ code: 'custom', path: ['consentProof'], message: 'consent-based provision records that consent was obtained: give a consent receipt id or how consent was taken' });
    if (v.form === 'contract_substitute' && !v.contractRef) ctx.addIssue({ code: 'custom', path: ['contractRef'], message: 'a contract-substitute record names the contract that holds the record items' });
    if (v.basis === 'opt_out' && !v.optOutFilingId) ctx.addIssue({ code: 'custom', path: ['optOutFilingId'], message: 'opt-out provision relies on a PPC filing: give its id' });
    if (v.basis === 'anonymized' && v.anonymizedNoticeGiven !== true) ctx.addIssue({ code: 'custom', path: ['anonymizedNoticeGiven'], message: 'the recipient must be told that the data is 匿名加工情報 (43条6項・44条)' });
    if (v.lastProvidedOn && v.lastProvidedOn < v.providedOn) ctx.addIssue({ code: 'custom', path: ['lastProvidedOn'], message: 'must not be before providedOn' });
  });
export type ProvisionInput = z.input<typeof provisionInputSchema>;

/** A receipt from a third party (30条). */
export const receiptInputSchema = z
  .strictObject({
    form: z.enum(recordForms as [RecordForm, ...RecordForm[]]).default('single'),
    basis: z.enum(['consent', 'opt_out', 'statutory_exception', 'entrustment', 'succession', 'joint_use'] as const),
    receivedOn: isoDay,
    lastReceivedOn: isoDay.optional(),
    provider: party.extend({ publicBody: z.boolean().optional() }),
    /** How the provider acquired the data (取得の経緯). */
    providerAcquisition: z.string().trim().min(1).max(2000),
    consentConfirmed: z.boolean().optional(),
    optOutFilingConfirmed: z.boolean().optional(),
    subjects: subjectIds.default([]),
    subjectDescription: shortText.optional(),
    subjectCount: z.number().int().min(0).optional(),
    dataItems,
    note: z.string().max(2000).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.subjects.length === 0 && !v.subjectDescription) ctx.addIssue({ code: 'custom', path: ['subjects'], message: 'list the people (subject ids) or describe them in subjectDescription' });
    const needsParty = v.basis === 'consent' || v.basis === 'opt_out';
    if (needsParty && (!v.provider.address || !v.provider.representative)) ctx.addIssue({ code: 'custom', path: ['provider'], message: '30条1項1号: confirm the provider\'s address and representative' });
    if (v.basis === 'consent' && v.consentConfirmed !== true) ctx.addIssue({ code: 'custom', path: ['consentConfirmed'], message: 'confirm that the person consented to the provision' });
    if (v.basis === 'opt_out' && v.optOutFilingConfirmed !== true) ctx.addIssue({ code: 'custom', path: ['optOutFilingConfirmed'], message: 'confirm that the provider\'s opt-out filing is published by the PPC' });
  });
export type ReceiptInput = z.input<typeof receiptInputSchema>;

/** A 31条 confirmation before providing 個人関連情報. */
export const relatedConfirmationInputSchema = z
  .strictObject({
    form: z.enum(['single', 'batch'] as const).default('single'),
    confirmedOn: isoDay,
    lastProvidedOn: isoDay.optional(),
    recipient: party.extend({ country: country.optional() }),
    consentMethod: z.string().trim().min(1).max(2000),
    foreignInfoGiven: z.boolean().optional(),
    subjects: subjectIds.default([]),
    subjectDescription: shortText.optional(),
    subjectCount: z.number().int().min(0).optional(),
    dataItems,
    note: z.string().max(2000).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.subjects.length === 0 && !v.subjectDescription) ctx.addIssue({ code: 'custom', path: ['subjects'], message: 'list the people (subject ids) or describe them in subjectDescription' });
    if (v.recipient.country && v.foreignInfoGiven !== true) ctx.addIssue({ code: 'custom', path: ['foreignInfoGiven'], message: 'for a foreign recipient confirm that the person was given the 28条 information' });
  });
export type RelatedConfirmationInput = z.input<typeof relatedConfirmationInputSchema>;

export type RecordType = 'provision' | 'receipt' | 'related_confirmation';

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

const stringArray = z.array(z.string());
const formSchema = z.enum(recordForms as [RecordForm, ...RecordForm[]]);
const basisSchema = z.enum(provisionBases as [ProvisionBasis, ...ProvisionBasis[]]);

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

async function addSubjects(db: DbOrTrx, type: RecordType, id: string, subjects: string[]): Promise<void> {
  const unique = [...new Set(subjects)];
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    await db.insertInto('record_subjects').values(chunk.map((s) => ({ record_type: type, record_id: id, subject_id: s }))).onConflict((oc) => oc.doNothing()).execute();
  }
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
  const v = parseRecordInput(z.strictObject({ providedOn: isoDay, subjects: subjectIds.default([]) }), input, 'MAMORI_RECORD_INVALID');
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

/**
 * Deletes every provision, receipt and 31条 record whose retention has passed (as of today in JST), in one
 * transaction with one `records.purged` audit event naming the ids. Run daily by the server and by `mamori records purge`.
 */
export async function purgeExpiredRecords(db: DbOrTrx, clock: Clock, actor: Actor): Promise<{ provisions: number; receipts: number; relatedConfirmations: number; today: string }> {
  const today = jstDate(clock.now());
  return inTransaction(db, async (trx) => {
    const prov = (await trx.selectFrom('record_provisions').select('id').where('retain_until', '<', today).execute()).map((r) => r.id);
    const rcv = (await trx.selectFrom('record_receipts').select('id').where('retain_until', '<', today).execute()).map((r) => r.id);
    const rel = (await trx.selectFrom('record_related_confirmations').select('id').where('retain_until', '<', today).execute()).map((r) => r.id);
    const drop = async (type: RecordType, ids: string[]) => {
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        await trx.deleteFrom('record_subjects').where('record_type', '=', type).where('record_id', 'in', chunk).execute();
        if (type === 'provision') await trx.deleteFrom('record_provisions').where('id', 'in', chunk).execute();
        else if (type === 'receipt') await trx.deleteFrom('record_receipts').where('id', 'in', chunk).execute();
        else await trx.deleteFrom('record_related_confirmations').where('id', 'in', chunk).execute();
      }
    };
    await drop('provision', prov);
    await drop('receipt', rcv);
    await drop('related_confirmation', rel);
    await appendAudit(trx, clock, {
      actor,
      action: 'records.purged',
      targetType: 'records',
      data: { today, provisions: prov.length, receipts: rcv.length, relatedConfirmations: rel.length, ids: [...prov, ...rcv, ...rel].slice(0, 1000) },
    });
    return { provisions: prov.length, receipts: rcv.length, relatedConfirmations: rel.length, today };
  });
}
