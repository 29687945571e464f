import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../audit/audit-log.ts';
import type { AppContext } from '../context.ts';
import { MamoriError } from '../errors.ts';
import { refusalGroundKeys } from '../law/appi/refusal-grounds.ts';
import { agentProofs, paymentMethods, requestKinds, type AgentProof } from '../policy/schema.ts';
import { checkPaymentWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from '../requests/payment-webhook.ts';
import '../requests/request-errors.ts';
import {
  confirmClaimBody,
  decisionBody,
  enterRequestBody,
  fileRequestBody,
  gatherEntryBody,
  identifierKind,
  isAgentProof,
  isRequestKind,
  listFilters,
  markPaidBody,
  requestServiceFor,
  toFileRequestInput,
  type StaffDocumentPurpose,
} from '../requests/request-service.ts';
import { requestStates } from '../requests/request-state.ts';
import type { UploadedFile } from '../requests/request-uploads.ts';
import type { RouteModule } from './route-module.ts';
import { errorBody, type OpenApiRegistry } from './openapi.ts';
import { anonymousUploads } from './anonymous-uploads.ts';
import { consumeAssertion } from '../auth/assertion-replay.ts';
import { scheduleUnconfirmedPurge, unconfirmedPurgeIntervalMs } from '../requests/unconfirmed-purge.ts';
import { collectFile, type ByteBudget } from './multipart-form.ts';
import { requireApiKey } from './staff-auth.ts';
import type { StaffPermission } from '../staff/staff-permissions.ts';

/**
 * The JSON API of the request workflow: the requester's side (file, verify, status, documents, download), the
 * payment provider's webhook, and the staff API under /api/v1/console/ (API key). Thin: parse with zod, call the
 * service, shape the answer.
 */

const idParams = z.object({ id: z.string().min(1).max(80) });
const fileParams = z.object({ id: z.string().min(1).max(80), fileId: z.string().min(1).max(80) });
const verifyBody = z.union([z.strictObject({ code: z.string().min(1).max(20) }), z.strictObject({ assertion: z.string().min(1).max(4096) })]);
const tokenHeader = z.string().min(10).max(200);

const deadlineSchema = z.object({ status: z.enum(['not_started', 'paused', 'running', 'overdue']), dueAt: z.string().nullable(), remainingDays: z.number().nullable() });
const localized = z.object({ ja: z.string(), en: z.string() });
const requesterViewSchema = z.object({
  id: z.string(),
  kind: z.enum(requestKinds),
  kindName: localized,
  state: z.enum(requestStates),
  stateLabel: localized,
  createdAt: z.string(),
  next: z.enum(['enter_code', 'pay_fee', 'send_documents']).nullable(),
  documentsRequested: z.string().nullable(),
  fee: z.object({ amount: z.number(), wording: localized, paymentMethods: z.array(z.enum(paymentMethods)), paid: z.boolean() }).nullable(),
  deadline: deadlineSchema,
  decision: z.object({ outcome: z.enum(['full', 'partial', 'refused', 'alternative']), ground: z.enum(refusalGroundKeys).nullable(), groundLabel: localized.nullable(), article: z.string().nullable(), reason: z.string().nullable(), corrections: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })), measure: z.string().nullable(), alternativeMeasure: z.string().nullable(), decidedAt: z.string() }).nullable(),
  delivery: z.object({ format: z.enum(['zip', 'letter']), expiresAt: z.string().nullable(), downloads: z.number(), deliveredAt: z.string() }).nullable(),
});
const filedSchema = z.object({ id: z.string(), token: z.string(), state: z.enum(requestStates), codeSent: z.boolean(), statusUrl: z.string() });
const summarySchema = z.object({ id: z.string(), kind: z.enum(requestKinds), state: z.enum(requestStates), channel: z.string(), lang: z.enum(['ja', 'en']), agent: z.boolean(), createdAt: z.string(), deadline: deadlineSchema, fee: z.object({ amount: z.number(), paid: z.boolean() }).nullable() });
const staffViewSchema = summarySchema.extend({
  email: z.string().nullable(),
  accountId: z.string().nullable(),
  description: z.string(),
  timeline: z.array(z.object({ n: z.number(), at: z.string(), actor: z.string(), action: z.string(), data: z.record(z.string(), z.unknown()) })),
  audit: z.array(z.object({ seq: z.number(), at: z.string(), actor: z.string(), action: z.string(), data: z.record(z.string(), z.unknown()) })),
}).loose();
function errors(...codes: Array<[string, string]>): Record<string, { description: string; schema: z.ZodType }> {
  return Object.fromEntries(codes.map(([status, description]) => [status, { description, schema: errorBody }]));
}

