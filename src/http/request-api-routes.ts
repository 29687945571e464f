import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { MamoriError } from '../errors.ts';
import { refusalGroundKeys } from '../law/appi/refusal-grounds.ts';
import { agentProofs, paymentMethods, requestKinds, type AgentProof } from '../policy/schema.ts';
import { checkPaymentWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from '../requests/payment-webhook.ts';
import '../requests/request-errors.ts';
import { fileRequestBody, isAgentProof, isRequestKind, requestServiceFor, toFileRequestInput } from '../requests/request-service.ts';
import { requestStates } from '../requests/request-state.ts';
import type { UploadedFile } from '../requests/request-uploads.ts';
import type { RouteModule } from './route-module.ts';
import { type OpenApiRegistry } from './openapi.ts';
import { anonymousUploads } from './anonymous-uploads.ts';
import type { SpooledFile } from './upload-spool.ts';
import { consumeAssertion } from '../auth/assertion-replay.ts';
import { scheduleUnconfirmedPurge, unconfirmedPurgeIntervalMs } from '../requests/unconfirmed-purge.ts';

import { deadlineSchema, errors, idParams, localized, parse, paymentInstructionsSchema, requesterTimelineSchema, requesterToken, sendFile, staffDocuments, type ServiceOf } from './request-api-kit.ts';
import { staffRoutes } from './request-staff-api-routes.ts';

/**
 * The JSON API of the request workflow: the requester's side (file, verify, status, documents, download), the
 * payment provider's webhook, and the staff API under /api/v1/console/ (API key). Thin: parse with zod, call the
 * service, shape the answer.
 */

const verifyBody = z.union([z.strictObject({ code: z.string().min(1).max(20) }), z.strictObject({ assertion: z.string().min(1).max(4096) })]);

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
  payment: paymentInstructionsSchema.nullable(),
  timeline: requesterTimelineSchema,
});
/** The two fields whose absence or value gets its own error code before the full parse (built once, not per filing). */
const filingPrecheck = z.object({ kind: z.string().optional(), email: z.string().optional() }).loose();
const filedSchema = z.object({ id: z.string(), token: z.string(), state: z.enum(requestStates), codeSent: z.boolean(), statusUrl: z.string() });

export const requestApiRoutes: RouteModule = async (app, ctx, openapi) => {
  const service = () => requestServiceFor(ctx);
  requesterRoutes(app, ctx, openapi, service);
  await webhookRoute(app, ctx, openapi, service);
  staffRoutes(app, ctx, openapi, service);
  scheduleUnconfirmedPurge(app, ctx, unconfirmedPurgeIntervalMs(process.env));
};


function requesterRoutes(app: FastifyInstance, ctx: AppContext, openapi: OpenApiRegistry, service: ServiceOf): void {
  const tags = ['requests'];
  const uploads = anonymousUploads(ctx);

  /** A filing's body (JSON, or the multipart fields) with its proofs on the spool: checked, charged, then filed. */
  async function fileWith(request: FastifyRequest, body: unknown, spooled: readonly SpooledFile[]) {
    for (const file of spooled) {
      if (!isAgentProof(file.field)) throw new MamoriError('MAMORI_VALIDATION_FAILED', `Unknown file field "${file.field}". Name each proof by its kind: ${agentProofs.join(', ')}.`);
    }
    // The usual mistakes get their own codes. A body the schema takes has an email, so only an unknown kind can be
    // one of them: the precheck (a second parse) runs only then or for a refused body.
    const checked = fileRequestBody.safeParse(body ?? {});
    if (!checked.success || !isRequestKind(checked.data.kind)) {
      const pre = filingPrecheck.safeParse(body ?? {});
      if (pre.success && typeof pre.data.kind === 'string' && !isRequestKind(pre.data.kind)) throw new MamoriError('MAMORI_REQUEST_UNKNOWN_KIND', undefined, { kind: pre.data.kind });
      if (pre.success && pre.data.email === undefined) throw new MamoriError('MAMORI_REQUEST_INVALID_EMAIL', 'Please enter your email address.');
    }
    const parsed = checked.success ? checked.data : parse(fileRequestBody, body ?? {});
    await uploads.charge(request, parsed.email, spooled);
    await consumeAssertion(ctx.store.db, ctx.clock, ctx.config.assertionSecret, parsed.assertion);
    return uploads.spool.withBytes(spooled, (files) => {
      const proofs: Array<UploadedFile & { proofKind: AgentProof }> = files.flatMap((f) => (isAgentProof(f.field) ? [{ filename: f.filename, bytes: f.bytes, proofKind: f.field }] : []));
      return service().fileRequest(toFileRequestInput(parsed, proofs), { ip: request.ip });
    });
  }

  app.post('/api/v1/requests', async (request, reply) => {
    if (!request.isMultipart()) return reply.status(201).send(await fileWith(request, request.body, []));
    const filed = await uploads.handle(request, 'refuse', (form) => {
      const f = form.fields;
      const body = {
        kind: f.kind, email: f.email, description: f.description, lang: f.lang || undefined, delivery: f.delivery || undefined, account_id: f.account_id || undefined, assertion: f.assertion || undefined,
        agent: f.agent_kind ? { kind: f.agent_kind, relationship: f.agent_relationship ?? '', name: f.agent_name ?? '' } : undefined,
      };
      return fileWith(request, body, form.files);
    });
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
    await service().checkRequesterToken(id, requesterToken(request));
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
    return uploads.handle(request, 'refuse', async (form) => {
      await service().checkRequesterToken(id, token);
      await uploads.charge(request, undefined, form.files);
      return uploads.spool.withBytes(form.files, (files) => service().uploadDocuments(id, token, staffDocuments(files)));
    });
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
