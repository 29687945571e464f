import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { MamoriError } from '../errors.ts';
import { appendAudit, exportAuditJsonl, verifyAuditChain } from '../audit/audit-log.ts';
import { localize } from '../policy/load-policy.ts';
import { errorBody } from './openapi.ts';
import { requireApiKey, staffActor } from './staff-auth.ts';
import type { RouteModule } from './route-module.ts';
import { parseRecordInput } from '../records/record-errors.ts';
import {
  extendProvision, getProvision, listProvisions, listReceipts, listRelatedConfirmations, provisionInputSchema, receiptInputSchema,
  recordProvision, recordReceipt, recordRelatedConfirmation, relatedConfirmationInputSchema,
} from '../records/provision-records.ts';
import { createOptOutFiling, flagOptOutStop, listOptOutFilings, optOutFilingInputSchema, optOutFilingUpdateSchema, updateOptOutFiling } from '../records/optout-filings.ts';
import {
  createIncident, getIncidentView, incidentInputSchema, incidentUpdateSchema, listIncidents, markReportSubmitted, notifyAffectedPeople, publishAlternativeNotice,
  reportFieldsSchema, updateIncident,
} from '../records/incidents.ts';
import { computeStatistics, statisticsCsv } from '../records/statistics.ts';
import { fetchContactsFromHook, contactSchema, sendRevisionNotices } from '../records/revision-notices.ts';
import { recordsConsolePages } from './records-console-pages.ts';

const tags = ['records'];
const security = [{ apiKey: [] }];
const idParams = z.strictObject({ id: z.string().min(1).max(100) });
const err = (...pairs: Array<[string, string]>) => Object.fromEntries(pairs.map(([status, description]) => [status, { description, schema: errorBody }]));
const authErrors = err(['401', 'Missing or invalid API key (MAMORI_API_KEY_INVALID)'], ['403', 'The key\'s role does not allow this (MAMORI_FORBIDDEN)']);

/** Optional env of this module: the operator's contact hook for revision notices, and the purge interval. */
const envSchema = z.object({
  MAMORI_CONTACT_HOOK_URL: z.url().optional(),
  MAMORI_CONTACT_HOOK_SECRET: z.string().min(16).optional(),
  MAMORI_RECORDS_PURGE_HOURS: z.coerce.number().min(0).max(24 * 30).optional(),
});

export function operatorNameOf(ctx: AppContext): string {
  return localize(ctx.policy.policy.operator.name, 'ja');
}

function operatorContactLine(ctx: AppContext): string {
  return ctx.policy.policy.operator.contacts.map((c) => `${c.label ? `${localize(c.label, 'ja')}: ` : ''}${localize(c.value, 'ja')}`).join('\n');
}

function actorOf(request: FastifyRequest) {
  if (!request.staff) throw new MamoriError('MAMORI_AUTH_REQUIRED');
  return staffActor(request.staff);
}

const listQuery = z.strictObject({ subject: z.string().min(1).max(200).optional(), limit: z.coerce.number().int().min(1).max(1000).optional() });
const statsQuery = z.strictObject({ k: z.coerce.number().int().min(2).max(1000).optional(), from: z.string().max(40).optional(), to: z.string().max(40).optional() });
const submissionBody = z.strictObject({ stage: z.enum(['preliminary', 'final']), submittedAt: z.string().optional() });
const incidentPatchBody = z.strictObject({ facts: incidentUpdateSchema.optional(), reportFields: reportFieldsSchema.optional() });
const recipientsBody = z.strictObject({ recipients: z.array(z.strictObject({ email: z.email(), subjectId: z.string().optional() })).min(1) });
const slugBody = z.strictObject({ slug: z.string() });
const stopBody = z.strictObject({ subjectId: z.string().min(1).max(200), filingId: z.string().optional() });
const revisionBody = z.strictObject({
  policyVersionId: z.string().min(1),
  kind: z.enum(['revision', 'purpose_change']),
  summary: z.string().min(1).max(5000),
  /** Omit to ask the operator's contact hook (MAMORI_CONTACT_HOOK_URL) for known users. */
  recipients: z.array(contactSchema).min(1).optional(),
});