/** Reads the token header, or fails as a wrong token would. */
function requesterToken(request: FastifyRequest): string {
  const parsed = tokenHeader.safeParse(request.headers['x-request-token']);
  if (!parsed.success) throw new MamoriError('MAMORI_REQUEST_TOKEN_INVALID', 'Send the request\'s secret token in the x-request-token header.');
  return parsed.data;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, code = 'MAMORI_VALIDATION_FAILED'): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new MamoriError(code, r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '), { issues: r.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) });
}

interface ReadMultipart {
  fields: Record<string, string>;
  files: Array<UploadedFile & { field: string }>;
}

/** Reads a multipart body into fields and whole files (≤ 10 MB each; bigger is a clear 413). */
async function readMultipart(request: FastifyRequest, budget?: ByteBudget): Promise<ReadMultipart> {
  const fields: Record<string, string> = {};
  const files: ReadMultipart['files'] = [];
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const bytes = await collectFile(part.file, budget);
        if (part.file.truncated) throw new MamoriError('MAMORI_REQUEST_UPLOAD_TOO_LARGE');
        if (part.filename || bytes.length > 0) files.push({ field: part.fieldname, filename: part.filename || 'file', bytes });
      } else if (typeof part.value === 'string') {
        if (part.value.includes('\u0000')) throw new MamoriError('MAMORI_BAD_REQUEST', 'A field contains a NUL character, which is not accepted.');
        fields[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'FST_REQ_FILE_TOO_LARGE') throw new MamoriError('MAMORI_REQUEST_UPLOAD_TOO_LARGE');
    if (err instanceof Error && 'code' in err && (err.code === 'FST_FILES_LIMIT' || err.code === 'FST_FIELDS_LIMIT' || err.code === 'FST_PARTS_LIMIT')) {
      throw new MamoriError('MAMORI_BAD_REQUEST', 'Too many files or fields in one request (at most 10 files).');
    }
    throw err;
  }
  return { fields, files };
}

const staffPurposes: readonly StaffDocumentPurpose[] = ['request_form', 'identity_document', 'agent_proof', 'other'];

/** A staff upload's field name says what it is: an agent proof kind (`power_of_attorney` …) or a purpose. */
function staffDocuments(files: ReadMultipart['files']): Array<UploadedFile & { purpose: StaffDocumentPurpose; proofKind?: AgentProof }> {
  return files.map((f) => {
    if (isAgentProof(f.field)) return { filename: f.filename, bytes: f.bytes, purpose: 'agent_proof' as const, proofKind: f.field };
    const purpose = staffPurposes.find((p) => p === f.field);
    if (!purpose) throw new MamoriError('MAMORI_VALIDATION_FAILED', `Unknown file field "${f.field}". Use request_form, identity_document, other, or an agent proof kind (${agentProofs.join(', ')}).`);
    return { filename: f.filename, bytes: f.bytes, purpose };
  });
}

function actorOf(request: FastifyRequest): Actor {
  const staff = request.staff;
  if (!staff) throw new MamoriError('MAMORI_AUTH_REQUIRED');
  return staff.via === 'api_key' ? `apikey:${staff.id}` : `staff:${staff.id}`;
}

