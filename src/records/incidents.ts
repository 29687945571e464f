import { z } from 'zod';
import { mailHtml } from '../mail/templates/mail-html.ts';
import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import { appendAudit, type Actor } from '../audit/audit-log.ts';
import { MamoriError } from '../errors.ts';
import { enqueueMail } from '../mail/outbox.ts';
import type { DbOrTrx } from '../store/store.ts';
import { assessBreach, breachDeadlines, breachRules, jstDate, deadlineState, type BreachDeadline, type BreachReportStage, type DeadlineState, type Reportability } from '../law/appi/breach.ts';
import { breachReportFieldOrder, breachReportFields, missingReportFields, type BreachReportField } from '../law/appi/breach-report-fields.ts';
import { parseRecordInput } from './record-errors.ts';
import { inTransaction } from './in-transaction.ts';

const instant = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(new Date(s).getTime()), 'use an ISO date-time such as 2026-04-01T10:00:00+09:00');

const incidentFields = {
  title: z.string().trim().min(1).max(200),
  discoveredAt: instant,
  occurredAt: instant,
  description: z.string().trim().min(1).max(10_000),
  dataItems: z.array(z.string().trim().min(1).max(200)).max(200),
  /** null while unknown. */
  affectedCount: z.number().int().min(0).nullable(),
  sensitiveData: z.boolean(),
  financialHarmData: z.boolean(),
  unauthorizedPurpose: z.boolean(),
  skimming: z.boolean(),
  advancedEncryption: z.boolean(),
  pseudonymizedOnly: z.boolean(),
  /** While the count is unknown: why the 1,000-person threshold cannot be reached. null: not ruled out. */
  thresholdRuledOutReason: z.string().trim().min(1).max(2000).nullable(),
  /** 26条2項ただし書: why notices to the persons are replaced by a public notice. */
  publicNoticeReason: z.string().trim().min(1).max(2000).nullable(),
};

/** An incident as staff enter it. */
export const incidentInputSchema = z.strictObject({
  ...incidentFields,
  occurredAt: incidentFields.occurredAt.optional(),
  dataItems: incidentFields.dataItems.default([]),
  affectedCount: incidentFields.affectedCount.default(null),
  sensitiveData: incidentFields.sensitiveData.default(false),
  financialHarmData: incidentFields.financialHarmData.default(false),
  unauthorizedPurpose: incidentFields.unauthorizedPurpose.default(false),
  skimming: incidentFields.skimming.default(false),
  advancedEncryption: incidentFields.advancedEncryption.default(false),
  pseudonymizedOnly: incidentFields.pseudonymizedOnly.default(false),
  thresholdRuledOutReason: incidentFields.thresholdRuledOutReason.default(null),
  publicNoticeReason: incidentFields.publicNoticeReason.default(null),
});
export type IncidentInput = z.input<typeof incidentInputSchema>;
/** A partial update: only the fields given change (no defaults here, or an update would reset facts). */
export const incidentUpdateSchema = z.strictObject(incidentFields).partial().extend({ status: z.enum(['open', 'closed']).optional() });

const fieldKeys = breachReportFieldOrder as [BreachReportField, ...BreachReportField[]];
export const reportFieldsSchema = z.partialRecord(z.enum(fieldKeys), z.string().max(20_000));

export interface Incident {
  id: string;
  title: string;
  status: 'open' | 'closed';
  createdAt: string;
  discoveredAt: string;
  occurredAt: string | null;
  description: string;
  dataItems: string[];
  affectedCount: number | null;
  sensitiveData: boolean;
  financialHarmData: boolean;
  unauthorizedPurpose: boolean;
  skimming: boolean;
  advancedEncryption: boolean;
  pseudonymizedOnly: boolean;
  reportFields: Partial<Record<BreachReportField, string>>;
  preliminarySubmittedAt: string | null;
  finalSubmittedAt: string | null;
  noticeSlug: string | null;
  noticePublishedAt: string | null;
  thresholdRuledOutReason: string | null;
  publicNoticeReason: string | null;
}

/**
 * 26条2項: where notices to the persons stand. `due` by `dueBy` (a reminder date: the law says 速やかに), `sent`
 * once any was sent, `public_notice` when a public notice replaced them (with the reason), `not_required` when the
 * case is not reportable.
 */