/** Parses outside input (params, query, bodies) into MAMORI_RECORD_INVALID with the path of each problem. */
function input<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  return parseRecordInput(schema, value, 'MAMORI_RECORD_INVALID');
}

/**
 * Routes of the records domain:
 * - JSON API under `/api/v1/` (staff API keys): provisions (29条), receipts (30条), 31条 confirmations, opt-out
 *   filings and stop flags, incidents (26条), statistics, revision notices, audit verification and export.
 * - Console pages under `/console/` and the public `/privacy/anonymized` and `/notices/:slug` (records-console-pages.ts).
 */
export const recordsRoutes: RouteModule = async (app, ctx, openapi) => {
  const env = envSchema.safeParse(process.env);
  const settings = env.success ? env.data : {};
  const canView = requireApiKey(ctx, 'records.view');
  const canManage = requireApiKey(ctx, 'records.manage');
  const canIncidents = requireApiKey(ctx, 'incidents.manage');
  const canAudit = requireApiKey(ctx, 'audit.view');
  const canPublish = requireApiKey(ctx, 'policy.publish');
  const db = ctx.store.db;
  const auditSubjectView = (request: FastifyRequest, subject: string, what: string) =>
    db.transaction().execute((trx) => appendAudit(trx, ctx.clock, { actor: actorOf(request), action: 'records.subject_viewed', targetType: 'subject', targetId: subject, data: { what } }));

  // --- provisions (29条)
  app.post('/api/v1/provisions', { preHandler: canManage }, async (request, reply) => {
    const rec = await recordProvision(db, ctx.clock, actorOf(request), request.body, 'api');
    return reply.status(201).send(rec);
  });
  openapi.add('post', '/api/v1/provisions', {
    summary: 'Record a provision of personal data to a third party (29条): single, batch or contract-substitute', tags, security, body: provisionInputSchema,
    responses: { '201': { description: 'Recorded, with its retention date' }, ...err(['400', 'Invalid fields (MAMORI_RECORD_INVALID) or batch form for opt-out (MAMORI_RECORD_FORM_NOT_ALLOWED)'], ['409', 'Opt-out filing not filed, or a person asked to stop (MAMORI_RECORD_OPTOUT_*)']), ...authErrors },
  });
  app.get('/api/v1/provisions', { preHandler: canView }, async (request) => {
    const q = input(listQuery, request.query);
    // Looking up one person's records is an access to their data: audited.
    if (q.subject) await auditSubjectView(request, q.subject, 'provisions');
    return { provisions: await listProvisions(db, { ...(q.subject ? { subjectId: q.subject } : {}), ...(q.limit ? { limit: q.limit } : {}) }) };
  });
  openapi.add('get', '/api/v1/provisions', { summary: 'List provision records (optionally for one subject id)', tags, security, query: listQuery, responses: { '200': { description: 'Newest first' }, ...authErrors } });
  app.get('/api/v1/provisions/:id', { preHandler: canView }, async (request) => getProvision(db, input(idParams, request.params).id));
  openapi.add('get', '/api/v1/provisions/:id', { summary: 'One provision record', tags, security, params: idParams, responses: { '200': { description: 'The record' }, ...err(['404', 'MAMORI_RECORD_NOT_FOUND']), ...authErrors } });
  const extendBody = z.strictObject({ providedOn: z.string(), subjects: z.array(z.string()).optional() });
  app.post('/api/v1/provisions/:id/provided', { preHandler: canManage }, async (request) => extendProvision(db, ctx.clock, actorOf(request), input(idParams, request.params).id, request.body));
  openapi.add('post', '/api/v1/provisions/:id/provided', { summary: 'A further provision under a batch or contract-substitute record (moves the retention date)', tags, security, params: idParams, body: extendBody, responses: { '200': { description: 'Updated record' }, ...err(['400', 'Invalid date or a single record'], ['404', 'MAMORI_RECORD_NOT_FOUND']), ...authErrors } });

  // --- receipts (30条) and 31条 confirmations
  app.post('/api/v1/receipts', { preHandler: canManage }, async (request, reply) => reply.status(201).send(await recordReceipt(db, ctx.clock, actorOf(request), request.body, 'api')));
  openapi.add('post', '/api/v1/receipts', { summary: 'Record the confirmation on receiving personal data from a third party (30条)', tags, security, body: receiptInputSchema, responses: { '201': { description: 'Recorded' }, ...err(['400', 'MAMORI_RECORD_INVALID']), ...authErrors } });
  app.get('/api/v1/receipts', { preHandler: canView }, async (request) => {
    const q = input(listQuery, request.query);
    if (q.subject) await auditSubjectView(request, q.subject, 'receipts');
    return { receipts: await listReceipts(db, { ...(q.subject ? { subjectId: q.subject } : {}), ...(q.limit ? { limit: q.limit } : {}) }) };
  });
  openapi.add('get', '/api/v1/receipts', { summary: 'List receipt records', tags, security, query: listQuery, responses: { '200': { description: 'Newest first' }, ...authErrors } });
  app.post('/api/v1/related-confirmations', { preHandler: canManage }, async (request, reply) => reply.status(201).send(await recordRelatedConfirmation(db, ctx.clock, actorOf(request), request.body, 'api')));
  openapi.add('post', '/api/v1/related-confirmations', { summary: 'Record a 31条 confirmation that the recipient of person-related information holds the person\'s consent', tags, security, body: relatedConfirmationInputSchema, responses: { '201': { description: 'Recorded' }, ...err(['400', 'MAMORI_RECORD_INVALID']), ...authErrors } });
  app.get('/api/v1/related-confirmations', { preHandler: canView }, async (request) => {
    const q = input(listQuery, request.query);
    if (q.subject) await auditSubjectView(request, q.subject, 'related_confirmations');
    return { confirmations: await listRelatedConfirmations(db, { ...(q.subject ? { subjectId: q.subject } : {}), ...(q.limit ? { limit: q.limit } : {}) }) };
  });
  openapi.add('get', '/api/v1/related-confirmations', { summary: 'List 31条 confirmations', tags, security, query: listQuery, responses: { '200': { description: 'Newest first' }, ...authErrors } });

  // --- opt-out filings (27条2項) and stop requests
  app.post('/api/v1/optout-filings', { preHandler: canManage }, async (request, reply) => reply.status(201).send(await createOptOutFiling(db, ctx.clock, actorOf(request), request.body)));
  openapi.add('post', '/api/v1/optout-filings', { summary: 'Track an opt-out filing with the PPC (starts as draft)', tags, security, body: optOutFilingInputSchema, responses: { '201': { description: 'Created' }, ...err(['400', 'MAMORI_RECORD_INVALID']), ...authErrors } });
  app.patch('/api/v1/optout-filings/:id', { preHandler: canManage }, async (request) => updateOptOutFiling(db, ctx.clock, actorOf(request), input(idParams, request.params).id, request.body));
  openapi.add('patch', '/api/v1/optout-filings/:id', { summary: 'Move a filing: filed (with date), published by the PPC (with date), withdrawn', tags, security, params: idParams, body: optOutFilingUpdateSchema, responses: { '200': { description: 'Updated' }, ...err(['400', 'MAMORI_RECORD_INVALID'], ['404', 'MAMORI_RECORD_NOT_FOUND']), ...authErrors } });
  app.get('/api/v1/optout-filings', { preHandler: canView }, async () => ({ filings: await listOptOutFilings(db) }));
  openapi.add('get', '/api/v1/optout-filings', { summary: 'List opt-out filings and their status', tags, security, responses: { '200': { description: 'Filings' }, ...authErrors } });
  app.post('/api/v1/optout-stops', { preHandler: canManage }, async (request, reply) => {
    const b = input(stopBody, request.body);
    return reply.status(201).send(await flagOptOutStop(db, ctx.clock, actorOf(request), { subjectId: b.subjectId, filingId: b.filingId ?? null, source: 'api' }));
  });
  openapi.add('post', '/api/v1/optout-stops', { summary: 'Flag that a person asked opt-out provision of their data to stop', tags, security, body: stopBody, responses: { '201': { description: 'Flagged (idempotent)' }, ...err(['400', 'MAMORI_RECORD_INVALID']), ...authErrors } });

  // --- incidents (26条)
  app.post('/api/v1/incidents', { preHandler: canIncidents }, async (request, reply) => {
    const inc = await createIncident(db, ctx.clock, actorOf(request), request.body);
    return reply.status(201).send(await getIncidentView(db, inc.id, ctx.clock.now()));
  });
  openapi.add('post', '/api/v1/incidents', { summary: 'Record a leak incident; the answer says whether it is reportable, why, and by when', tags, security, body: incidentInputSchema, responses: { '201': { description: 'The incident with reportability and deadlines' }, ...err(['400', 'MAMORI_INCIDENT_INVALID']), ...authErrors } });
  app.get('/api/v1/incidents', { preHandler: canView }, async () => ({ incidents: await listIncidents(db, ctx.clock.now()) }));
  openapi.add('get', '/api/v1/incidents', { summary: 'Incidents with reportability and deadline state', tags, security, responses: { '200': { description: 'Newest first' }, ...authErrors } });
  app.get('/api/v1/incidents/:id', { preHandler: canView }, async (request) => getIncidentView(db, input(idParams, request.params).id, ctx.clock.now()));
  openapi.add('get', '/api/v1/incidents/:id', { summary: 'One incident with reportability, deadlines and missing 規則8条 items', tags, security, params: idParams, responses: { '200': { description: 'The incident' }, ...err(['404', 'MAMORI_INCIDENT_NOT_FOUND']), ...authErrors } });
  app.patch('/api/v1/incidents/:id', { preHandler: canIncidents }, async (request) => {
    const { id } = input(idParams, request.params);
    const b = parseRecordInput(incidentPatchBody, request.body, 'MAMORI_INCIDENT_INVALID');
    await updateIncident(db, ctx.clock, actorOf(request), id, b.facts ?? {}, b.reportFields);
    return getIncidentView(db, id, ctx.clock.now());
  });
  openapi.add('patch', '/api/v1/incidents/:id', { summary: 'Update facts (re-evaluates reportability) and 規則8条 report items', tags, security, params: idParams, body: incidentPatchBody, responses: { '200': { description: 'The incident' }, ...err(['400', 'MAMORI_INCIDENT_INVALID'], ['404', 'MAMORI_INCIDENT_NOT_FOUND']), ...authErrors } });
  app.post('/api/v1/incidents/:id/submissions', { preHandler: canIncidents }, async (request) => {
    const { id } = input(idParams, request.params);
    const b = parseRecordInput(submissionBody, request.body, 'MAMORI_INCIDENT_INVALID');
    await markReportSubmitted(db, ctx.clock, actorOf(request), id, b.stage, b.submittedAt);
    return getIncidentView(db, id, ctx.clock.now());
  });
  openapi.add('post', '/api/v1/incidents/:id/submissions', { summary: 'Record that the 速報 (preliminary) or 確報 (final) report was submitted to the PPC', tags, security, params: idParams, body: submissionBody, responses: { '200': { description: 'The incident' }, ...err(['409', 'Required 規則8条 items missing (MAMORI_INCIDENT_REPORT_INCOMPLETE)']), ...authErrors } });
  app.post('/api/v1/incidents/:id/notices', { preHandler: canIncidents }, async (request, reply) => {
    const { id } = input(idParams, request.params);
    const b = parseRecordInput(recipientsBody, request.body, 'MAMORI_INCIDENT_INVALID');
    return reply.status(202).send(await notifyAffectedPeople(db, ctx.clock, actorOf(request), id, b.recipients, { operatorName: operatorNameOf(ctx), contactLine: operatorContactLine(ctx) }));
  });
  openapi.add('post', '/api/v1/incidents/:id/notices', { summary: 'Queue the notice to each affected person (26条2項) through the outbox', tags, security, params: idParams, body: recipientsBody, responses: { '202': { description: 'Queued' }, ...err(['400', 'MAMORI_INCIDENT_INVALID']), ...authErrors } });
  app.post('/api/v1/incidents/:id/notice-page', { preHandler: canIncidents }, async (request) => {
    const { id } = input(idParams, request.params);
    const b = parseRecordInput(slugBody, request.body, 'MAMORI_INCIDENT_INVALID');
    const inc = await publishAlternativeNotice(db, ctx.clock, actorOf(request), id, b.slug);
    return { url: `${ctx.config.baseUrl.replace(/\/$/, '')}/notices/${inc.noticeSlug ?? ''}` };
  });
  openapi.add('post', '/api/v1/incidents/:id/notice-page', { summary: 'Publish the alternative notice page at /notices/:slug (when people cannot be reached)', tags, security, params: idParams, body: slugBody, responses: { '200': { description: 'Published' }, ...err(['409', 'MAMORI_INCIDENT_NOTICE_SLUG_TAKEN']), ...authErrors } });

  // --- statistics
  app.get('/api/v1/statistics', { preHandler: canView }, async (request) => {
    const q = parseRecordInput(statsQuery, request.query, 'MAMORI_STATISTICS_INVALID');
    return computeStatistics(ctx.read.db, q);
  });
  openapi.add('get', '/api/v1/statistics', { summary: 'Requests by kind/outcome/days to close, consent rates, provisions; counts under k suppressed (null)', tags, security, query: statsQuery, responses: { '200': { description: 'Statistics' }, ...err(['400', 'MAMORI_STATISTICS_INVALID']), ...authErrors } });
  app.get('/api/v1/statistics.csv', { preHandler: canView }, async (request, reply) => {
    const q = parseRecordInput(statsQuery, request.query, 'MAMORI_STATISTICS_INVALID');
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="mamori-statistics.csv"').send(statisticsCsv(await computeStatistics(ctx.read.db, q)));
  });
  openapi.add('get', '/api/v1/statistics.csv', { summary: 'The same statistics as CSV; suppressed cells read "<k"', tags, security, query: statsQuery, responses: { '200': { description: 'CSV', contentType: 'text/csv' }, ...authErrors } });

  // --- revision and purpose-change notices
  app.post('/api/v1/revision-notices', { preHandler: canPublish }, async (request, reply) => {
    const b = parseRecordInput(revisionBody, request.body, 'MAMORI_REVISION_NOTICE_INVALID');
    let recipients = b.recipients;
    let audience: 'list' | 'contact_hook' = 'list';
    if (!recipients) {
      if (!settings.MAMORI_CONTACT_HOOK_URL) throw new MamoriError('MAMORI_REVISION_NOTICE_INVALID', 'Give recipients, or set MAMORI_CONTACT_HOOK_URL so mamori can ask your app for its users.');
      recipients = await fetchContactsFromHook(settings.MAMORI_CONTACT_HOOK_URL, settings.MAMORI_CONTACT_HOOK_SECRET);
      audience = 'contact_hook';
    }
    const notice = await sendRevisionNotices(db, ctx.clock, actorOf(request), { policyVersionId: b.policyVersionId, kind: b.kind, audience, summary: b.summary, recipients }, { operatorName: operatorNameOf(ctx), baseUrl: ctx.config.baseUrl });
    return reply.status(202).send(notice);
  });
  openapi.add('post', '/api/v1/revision-notices', { summary: 'After publishing a version: mail a revision or purpose-change notice to a list, or to the users the contact hook returns', tags, security, body: revisionBody, responses: { '202': { description: 'Queued and recorded' }, ...err(['400', 'MAMORI_REVISION_NOTICE_INVALID'], ['404', 'MAMORI_POLICY_VERSION_NOT_FOUND']), ...authErrors } });

  // --- audit log
  app.get('/api/v1/audit/verify', { preHandler: canAudit }, async () => verifyAuditChain(db));
  openapi.add('get', '/api/v1/audit/verify', { summary: 'Walk the audit hash chain and name every edited, inserted or deleted row', tags: ['audit'], security, responses: { '200': { description: '{ ok, count, problems }' }, ...authErrors } });
  app.get('/api/v1/audit/export', { preHandler: canAudit }, async (_request, reply: FastifyReply) => {
    // Streamed a thousand rows at a time: a log of millions of events never sits in memory whole.
    return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(exportAuditJsonl(ctx.read.db)));
  });
  openapi.add('get', '/api/v1/audit/export', { summary: 'The whole audit log as JSON Lines', tags: ['audit'], security, responses: { '200': { description: 'JSONL', contentType: 'application/x-ndjson' }, ...authErrors } });

  await recordsConsolePages(app, ctx);

  // The retention purge (MAMORI_RECORDS_PURGE_HOURS) is a scheduled job: src/jobs/scheduled-jobs.ts runs it on one instance.
};