function sendFile(reply: FastifyReply, file: { filename: string; contentType: string; bytes: Buffer }, disposition: 'attachment' | 'inline') {
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `${disposition}; filename="${file.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send(file.bytes);
}

export const requestApiRoutes: RouteModule = async (app, ctx, openapi) => {
  const service = () => requestServiceFor(ctx);
  requesterRoutes(app, ctx, openapi, service);
  await webhookRoute(app, ctx, openapi, service);
  staffRoutes(app, ctx, openapi, service);
  scheduleUnconfirmedPurge(app, ctx, unconfirmedPurgeIntervalMs(process.env));
};

type ServiceOf = () => ReturnType<typeof requestServiceFor>;

function requesterRoutes(app: FastifyInstance, ctx: AppContext, openapi: OpenApiRegistry, service: ServiceOf): void {
  const tags = ['requests'];
  const uploads = anonymousUploads(ctx);

  app.post('/api/v1/requests', async (request, reply) => {
    let body: unknown;
    let proofs: Array<UploadedFile & { proofKind: AgentProof }> = [];
    if (request.isMultipart()) {
      const form = await uploads.read(request, (budget) => readMultipart(request, budget));
      const f = form.fields;
      body = {
        kind: f.kind, email: f.email, description: f.description, lang: f.lang || undefined, delivery: f.delivery || undefined, account_id: f.account_id || undefined, assertion: f.assertion || undefined,
        agent: f.agent_kind ? { kind: f.agent_kind, relationship: f.agent_relationship ?? '', name: f.agent_name ?? '' } : undefined,
      };
      proofs = form.files.map((file) => {
        if (!isAgentProof(file.field)) throw new MamoriError('MAMORI_VALIDATION_FAILED', `Unknown file field "${file.field}". Name each proof by its kind: ${agentProofs.join(', ')}.`);
        return { filename: file.filename, bytes: file.bytes, proofKind: file.field };
      });
    } else body = request.body;
    const pre = z.object({ kind: z.string().optional(), email: z.string().optional() }).loose().safeParse(body ?? {});
    if (pre.success && typeof pre.data.kind === 'string' && !isRequestKind(pre.data.kind)) throw new MamoriError('MAMORI_REQUEST_UNKNOWN_KIND', undefined, { kind: pre.data.kind });
    if (pre.success && pre.data.email === undefined) throw new MamoriError('MAMORI_REQUEST_INVALID_EMAIL', 'Please enter your email address.');
    const parsed = parse(fileRequestBody, body ?? {});
    await uploads.charge(request, parsed.email, proofs);
    await consumeAssertion(ctx.store.db, ctx.clock, ctx.config.assertionSecret, parsed.assertion);
    const filed = await service().fileRequest(toFileRequestInput(parsed, proofs), { ip: request.ip });
    return reply.status(201).send(filed);
  });
  openapi.add('post', '/api/v1/requests', {
    summary: 'File a request (JSON; multipart/form-data when an agent attaches proofs, one file field per proof kind)',
    tags,
    body: fileRequestBody,
    responses: {
      '201': { description: 'Filed. A 6-digit code was mailed unless a valid assertion was sent. Keep `token`: it opens the status.', schema: filedSchema },
      ...errors(['400', 'Invalid email, unknown kind, kind not offered, bad delivery, missing agent proof'], ['401', 'Forged or expired assertion'], ['413', 'A file over 10 MB'], ['415', 'A file that is not PDF, PNG or JPEG'], ['429', 'Too many filings from this address or for this email']),
    },
  });

  app.post('/api/v1/requests/:id/verify', async (request) => {
    const { id } = parse(idParams, request.params);
    const body = parse(verifyBody, request.body ?? {});
    // The request's secret token first, as on the HTML page: without it nobody can burn the person's code tries, and
    // an unknown id and a wrong token get the same answer (the id's existence is not told).
    await service().getForRequester(id, requesterToken(request));
    if ('assertion' in body) await consumeAssertion(ctx.store.db, ctx.clock, ctx.config.assertionSecret, body.assertion);
    return service().verifyRequest(id, body, { ip: request.ip });
  });
  openapi.add('post', '/api/v1/requests/:id/verify', {
    summary: 'Confirm the email with the mailed code, or with a signed assertion from the operator\'s app (send the request token in x-request-token)',
    tags,
    params: idParams,
    body: verifyBody,
    responses: { '200': { description: 'Confirmed; the request moves on', schema: requesterViewSchema }, ...errors(['404', 'Unknown id or wrong token (the same answer)'], ['400', 'Wrong or expired code'], ['401', 'Forged or expired assertion'], ['409', 'Already confirmed (code reused)'], ['429', 'Too many wrong codes: ask for a new one']) },
  });

  app.post('/api/v1/requests/:id/code', async (request, reply) => {
    const { id } = parse(idParams, request.params);
    await service().resendCode(id, requesterToken(request));
    return reply.status(202).send({ sent: true });
  });
  openapi.add('post', '/api/v1/requests/:id/code', { summary: 'Mail a new code (the old one stops working)', tags, params: idParams, security: [{ requesterToken: [] }], responses: { '202': { description: 'A new code was mailed' }, ...errors(['404', 'Bad token'], ['409', 'Already confirmed'], ['429', 'Too many new codes']) } });

  app.get('/api/v1/requests/:id', async (request) => {
    const { id } = parse(idParams, request.params);
    return service().getForRequester(id, requesterToken(request));
  });
  openapi.add('get', '/api/v1/requests/:id', { summary: 'Status of a request: what is needed next, the decision, the download', tags, params: idParams, security: [{ requesterToken: [] }], responses: { '200': { description: 'The request', schema: requesterViewSchema }, ...errors(['404', 'Unknown id or wrong token']) } });

  app.post('/api/v1/requests/:id/withdraw', async (request) => {
    const { id } = parse(idParams, request.params);
    return service().withdraw(id, requesterToken(request));
  });
  openapi.add('post', '/api/v1/requests/:id/withdraw', { summary: 'Withdraw the request', tags, params: idParams, security: [{ requesterToken: [] }], responses: { '200': { description: 'Withdrawn', schema: requesterViewSchema }, ...errors(['409', 'Already decided']) } });

  app.post('/api/v1/requests/:id/documents', async (request) => {
    const { id } = parse(idParams, request.params);
    const token = requesterToken(request);
    if (!request.isMultipart()) throw new MamoriError('MAMORI_UNSUPPORTED_MEDIA_TYPE', 'Send the documents as multipart/form-data.');
    const form = await uploads.read(request, (budget) => readMultipart(request, budget));
    await service().getForRequester(id, token);
    await uploads.charge(request, undefined, form.files);
    return service().uploadDocuments(id, token, staffDocuments(form.files));
  });
  openapi.add('post', '/api/v1/requests/:id/documents', {
    summary: 'Send documents that were asked for (field name: identity_document, other, or an agent proof kind)',
    tags,
    params: idParams,
    security: [{ requesterToken: [] }],
    bodyContentType: 'multipart/form-data',
    body: z.object({ identity_document: z.string().optional(), other: z.string().optional() }),
    responses: { '200': { description: 'Received', schema: requesterViewSchema }, ...errors(['413', 'Over 10 MB'], ['415', 'Not PDF, PNG or JPEG']) },
  });

  const downloadQuery = z.object({ download: z.string().min(10).max(200).optional() });
  app.get('/api/v1/requests/:id/package', async (request, reply) => {
    const { id } = parse(idParams, request.params);
    const { download } = parse(downloadQuery, request.query);
    const file = await service().downloadPackage(id, download ? { downloadToken: download } : { requestToken: requesterToken(request) });
    return sendFile(reply, file, 'attachment');
  });
  openapi.add('get', '/api/v1/requests/:id/package', {
    summary: 'Download the disclosure package (ZIP: index.html, data.json, csv/); by the mailed link (?download=) or the request token. Each download is recorded.',
    tags,
    params: idParams,
    query: downloadQuery,
    responses: { '200': { description: 'The ZIP', contentType: 'application/zip' }, ...errors(['404', 'Bad link'], ['410', 'The link has expired']) },
  });
}

async function webhookRoute(app: FastifyInstance, ctx: AppContext, openapi: OpenApiRegistry, service: ServiceOf): Promise<void> {
  await app.register(async (sub) => {
    // The signature covers the exact bytes, so this route reads the body as text before parsing it.
    sub.removeContentTypeParser('application/json');
    sub.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    sub.post('/api/v1/payments/webhook', async (request) => {
      const secret = ctx.config.paymentWebhookSecret;
      if (!secret) throw new MamoriError('MAMORI_REQUEST_WEBHOOK_NOT_CONFIGURED');
      const raw = typeof request.body === 'string' ? request.body : '';
      const header = request.headers[WEBHOOK_SIGNATURE_HEADER];
      const check = checkPaymentWebhookSignature(secret, raw, typeof header === 'string' ? header : undefined, ctx.clock);
      if (!check.ok) throw new MamoriError('MAMORI_REQUEST_WEBHOOK_SIGNATURE', undefined, { reason: check.reason });
      let payload: unknown;
      try {
        payload = JSON.parse(raw);
      } catch {
        throw new MamoriError('MAMORI_BAD_REQUEST', 'The webhook body is not JSON.');
      }
      const result = await service().recordWebhookPayment(payload);
      return { received: true, requestId: result.requestId, alreadyPaid: result.alreadyPaid };
    });
  });
  openapi.add('post', '/api/v1/payments/webhook', {
    summary: `Payment provider's notice that a fee was paid. Header ${WEBHOOK_SIGNATURE_HEADER}: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>; 5 minutes tolerance; idempotent per reference.`,
    tags: ['payments'],
    body: z.object({ request_id: z.string(), amount: z.number().int(), currency: z.literal('JPY'), method: z.enum(paymentMethods).optional(), reference: z.string() }),
    responses: { '200': { description: 'Recorded (or already recorded)', schema: z.object({ received: z.boolean(), requestId: z.string(), alreadyPaid: z.boolean() }) }, ...errors(['401', 'Bad, missing or stale signature'], ['400', 'Amount or fields wrong'], ['409', 'No fee due, or paid under another reference']) },
  });
}

