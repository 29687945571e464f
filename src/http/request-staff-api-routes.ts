import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { MamoriError } from '../errors.ts';
import '../requests/request-errors.ts';
import { assignBody, confirmClaimBody, decisionBody, enterRequestBody, gatherEntryBody, identifierKind, isRequestKind, listFilters, markPaidBody, staffNoteBody } from '../requests/request-service.ts';
import { type OpenApiRegistry } from './openapi.ts';
import { requireApiKey } from './staff-auth.ts';
import type { StaffPermission } from '../staff/staff-permissions.ts';

import { actorOf, errors, fileParams, idParams, parse, readMultipart, sendFile, staffDocuments, staffViewSchema, summarySchema, type ServiceOf } from './request-api-kit.ts';

const noteSchema = z.object({ n: z.number().describe('Position on the request\'s timeline'), at: z.string(), actor: z.string().describe('staff:<id> or apikey:<id>'), text: z.string() });

/** The staff side of the request API under /api/v1/console/ (staff API keys; one permission per route). */
export function staffRoutes(app: FastifyInstance, ctx: AppContext, openapi: OpenApiRegistry, service: ServiceOf): void {
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
  openapi.add('get', '/api/v1/console/requests', { summary: 'The request queue (filters: kind, state, channel, due_before, overdue, scope open/unconfirmed/closed/all, q: number, email, account id, agent name or the 8-digit payment reference, assignee: staff id or none)', tags, security, query: listFilters, responses: { '200': { description: 'Requests, newest first', schema: z.object({ items: z.array(summarySchema), total: z.number() }) }, ...denied } });

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

  // Organising the work: who handles the request, and internal notes (the same permission as the console's forms).
  app.post('/api/v1/console/requests/:id/assign', auth(handlers), async (request, reply) => {
    await service().assign(actorOf(request), parse(idParams, request.params).id, parse(assignBody, request.body ?? {}));
    return reply.status(204).send();
  });
  openapi.add('post', '/api/v1/console/requests/:id/assign', { summary: 'Assign the request to a staff member who handles requests (a staff id), or unassign it (null); recorded on the timeline and in the audit log', tags, security, params: idParams, body: assignBody, responses: { ...ok, ...denied, ...errors(['400', 'Not an active staff member who handles requests (MAMORI_VALIDATION_FAILED)'], ['404', 'No such request (MAMORI_REQUEST_NOT_FOUND)']) } });

  app.get('/api/v1/console/requests/:id/notes', auth(viewers), async (request) => ({ notes: await service().listNotes(actorOf(request), parse(idParams, request.params).id) }));
  openapi.add('get', '/api/v1/console/requests/:id/notes', { summary: 'The request\'s internal notes, oldest first (the view is recorded)', tags, security, params: idParams, responses: { '200': { description: 'The notes', schema: z.object({ notes: z.array(noteSchema) }) }, ...denied, ...errors(['404', 'No such request (MAMORI_REQUEST_NOT_FOUND)']) } });

  app.post('/api/v1/console/requests/:id/notes', auth(handlers), async (request, reply) => {
    await service().addNote(actorOf(request), parse(idParams, request.params).id, parse(staffNoteBody, request.body ?? {}));
    return reply.status(201).send();
  });
  openapi.add('post', '/api/v1/console/requests/:id/notes', { summary: 'Add an internal note (never shown to the requester; its words stay out of the audit log, which records that a note was added)', tags, security, params: idParams, body: staffNoteBody, responses: { '201': { description: 'Added' }, ...denied, ...errors(['400', 'Empty or over 2,000 characters (MAMORI_VALIDATION_FAILED)'], ['404', 'No such request (MAMORI_REQUEST_NOT_FOUND)']) } });

  const rejectBody = z.strictObject({ reason: z.string().trim().min(1).max(2000) });
  app.post('/api/v1/console/requests/:id/reject', auth(deciders), async (request, reply) => {
    await service().rejectUnverified(actorOf(request), parse(idParams, request.params).id, parse(rejectBody, request.body ?? {}).reason);
    return reply.status(204).send();
  });
  openapi.add('post', '/api/v1/console/requests/:id/reject', { summary: 'End a request whose identity could not be confirmed (37条)', tags, security, params: idParams, body: rejectBody, responses: { ...ok, ...denied } });
}