export type PersonNotice =
  | { status: 'not_required' }
  | { status: 'due'; dueBy: string }
  | { status: 'sent'; sent: number }
  | { status: 'public_notice'; publishedAt: string; reason: string | null };

/** An incident with the law pack's verdict at `now`. */
export interface IncidentView extends Incident {
  reportability: Reportability;
  deadlines: Record<BreachReportStage, BreachDeadline & { state: DeadlineState }> | null;
  missing: Record<BreachReportStage, BreachReportField[]>;
  noticesSent: number;
  personNotice: PersonNotice;
}

type IncidentRow = {
  id: string; created_at: string; updated_at: string; created_by: string; title: string; discovered_at: string; occurred_at: string | null; description: string; data_items: string;
  affected_count: number | null; sensitive_data: number; financial_harm_data: number; unauthorized_purpose: number; skimming: number; advanced_encryption: number;
  pseudonymized_only: number; status: string; report_fields: string; preliminary_submitted_at: string | null; final_submitted_at: string | null; notice_slug: string | null; notice_published_at: string | null;
  threshold_ruled_out_reason: string | null; public_notice_reason: string | null;
};

function toIncident(r: IncidentRow): Incident {
  return {
    id: r.id, title: r.title, status: r.status === 'closed' ? 'closed' : 'open', createdAt: r.created_at, discoveredAt: r.discovered_at, occurredAt: r.occurred_at,
    description: r.description, dataItems: z.array(z.string()).parse(JSON.parse(r.data_items)), affectedCount: r.affected_count,
    sensitiveData: r.sensitive_data === 1, financialHarmData: r.financial_harm_data === 1, unauthorizedPurpose: r.unauthorized_purpose === 1, skimming: r.skimming === 1,
    advancedEncryption: r.advanced_encryption === 1, pseudonymizedOnly: r.pseudonymized_only === 1, reportFields: reportFieldsSchema.parse(JSON.parse(r.report_fields)),
    preliminarySubmittedAt: r.preliminary_submitted_at, finalSubmittedAt: r.final_submitted_at, noticeSlug: r.notice_slug, noticePublishedAt: r.notice_published_at,
    thresholdRuledOutReason: r.threshold_ruled_out_reason, publicNoticeReason: r.public_notice_reason,
  };
}

/** The law pack's verdict and deadlines for an incident at `now`. Pure. */
export function assessIncident(i: Incident, now: Date): Pick<IncidentView, 'reportability' | 'deadlines' | 'missing'> {
  const reportability = assessBreach({
    discoveredAt: new Date(i.discoveredAt), occurredAt: i.occurredAt ? new Date(i.occurredAt) : null, affectedCount: i.affectedCount, sensitiveData: i.sensitiveData,
    financialHarmData: i.financialHarmData, unauthorizedPurpose: i.unauthorizedPurpose, skimmingOfAcquisition: i.skimming, advancedEncryption: i.advancedEncryption, pseudonymizedOnly: i.pseudonymizedOnly,
    thresholdRuledOut: i.thresholdRuledOutReason ? { reason: i.thresholdRuledOutReason } : null,
  });
  const fields = withDefaults(i);
  const d = breachDeadlines(new Date(i.discoveredAt), reportability);
  return {
    reportability,
    deadlines: reportability.reportable
      ? {
          preliminary: { ...d.preliminary, state: deadlineState(d.preliminary, now, i.preliminarySubmittedAt ? new Date(i.preliminarySubmittedAt) : null) },
          final: { ...d.final, state: deadlineState(d.final, now, i.finalSubmittedAt ? new Date(i.finalSubmittedAt) : null) },
        }
      : null,
    missing: { preliminary: missingReportFields(fields, 'preliminary'), final: missingReportFields(fields, 'final') },
  };
}

/** Where the 26条2項 notices to the persons stand, from the verdict and what was sent or published. Pure. */
export function personNoticeState(i: Incident, reportability: Reportability, noticesSent: number): PersonNotice {
  if (i.noticePublishedAt) return { status: 'public_notice', publishedAt: i.noticePublishedAt, reason: i.publicNoticeReason };
  if (noticesSent > 0) return { status: 'sent', sent: noticesSent };
  if (!reportability.reportable) return { status: 'not_required' };
  return { status: 'due', dueBy: addJstDays(jstDate(new Date(i.discoveredAt)), breachRules.personNoticeTargetDays) };
}