function staffRoutes(app: FastifyInstance, ctx: AppContext, openapi: OpenApiRegistry, service: ServiceOf): void {
  const tags = ['console'];
  const security = [{ apiKey: [] }];
  // Roles come from the staff domain's permission table, like the console pages.
  const viewers = 'requests.view';
  const enterers = 'requests.enter';
  const handlers = 'requests.handle';
  const deciders = 'requests.decide';
  const auth = (permission: StaffPermission) => ({ preHandler: requireApiKey(ctx, permission) });
  const denied = errors(['401', 'Missing or invalid API key'], ['403', 'The key\'s role does not allow this']);
  const ok = { '204': { description: 'Done' } };

  app.get('/api/v1/console/requests', auth(viewers), async (request) => service().list(actorOf(request), parse(listFilters, request.query)));
  openapi.add('get', '/api/v1/console/requests', { summary: 'The request queue (filters: kind, state, channel, due_before, overdue, scope open/unconfirmed/closed/all, q: number, email, account id or agent name, assignee: staff id or none)', tags, security, query: listFilters, responses: { '200': { description: 'Requests, newest first', schema: z.object({ items: z.array(summarySchema), total: z.number() }) }, ...denied } });

  app.post('/api/v1/console/requests', auth(enterers), async (request, reply) => {
    let fields: unknown;
    let documents: ReturnType<typeof staffDocuments> = [];
    if (request.isMultipart()) {
      const form = await readMultipart(request);
      const f = form.fields;
      fields = {
        kind: f.kind, channel: f.channel, email: f.email || undefined, account_id: f.account_id || undefined, description: f.description, delivery: f.delivery || undefined, lang: f.lang || undefined,
        agent: f.agent_kind ? { kind: f.agent_kind, relationship: f.agent_relationship ?? '', name: f.agent_name ?? '' } : undefined,
      };
      documents = staffDocuments(form.files);
    } else fields = request.body;
    const body = parse(enterRequestBody, fields ?? {});
    if (!isRequestKind(body.kind)) throw new MamoriError('MAMORI_REQUEST_UNKNOWN_KIND');
    const created = await service().enterRequest(actorOf(request), { ...body, kind: body.kind, accountId: body.account_id, documents });
    return reply.status(201).send(created);
  });
  openapi.add('post', '/api/v1/console/requests', {
    summary: 'Enter a request received by post, phone, email or inquiry form (multipart: file fields request_form, identity_document, other, or an agent proof kind)',
    tags,
    security,
    body: enterRequestBody,
    responses: { '201': { description: 'Entered; identity to be confirmed from the documents', schema: z.object({ id: z.string(), token: z.string(), statusUrl: z.string() }) }, ...denied, ...errors(['400', 'Unknown kind, channel not listed, missing agent proof']) },
  });

  app.get('/api/v1/console/requests/:id', auth(viewers), async (request) => service().getForStaff(actorOf(request), parse(idParams, request.params).id));
  openapi.add('get', '/api/v1/console/requests/:id', { summary: 'One request with timeline and audit events (the view is recorded)', tags, security, params: idParams, responses: { '200': { description: 'The request', schema: staffViewSchema }, ...denied } });

  app.get('/api/v1/console/requests/:id/files/:fileId', auth(viewers), async (request, reply) => {
    const { id, fileId } = parse(fileParams, request.params);
    return sendFile(reply, await service().readFile(actorOf(request), id, fileId), 'attachment');
  });
  openapi.add('get', '/api/v1/console/requests/:id/files/:fileId', { summary: 'An attached document, decrypted (the access is recorded)', tags, security, params: fileParams, responses: { '200': { description: 'The file', contentType: 'application/octet-stream' }, ...denied } });

  app.get('/api/v1/console/requests/:id/letter', auth(viewers), async (request, reply) => {
    const htmlText = await service().letterHtml(actorOf(request), parse(idParams, request.params).id);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(htmlText);
  });
  openapi.add('get', '/api/v1/console/requests/:id/letter', { summary: 'Printable letter: the decision notice (incl. 33条3項 notices) and, for paper disclosure, the data', tags, security, params: idParams, responses: { '200': { description: 'HTML', contentType: 'text/html' }, ...denied } });

  app.post('/api/v1/console/requests/:id/documents', auth(handlers), async (request, reply) => {
    const { id } = parse(idParams, request.params);
    if (!request.isMultipart()) throw new MamoriError('MAMORI_UNSUPPORTED_MEDIA_TYPE', 'Send the documents as multipart/form-data.');
    const form = await readMultipart(request);
    await service().attachDocuments(actorOf(request), id, staffDocuments(form.files));
    return reply.status(204).send();
  });
  openapi.add('post', '/api/v1/console/requests/:id/documents', { summary: 'Attach scanned documents', tags, security, params: idParams, bodyContentType: 'multipart/form-data', body: z.object({ identity_document: z.string().optional() }), responses: { ...ok, ...denied } });

  const noteBody = z.strictObject({
    note: z.string().max(500).optional(),
    /** Claimed identifiers the documents also confirm (the note is then required as the reason). */
    claims: z.array(z.strictObject({ kind: identifierKind, value: z.string().trim().min(1).max(254).optional() })).max(10).optional(),
  });
  app.post('/api/v1/console/requests/:id/confirm-identity', auth(handlers), async (request, reply) => {
    const body = parse(noteBody, request.body ?? {});
    await service().confirmIdentity(actorOf(request), parse(idParams, request.params).id, body.note, body.claims ? { claims: body.claims } : undefined);
    return reply.status(204).send();
  });
  openapi.add('post', '/api/v1/console/requests/:id/confirm-identity', { summary: 'Confirm identity and agency from the documents (starts the deadline); `claims` also confirms claimed identifiers, with the note as the reason', tags, security, params: idParams, body: noteBody, responses: { ...ok, ...denied } });

  app.post('/api/v1/console/requests/:id/confirm-claim', auth(handlers), async (request, reply) => {
    await service().confirmClaim(actorOf(request), parse(idParams, request.params).id, parse(confirmClaimBody, request.body ?? {}));
    return reply.status(204).send();
  });
  openapi.add('post', '/api/v1/console/requests/:id/confirm-claim', {
    summary: 'Confirm a claimed identifier (a typed account id, the email of a letter) from documents, with a reason. Until confirmed, a claim never reaches the person\'s data.',
    tags, security, params: idParams, body: confirmClaimBody, responses: { ...ok, ...denied, ...errors(['400', 'Reason missing, or no such claim and no value given']) },
  });

  app.post('/api/v1/console/requests/:id/resolve-identity', auth(handlers), async (request) => service().resolveIdentity(actorOf(request), parse(idParams, request.params).id));
  openapi.add('post', '/api/v1/console/requests/:id/resolve-identity', { summary: 'Ask the connected systems again which identifiers the verified ones belong to (recorded); returns trusted identifiers and claims with their checks', tags, security, params: idParams, responses: { '200': { description: 'The identity picture' }, ...denied } });

  const documentsBody = z.strictObject({ what: z.string().trim().min(1).max(2000) });
  app.post('/api/v1/console/requests/:id/request-documents', auth(handlers), async (request, reply) => {
    await service().requestDocuments(actorOf(request), parse(idParams, request.params).id, parse(documentsBody, request.body ?? {}).what);
    return reply.status(204).send();
  });
  openapi.add('post', '/api/v1/console/requests/:id/request-documents', { summary: 'Ask the requester for documents (the deadline pauses)', tags, security, params: idParams, body: documentsBody, responses: { ...ok, ...denied } });

  app.post('/api/v1/console/requests/:id/payment', auth(handlers), async (request, reply) => {
    await service().markPaid(actorOf(request), parse(idParams, request.params).id, parse(markPaidBody, request.body ?? {}));
    return reply.status(204).send();
  });
  openapi.add('post', '/api/v1/console/requests/:id/payment', { summary: 'Record the fee as paid (bank transfer reference, card …)', tags, security, params: idParams, body: markPaidBody, responses: { ...ok, ...denied } });

  app.post('/api/v1/console/requests/:id/gather', auth(handlers), async (request, reply) => {
    const id = parse(idParams, request.params).id;
    if (request.isMultipart()) {
      const form = await readMultipart(request);
      const ids: string[] = [];
      for (const f of form.files) ids.push(await service().addGatheredFile(actorOf(request), id, f));
      return reply.status(201).send({ files: ids });
    }
    const sectionId = await service().addGatheredData(actorOf(request), id, parse(gatherEntryBody, request.body ?? {}));
    return reply.status(201).send({ section: sectionId });
  });
  openapi.add('post', '/api/v1/console/requests/:id/gather', { summary: 'Add gathered data by hand (JSON section) or as files (multipart)', tags, security, params: idParams, body: gatherEntryBody, responses: { '201': { description: 'Stored (encrypted)' }, ...denied } });

  app.post('/api/v1/console/requests/:id/gather/systems', auth(handlers), async (request) => ({ sections: await service().gatherFromSystems(actorOf(request), parse(idParams, request.params).id) }));
  openapi.add('post', '/api/v1/console/requests/:id/gather/systems', { summary: 'Gather from connected systems (connectors, consent receipts, provision records)', tags, security, params: idParams, responses: { '200': { description: 'How many sections were gathered', schema: z.object({ sections: z.number() }) }, ...denied } });

  app.post('/api/v1/console/requests/:id/decision', auth(deciders), async (request, reply) => {
    await service().decide(actorOf(request), parse(idParams, request.params).id, parse(decisionBody, request.body ?? {}, 'MAMORI_REQUEST_DECISION_INVALID'));
    return reply.status(204).send();
  });
  openapi.add('post', '/api/v1/console/requests/:id/decision', { summary: 'Decide: full, partial, refused (statutory ground + written reason, 36条), or alternative measure', tags, security, params: idParams, body: decisionBody, responses: { ...ok, ...denied, ...errors(['400', 'Ground not valid for the kind, reason missing, decision incomplete']) } });

  app.post('/api/v1/console/requests/:id/deliver', auth(handlers), async (request) => service().deliver(actorOf(request), parse(idParams, request.params).id));
  openapi.add('post', '/api/v1/console/requests/:id/deliver', { summary: 'Deliver a decided disclosure (electronic package with a mailed link, or paper letter)', tags, security, params: idParams, responses: { '200': { description: 'Delivered', schema: z.object({ format: z.enum(['zip', 'letter']), packageId: z.string() }) }, ...denied } });

  app.post('/api/v1/console/requests/:id/close', auth(handlers), async (request, reply) => {
    await service().close(actorOf(request), parse(idParams, request.params).id);
    return reply.status(204).send();
  });
  openapi.add('post', '/api/v1/console/requests/:id/close', { summary: 'Close a delivered or notified request (refused while other domains report open work)', tags, security, params: idParams, responses: { ...ok, ...denied, ...errors(['409', 'Open work remains']) } });

  const rejectBody = z.strictObject({ reason: z.string().trim().min(1).max(2000) });
  app.post('/api/v1/console/requests/:id/reject', auth(deciders), async (request, reply) => {
    await service().rejectUnverified(actorOf(request), parse(idParams, request.params).id, parse(rejectBody, request.body ?? {}).reason);
    return reply.status(204).send();
  });
  openapi.add('post', '/api/v1/console/requests/:id/reject', { summary: 'End a request whose identity could not be confirmed (37条)', tags, security, params: idParams, body: rejectBody, responses: { ...ok, ...denied } });
}