function addJstDays(date: string, days: number): string {
  return new Date(new Date(`${date}T00:00:00Z`).getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Report values with what the incident already states filled in (概要, 項目, 本人の数). */
export function withDefaults(i: Incident): Partial<Record<BreachReportField, string>> {
  return {
    summary: i.description,
    data_items: i.dataItems.join('、'),
    ...(i.affectedCount !== null ? { affected_count: String(i.affectedCount) } : {}),
    ...Object.fromEntries(Object.entries(i.reportFields).filter(([, v]) => (v ?? '').trim() !== '')),
  };
}

export async function createIncident(db: DbOrTrx, clock: Clock, actor: Actor, input: unknown): Promise<Incident> {
  const v = parseRecordInput(incidentInputSchema, input, 'MAMORI_INCIDENT_INVALID');
  const now = clock.now().toISOString();
  const row: IncidentRow = {
    id: newId('inc'), created_at: now, updated_at: now, created_by: actor, title: v.title, discovered_at: new Date(v.discoveredAt).toISOString(),
    occurred_at: v.occurredAt ? new Date(v.occurredAt).toISOString() : null, description: v.description, data_items: JSON.stringify(v.dataItems), affected_count: v.affectedCount,
    sensitive_data: v.sensitiveData ? 1 : 0, financial_harm_data: v.financialHarmData ? 1 : 0, unauthorized_purpose: v.unauthorizedPurpose ? 1 : 0, skimming: v.skimming ? 1 : 0,
    advanced_encryption: v.advancedEncryption ? 1 : 0, pseudonymized_only: v.pseudonymizedOnly ? 1 : 0, status: 'open', report_fields: '{}', preliminary_submitted_at: null,
    final_submitted_at: null, notice_slug: null, notice_published_at: null, threshold_ruled_out_reason: v.thresholdRuledOutReason, public_notice_reason: v.publicNoticeReason,
  };
  const incident = toIncident(row);
  const { reportability } = assessIncident(incident, clock.now());
  await inTransaction(db, async (trx) => {
    await trx.insertInto('record_incidents').values(row).execute();
    await appendAudit(trx, clock, { actor, action: 'records.incident_recorded', targetType: 'incident', targetId: row.id, data: { reportable: reportability.reportable, triggers: reportability.triggers.map((t) => t.trigger), exemption: reportability.exemption, affectedCount: v.affectedCount } });
  });
  return incident;
}

async function loadRow(db: DbOrTrx, id: string): Promise<IncidentRow> {
  const row = await db.selectFrom('record_incidents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new MamoriError('MAMORI_INCIDENT_NOT_FOUND');
  return row;
}

export async function getIncidentView(db: DbOrTrx, id: string, now: Date): Promise<IncidentView> {
  const incident = toIncident(await loadRow(db, id));
  const sent = await db.selectFrom('record_incident_notices').select((eb) => eb.fn.countAll<string | number>().as('n')).where('incident_id', '=', id).where('channel', '=', 'mail').executeTakeFirstOrThrow();
  const assessed = assessIncident(incident, now);
  return { ...incident, ...assessed, noticesSent: Number(sent.n), personNotice: personNoticeState(incident, assessed.reportability, Number(sent.n)) };
}

export async function listIncidents(db: DbOrTrx, now: Date): Promise<IncidentView[]> {
  const rows = await db.selectFrom('record_incidents').selectAll().orderBy('discovered_at', 'desc').limit(500).execute();
  const counts = await db.selectFrom('record_incident_notices').select(['incident_id', (eb) => eb.fn.countAll<string | number>().as('n')]).where('channel', '=', 'mail').groupBy('incident_id').execute();
  const sentBy = new Map(counts.map((c) => [c.incident_id, Number(c.n)]));
  return rows.map((r) => {
    const i = toIncident(r);
    const assessed = assessIncident(i, now);
    const sent = sentBy.get(i.id) ?? 0;
    return { ...i, ...assessed, noticesSent: sent, personNotice: personNoticeState(i, assessed.reportability, sent) };
  });
}

/** Updates facts, status or report fields; the audit event names what changed and the new verdict. */
export async function updateIncident(db: DbOrTrx, clock: Clock, actor: Actor, id: string, input: unknown, reportFields?: unknown): Promise<Incident> {
  const v = parseRecordInput(incidentUpdateSchema, input, 'MAMORI_INCIDENT_INVALID');
  const fields = reportFields === undefined ? undefined : parseRecordInput(reportFieldsSchema, reportFields, 'MAMORI_INCIDENT_INVALID');
  return inTransaction(db, async (trx) => {
    const row = await loadRow(trx, id);
    const next: IncidentRow = {
      ...row,
      updated_at: clock.now().toISOString(),
      ...(v.title !== undefined ? { title: v.title } : {}),
      ...(v.discoveredAt !== undefined ? { discovered_at: new Date(v.discoveredAt).toISOString() } : {}),
      ...(v.occurredAt !== undefined ? { occurred_at: new Date(v.occurredAt).toISOString() } : {}),
      ...(v.description !== undefined ? { description: v.description } : {}),
      ...(v.dataItems !== undefined ? { data_items: JSON.stringify(v.dataItems) } : {}),
      ...(v.affectedCount !== undefined ? { affected_count: v.affectedCount } : {}),
      ...(v.sensitiveData !== undefined ? { sensitive_data: v.sensitiveData ? 1 : 0 } : {}),
      ...(v.financialHarmData !== undefined ? { financial_harm_data: v.financialHarmData ? 1 : 0 } : {}),
      ...(v.unauthorizedPurpose !== undefined ? { unauthorized_purpose: v.unauthorizedPurpose ? 1 : 0 } : {}),
      ...(v.skimming !== undefined ? { skimming: v.skimming ? 1 : 0 } : {}),
      ...(v.advancedEncryption !== undefined ? { advanced_encryption: v.advancedEncryption ? 1 : 0 } : {}),
      ...(v.pseudonymizedOnly !== undefined ? { pseudonymized_only: v.pseudonymizedOnly ? 1 : 0 } : {}),
      ...(v.thresholdRuledOutReason !== undefined ? { threshold_ruled_out_reason: v.thresholdRuledOutReason } : {}),
      ...(v.publicNoticeReason !== undefined ? { public_notice_reason: v.publicNoticeReason } : {}),
      ...(v.status !== undefined ? { status: v.status } : {}),
      ...(fields ? { report_fields: JSON.stringify({ ...reportFieldsSchema.parse(JSON.parse(row.report_fields)), ...fields }) } : {}),
    };
    await trx.updateTable('record_incidents').set(next).where('id', '=', id).execute();
    const incident = toIncident(next);
    const { reportability } = assessIncident(incident, clock.now());
    await appendAudit(trx, clock, { actor, action: 'records.incident_updated', targetType: 'incident', targetId: id, data: { changed: [...Object.keys(v), ...(fields ? Object.keys(fields).map((f) => `report.${f}`) : [])], reportable: reportability.reportable, triggers: reportability.triggers.map((t) => t.trigger) } });
    return incident;
  });
}

/** Marks the 速報 or 確報 as submitted to the PPC. A 確報 needs every required 規則8条 item. */
export async function markReportSubmitted(db: DbOrTrx, clock: Clock, actor: Actor, id: string, stage: BreachReportStage, submittedAt?: string): Promise<Incident> {
  const at = submittedAt ? parseRecordInput(instant, submittedAt, 'MAMORI_INCIDENT_INVALID') : clock.now().toISOString();
  return inTransaction(db, async (trx) => {
    const row = await loadRow(trx, id);
    const incident = toIncident(row);
    const missing = missingReportFields(withDefaults(incident), stage);
    if (missing.length > 0) throw new MamoriError('MAMORI_INCIDENT_REPORT_INCOMPLETE', `Fill in before submitting: ${missing.map((f) => `${breachReportFields[f].label.ja} (${breachReportFields[f].item})`).join(', ')}.`, { missing });
    const iso = new Date(at).toISOString();
    const set = stage === 'preliminary' ? { preliminary_submitted_at: iso } : { final_submitted_at: iso };
    await trx.updateTable('record_incidents').set({ ...set, updated_at: clock.now().toISOString() }).where('id', '=', id).execute();
    await appendAudit(trx, clock, { actor, action: 'records.incident_report_submitted', targetType: 'incident', targetId: id, data: { stage, submittedAt: iso } });
    return toIncident({ ...row, ...set });
  });
}

/** The text of the notice to an affected person (26条2項, 規則10条): the items of 規則8条 that concern them. */
export function individualNoticeText(i: Incident, operatorName: string, contactLine: string): { subject: string; text: string } {
  const values = withDefaults(i);
  const lines = breachReportFieldOrder
    .filter((f) => breachReportFields[f].inIndividualNotice && (values[f] ?? '').trim() !== '')
    .map((f) => `■ ${breachReportFields[f].label.ja}\n${values[f] ?? ''}`);
  const text = [
    `${operatorName}より、お客様の個人情報に関する重要なお知らせです。`,
    '',
    'このたび、当社が取り扱う個人データについて、漏えい等の事態が発生したこと（又はそのおそれがあること）が判明いたしました。お客様に多大なご心配とご迷惑をおかけしますことを、深くお詫び申し上げます。以下のとおりお知らせいたします。',
    '',
    ...lines.flatMap((l) => [l, '']),
    '■ お問い合わせ先',
    contactLine,
    '',
    '---',
    `Important notice from ${operatorName} about your personal information: we found that personal data we handle was (or may have been) leaked, lost or damaged. The details above are in Japanese; please contact us for an explanation in English.`,
  ].join('\n');
  return { subject: `【重要】個人情報の漏えい等に関するお知らせ（${operatorName}）`, text };
}

const recipientsSchema = z.array(z.strictObject({ email: z.email(), subjectId: z.string().min(1).max(200).optional() })).min(1).max(100_000);

/** Queues one notice mail per affected person through the outbox and records each notice, in one transaction. */
export async function notifyAffectedPeople(db: DbOrTrx, clock: Clock, actor: Actor, id: string, recipients: unknown, opts: { operatorName: string; contactLine: string }): Promise<{ queued: number }> {
  const list = parseRecordInput(recipientsSchema, recipients, 'MAMORI_INCIDENT_INVALID');
  return inTransaction(db, async (trx) => {
    const incident = toIncident(await loadRow(trx, id));
    const { subject, text } = individualNoticeText(incident, opts.operatorName, opts.contactLine);
    const now = clock.now().toISOString();
    for (const r of list) {
      const mailId = await enqueueMail(trx, clock, { to: r.email, subject, text, html: mailHtml(text, { lang: 'ja', service: opts.operatorName }), topic: 'incident.notice', ref: { type: 'incident', id } });
      await trx.insertInto('record_incident_notices').values({ id: newId('ntc'), incident_id: id, created_at: now, channel: 'mail', subject_id: r.subjectId ?? null, mail_id: mailId, created_by: actor }).execute();
    }
    await appendAudit(trx, clock, { actor, action: 'records.incident_people_notified', targetType: 'incident', targetId: id, data: { queued: list.length } });
    return { queued: list.length };
  });
}

const slugSchema = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{1,62}[a-z0-9])$/, 'use 3-64 lower-case letters, digits and hyphens, e.g. "2026-04-incident"');

/** Publishes the alternative notice page (公表) at /notices/:slug for people who cannot be reached. */
export async function publishAlternativeNotice(db: DbOrTrx, clock: Clock, actor: Actor, id: string, slug: unknown): Promise<Incident> {
  const s = parseRecordInput(slugSchema, slug, 'MAMORI_INCIDENT_INVALID');
  return inTransaction(db, async (trx) => {
    const row = await loadRow(trx, id);
    const taken = await trx.selectFrom('record_incidents').select('id').where('notice_slug', '=', s).where('id', '!=', id).executeTakeFirst();
    if (taken) throw new MamoriError('MAMORI_INCIDENT_NOTICE_SLUG_TAKEN');
    const now = clock.now().toISOString();
    await trx.updateTable('record_incidents').set({ notice_slug: s, notice_published_at: now, updated_at: now }).where('id', '=', id).execute();
    await trx.insertInto('record_incident_notices').values({ id: newId('ntc'), incident_id: id, created_at: now, channel: 'page', subject_id: null, mail_id: null, created_by: actor }).execute();
    await appendAudit(trx, clock, { actor, action: 'records.incident_notice_published', targetType: 'incident', targetId: id, data: { slug: s } });
    return toIncident({ ...row, notice_slug: s, notice_published_at: now });
  });
}

/** The published alternative notice for a slug, or null. */
export async function findPublishedNotice(db: DbOrTrx, slug: string): Promise<Incident | null> {
  const row = await db.selectFrom('record_incidents').selectAll().where('notice_slug', '=', slug).where('notice_published_at', 'is not', null).executeTakeFirst();
  return row ? toIncident(row) : null;
}
