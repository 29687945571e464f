import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteModule } from './route-module.ts';
import { isMamoriError, MamoriError } from '../errors.ts';
import type { Actor } from '../audit/audit-log.ts';
import { agentKinds, agentProofs, paymentMethods, type AgentProof } from '../policy/schema.ts';
import { confirmClaimBody, decisionBody, isRequestKind, listFilters, markPaidBody, requestServiceFor, staffNoteBody, type EnterRequestInput, type ListFilters, type StaffDocumentPurpose, type StaffRequestSummary } from '../requests/request-service.ts';
import { can } from '../staff/staff-permissions.ts';
import { sweepStaffAlerts } from '../requests/request-staff-alerts.ts';
import { html, type SafeHtml } from '../html/html.ts';
import { readForm } from './multipart-form.ts';
import { listStaffUsers } from '../staff/staff-users.ts';
import { PAGE_CSP } from './page-headers.ts';
import { consoleLang, renderConsolePage, requireStaff, staffActor } from './staff-auth.ts';
import type { ConsoleMessage } from './console-page-parts.ts';
import { consoleFailure, doneWords, failedFields, gatheredWords } from './console-messages.ts';
import { queueBody, queueCsv } from './console-queue-page.ts';
import { workSection } from './console-request-work-section.ts';
import { emptyEntry, entryBody, type EntryValues } from './console-entry-page.ts';
import { requestBody } from './console-request-page.ts';
import { gatheredBody } from './console-gathered-page.ts';

const idParams = z.object({ id: z.string().min(1).max(80) });
const fileParams = z.object({ id: z.string().min(1).max(80), fileId: z.string().min(1).max(80) });

function sendPage(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'same-origin').header('content-security-policy', PAGE_CSP).send(page);
}

function failure(request: FastifyRequest, err: MamoriError): ConsoleMessage {
  return consoleFailure(err, consoleLang(request));
}

function actorOf(request: FastifyRequest): Actor {
  if (!request.staff) throw new MamoriError('MAMORI_AUTH_REQUIRED');
  return staffActor(request.staff);
}

/** Turns the decision form into the service's decision input (the service checks grounds, reasons and measures). */
function decisionFrom(f: Record<string, string>): unknown {
  const s = (k: string) => (f[k] ?? '').trim();
  const outcome = s('outcome');
  const corrections = [1, 2, 3].filter((i) => s(`c${i}_field`) !== '').map((i) => ({ field: s(`c${i}_field`), before: s(`c${i}_before`), after: s(`c${i}_after`) }));
  const methodChange = s('method_change_to') ? { to: s('method_change_to'), reason: s('method_change_reason') } : undefined;
  const opt = <T>(k: string, v: T | undefined) => (v === undefined || v === '' ? {} : { [k]: v });
  switch (outcome) {
    case 'full':
      return { outcome, ...opt('reason', s('reason')), ...(corrections.length ? { corrections } : {}), ...opt('measure', s('measure')), ...opt('measure_note', s('measure_note')), ...opt('accepted_ground', s('accepted_ground')), ...opt('method_change', methodChange) };
    case 'partial':
      return { outcome, ground: s('ground'), reason: s('reason'), ...(corrections.length ? { corrections } : {}), ...opt('measure', s('measure')), ...opt('measure_note', s('measure_note')), ...opt('accepted_ground', s('accepted_ground')), ...opt('method_change', methodChange) };
    case 'refused':
      return { outcome, ground: s('ground'), reason: s('reason') };
    case 'alternative':
      return { outcome, ground: s('ground'), reason: s('reason'), alternative_measure: s('alternative_measure') };
    default:
      return { outcome };
  }
}

/** "item: value" lines → one row. */
function rowsFrom(text: string): Array<Record<string, unknown>> {
  const row: Record<string, unknown> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^:：]+?)\s*[:：]\s*(.*)$/.exec(line);
    if (m?.[1]) row[m[1]] = m[2] ?? '';
    else if (line.trim()) row[`line_${Object.keys(row).length + 1}`] = line.trim();
  }
  return Object.keys(row).length > 0 ? [row] : [];
}

function documentsFrom(files: Array<{ field: string; filename: string; bytes: Buffer }>): EnterRequestInput['documents'] {
  const docs: EnterRequestInput['documents'] = [];
  for (const f of files) {
    const slot = f.field.replace(/^doc_/, '');
    if (slot.startsWith('proof_')) {
      const proof = slot.slice('proof_'.length);
      const kind = (agentProofs as readonly string[]).includes(proof) ? agentProofs.find((p): p is AgentProof => p === proof) : undefined;
      docs.push({ filename: f.filename, bytes: f.bytes, purpose: 'agent_proof', proofKind: kind });
    } else {
      const purposes: Record<string, StaffDocumentPurpose> = { request_form: 'request_form', identity_document: 'identity_document', other: 'other' };
      docs.push({ filename: f.filename, bytes: f.bytes, purpose: purposes[slot] ?? 'other' });
    }
  }
  return docs;
}

/** The console's request workflow pages: queue, request page, staff-entered requests, actions. */
export const consoleRequestRoutes: RouteModule = (app, ctx) => {
  const policy = ctx.policy.policy;
  const service = requestServiceFor(ctx);
  const view = requireStaff(ctx, 'requests.view');
  const enter = requireStaff(ctx, 'requests.enter');
  const handle = requireStaff(ctx, 'requests.handle');
  const decide = requireStaff(ctx, 'requests.decide');

  const page = (request: FastifyRequest, title: string, body: SafeHtml) => renderConsolePage(request, { title, body });

  app.get('/console', { preHandler: view }, async (request, reply) => {
    const ja = consoleLang(request) === 'ja';
    const raw = z.record(z.string(), z.string()).safeParse(request.query);
    const parsed = queueFilters(request);
    const filters: ListFilters = parsed ?? listFilters.parse({ scope: 'open' });
    const message: ConsoleMessage | undefined = parsed ? undefined : { kind: 'error', text: ja ? '絞り込み条件の一部が正しくないため、条件なしで表示しています。' : 'Some filters were invalid, so all requests are shown.', code: 'MAMORI_VALIDATION_FAILED' };
    const result = await service.list(actorOf(request), filters);
    return sendPage(reply, parsed ? 200 : 400, page(request, ja ? '請求一覧' : 'Requests', queueBody(request, policy, filters, result, message, await handlerNames())));
  });

  /** The queue as CSV (the current filters, up to 5,000 rows), for a spreadsheet or a report; no requester data. */
  app.get('/console/requests.csv', { preHandler: view }, async (request, reply) => {
    const filters = queueFilters(request);
    if (!filters) throw new MamoriError('MAMORI_VALIDATION_FAILED', 'Some filters are invalid.');
    const items: StaffRequestSummary[] = [];
    for (let offset = 0; offset < 5000; offset += 200) {
      const pageOf = await service.list(actorOf(request), { ...filters, limit: 200, offset });
      items.push(...pageOf.items);
      if (pageOf.items.length < 200) break;
    }
    const body = queueCsv(policy, items, consoleLang(request), await handlerNames());
    return reply.header('cache-control', 'no-store').header('content-disposition', 'attachment; filename="requests.csv"').type('text/csv; charset=utf-8').send(body);
  });

  /** The queue's filters from the query; the console shows open requests unless a scope is chosen. Null: invalid. */
  function queueFilters(request: FastifyRequest): ListFilters | null {
    const raw = z.record(z.string(), z.string()).safeParse(request.query);
    const cleaned = Object.fromEntries(Object.entries(raw.success ? raw.data : {}).filter(([k, v]) => v.trim() !== '' && k !== 'lang'));
    const parsed = listFilters.safeParse({ scope: 'open', ...cleaned });
    return parsed.success ? parsed.data : null;
  }

  /** Staff who may be assigned requests, by id: their email is how the console names them. */
  async function handlerNames(): Promise<Map<string, string>> {
    return new Map((await listStaffUsers(ctx.read.db)).filter((u) => !u.disabled && can(u.role, 'requests.handle')).map((u) => [u.id as string, u.email]));
  }

  app.get('/console/requests/new', { preHandler: enter }, async (request, reply) => {
    const ja = consoleLang(request) === 'ja';
    return sendPage(reply, 200, page(request, ja ? '請求の登録' : 'Enter a request', entryBody(request, policy, emptyEntry)));
  });

  app.post('/console/requests', { preHandler: enter }, async (request, reply) => {
    const ja = consoleLang(request) === 'ja';
    const form = await readForm(request);
    const f = form.fields;
    const v: EntryValues = {
      channel: f.channel ?? '', kind: f.kind ?? '', lang: f.lang === 'en' ? 'en' : 'ja', email: (f.email ?? '').trim(), accountId: (f.account_id ?? '').trim(),
      description: f.description ?? '', delivery: f.delivery ?? '', agentKind: f.agent_kind ?? '', agentName: (f.agent_name ?? '').trim(), agentRelationship: (f.agent_relationship ?? '').trim(),
    };
    const again = (status: number, m: ConsoleMessage) => sendPage(reply, status, page(request, ja ? '請求の登録' : 'Enter a request', entryBody(request, policy, v, m)));
    if (form.tooLarge.length > 0) return again(413, { kind: 'error', text: ja ? '10MBを超えるファイルがあります。解像度を下げてスキャンし直してください。' : 'A file is over 10 MB. Please scan it again at a lower resolution.', code: 'MAMORI_REQUEST_UPLOAD_TOO_LARGE' });
    if (!isRequestKind(v.kind)) return again(400, { kind: 'error', text: ja ? '請求の種類を選んでください。' : 'Choose the kind of request.', code: 'MAMORI_REQUEST_UNKNOWN_KIND' });
    const agentKind = agentKinds.find((k) => k === v.agentKind);
    if (agentKind && (!v.agentName || !v.agentRelationship)) return again(400, { kind: 'error', text: ja ? '代理人の氏名とご本人との関係を入力してください。' : "Enter the agent's name and relationship.", code: 'MAMORI_VALIDATION_FAILED' });
    try {
      const entered = await service.enterRequest(actorOf(request), {
        kind: v.kind,
        channel: v.channel,
        email: v.email || undefined,
        accountId: v.accountId || undefined,
        description: v.description,
        delivery: v.delivery === 'electronic' || v.delivery === 'paper' ? v.delivery : undefined,
        lang: v.lang === 'en' ? 'en' : 'ja',
        agent: agentKind ? { kind: agentKind, name: v.agentName, relationship: v.agentRelationship } : undefined,
        documents: documentsFrom(form.files),
      });
      return reply.redirect(`/console/requests/${encodeURIComponent(entered.id)}?done=entered`, 303);
    } catch (err) {
      if (isMamoriError(err)) return again(err.status, failure(request, err));
      throw err;
    }
  });

  /** Shows the request page; on an action's failure, shows it again with the message and the error's status. */
  async function showRequest(request: FastifyRequest, reply: FastifyReply, id: string, status = 200, message?: ConsoleMessage): Promise<FastifyReply> {
    const ja = consoleLang(request) === 'ja';
    try {
      const v = await service.getForStaff(actorOf(request), id);
      const names = new Map((await listStaffUsers(ctx.store.db)).map((u) => [u.id as string, u.email]));
      const extra = workSection(request, v, await handlerNames(), names);
      return sendPage(reply, status, page(request, `${ja ? '請求' : 'Request'} ${v.id}`, requestBody(request, policy, v, message, names, { hasGraph: Boolean(ctx.config.graphPath), extra })));
    } catch (err) {
      if (isMamoriError(err) && err.code === 'MAMORI_REQUEST_NOT_FOUND') return notFound(request, reply);
      throw err;
    }
  }

  function notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const ja = consoleLang(request) === 'ja';
    return sendPage(reply, 404, page(request, ja ? '見つかりません' : 'Not found', html`<h1>${ja ? '請求が見つかりません' : 'Request not found'}</h1><p>${ja ? 'この受付番号の請求はありません。一覧から選び直してください。' : 'There is no request with this number. Please choose one from the list.'}</p><p><a href="/console">${ja ? '請求一覧へ' : 'Back to requests'}</a></p><p class="muted"><small>MAMORI_REQUEST_NOT_FOUND</small></p>`));
  }

  app.get('/console/requests/:id', { preHandler: view }, async (request, reply) => {
    const { id } = idParams.parse(request.params);
    return showRequest(request, reply, id, 200, doneMessage(request));
  });

  /** The success message for `?done=<action>` after a redirect from a finished action. */
  function doneMessage(request: FastifyRequest): ConsoleMessage | undefined {
    const q = z.object({ done: z.string().max(40).optional(), n: z.coerce.number().int().min(0).max(100000).optional() }).safeParse(request.query);
    if (!q.success || !q.data.done) return undefined;
    const lang = consoleLang(request);
    if (q.data.done === 'gather-systems') return { kind: 'ok', text: gatheredWords(q.data.n ?? 0, lang) };
    const words = doneWords[q.data.done];
    return words ? { kind: 'ok', text: words[lang] } : undefined;
  }

  /** The gathered data itself, for review before the decision (33条2項). Every view is recorded (counts only). */
  app.get('/console/requests/:id/gathered', { preHandler: view }, async (request, reply) => {
    const ja = consoleLang(request) === 'ja';
    const { id } = idParams.parse(request.params);
    try {
      const v = await service.gatheredForStaff(actorOf(request), id);
      const names = new Map((await listStaffUsers(ctx.store.db)).map((u) => [u.id as string, u.email]));
      return sendPage(reply, 200, page(request, `${ja ? '収集したデータ' : 'Gathered data'} ${v.id}`, gatheredBody(request, v, names)));
    } catch (err) {
      if (isMamoriError(err) && err.code === 'MAMORI_REQUEST_NOT_FOUND') return notFound(request, reply);
      throw err;
    }
  });

  app.get('/console/requests/:id/files/:fileId', { preHandler: view }, async (request, reply) => {
    const { id, fileId } = fileParams.parse(request.params);
    const file = await service.readFile(actorOf(request), id, fileId);
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `inline; filename="${file.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
      .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
      .type(file.contentType)
      .send(file.bytes);
  });

  app.get('/console/requests/:id/letter', { preHandler: view }, async (request, reply) => {
    const { id } = idParams.parse(request.params);
    const letter = await service.letterHtml(actorOf(request), id);
    return reply.header('cache-control', 'no-store').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'").type('text/html; charset=utf-8').send(letter);
  });

  // The fee letter for a requester without email: printed from the request page, the addressee typed there (never stored).
  app.post('/console/requests/:id/payment-letter', { preHandler: handle }, async (request, reply) => {
    const { id } = idParams.parse(request.params);
    const { fields } = await readForm(request);
    const given = (k: string) => (fields[k] ?? '').trim() || null;
    try {
      const letter = await service.paymentLetterHtml(actorOf(request), id, { name: given('addressee_name'), address: given('addressee_address') });
      return reply.header('cache-control', 'no-store').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'").type('text/html; charset=utf-8').send(letter);
    } catch (err) {
      if (isMamoriError(err)) return showRequest(request, reply, id, err.status, failure(request, err));
      throw err;
    }
  });

  /** One staff action: parse, call the service, go back to the request page (PRG), or show the page with the error. */
  function action(path: string, guard: typeof handle, run: (request: FastifyRequest, id: string, fields: Record<string, string>, files: Array<{ field: string; filename: string; bytes: Buffer }>) => Promise<unknown>) {
    app.post(`/console/requests/:id/${path}`, { preHandler: guard }, async (request, reply) => {
      const { id } = idParams.parse(request.params);
      const form = await readForm(request);
      try {
        if (form.tooLarge.length > 0) throw new MamoriError('MAMORI_REQUEST_UPLOAD_TOO_LARGE');
        const outcome = await run(request, id, form.fields, form.files);
        // The page after the redirect says what happened (a count, for gathering, so an empty run is not silent).
        const count = typeof outcome === 'number' ? `&n=${outcome}` : '';
        return reply.redirect(`/console/requests/${encodeURIComponent(id)}?done=${path}${count}#message`, 303);
      } catch (err) {
        if (isMamoriError(err)) return showRequest(request, reply, id, err.status, failure(request, err));
        throw err;
      }
    });
  }

  const invalid = (issues: z.ZodError) => new MamoriError('MAMORI_VALIDATION_FAILED', issues.issues.map((i) => `${i.path.join('.') || 'form'}: ${i.message}`).join('; '), { fields: failedFields(issues.issues) });
  const missing = (...fields: string[]) => new MamoriError('MAMORI_VALIDATION_FAILED', `Fill in: ${fields.join(', ')}.`, { fields });

  action('confirm-identity', handle, (request, id, f) => {
    const claims = Object.entries(f).filter(([k, v]) => k.startsWith('claim_') && v.trim() !== '').map(([k, v]) => ({ kind: k.slice('claim_'.length), value: v.trim() }));
    return service.confirmIdentity(actorOf(request), id, (f.note ?? '').trim() || undefined, claims.length > 0 ? { claims } : undefined);
  });
  action('confirm-claim', handle, async (request, id, f) => {
    const parsed = confirmClaimBody.safeParse({ kind: f.kind ?? '', ...(f.value ? { value: f.value } : {}), reason: f.reason ?? '' });
    if (!parsed.success) throw invalid(parsed.error);
    await service.confirmClaim(actorOf(request), id, parsed.data);
  });
  action('resolve-identity', handle, (request, id) => service.resolveIdentity(actorOf(request), id));
  action('request-documents', handle, async (request, id, f) => {
    const what = (f.what ?? '').trim();
    if (!what) throw missing('what');
    await service.requestDocuments(actorOf(request), id, what);
  });
  action('mark-paid', handle, async (request, id, f) => {
    const amount = (f.amount ?? '').replace(/[,\s円¥]/g, '');
    const parsed = markPaidBody.safeParse({ method: paymentMethods.find((m) => m === f.method) ?? f.method, reference: (f.reference ?? '').trim(), ...(amount ? { amount: Number(amount) } : {}) });
    if (!parsed.success) throw invalid(parsed.error);
    await service.markPaid(actorOf(request), id, parsed.data);
  });
  action('gather', handle, async (request, id, f) => {
    const title = (f.title ?? '').trim();
    const rows = rowsFrom(f.rows ?? '');
    if (!title || rows.length === 0) throw missing(...(title ? [] : ['title']), ...(rows.length === 0 ? ['rows'] : []));
    await service.addGatheredData(actorOf(request), id, { source: 'manual', title: { ja: title, en: title }, groups: [{ name: title, rows }] });
  });
  action('gather-file', handle, async (request, id, _f, files) => {
    const file = files[0];
    if (!file) throw missing('file');
    await service.addGatheredFile(actorOf(request), id, { filename: file.filename, bytes: file.bytes });
  });
  action('gather-systems', handle, (request, id) => service.gatherFromSystems(actorOf(request), id));
  action('decide', decide, async (request, id, f) => {
    const parsed = decisionBody.safeParse(decisionFrom(f));
    if (!parsed.success) throw invalid(parsed.error);
    await service.decide(actorOf(request), id, parsed.data);
  });
  action('deliver', handle, (request, id) => service.deliver(actorOf(request), id));
  action('close', handle, (request, id) => service.close(actorOf(request), id));
  // Refusing an unverified request is a decision (APPI 36条 reasons): the same permission as the API's reject.
  action('reject', decide, async (request, id, f) => {
    const reason = (f.reason ?? '').trim();
    if (!reason) throw new MamoriError('MAMORI_REQUEST_REASON_REQUIRED', undefined, { fields: ['reason'] });
    await service.rejectUnverified(actorOf(request), id, reason);
  });
  action('assign', handle, (request, id, f) => service.assign(actorOf(request), id, { assignee: (f.assignee ?? '').trim() || null }));
  action('note', handle, async (request, id, f) => {
    const parsed = staffNoteBody.safeParse({ text: f.text ?? '' });
    if (!parsed.success) throw invalid(parsed.error);
    await service.addNote(actorOf(request), id, parsed.data);
  });
  action('documents', handle, async (request, id, f, files) => {
    const purposes: Record<string, StaffDocumentPurpose> = { request_form: 'request_form', identity_document: 'identity_document', agent_proof: 'agent_proof', other: 'other' };
    const purpose = purposes[f.purpose ?? ''] ?? 'other';
    if (files.length === 0) throw missing('file');
    await service.attachDocuments(actorOf(request), id, files.map((file) => ({ filename: file.filename, bytes: file.bytes, purpose })));
  });

  // Staff mail: new requests, deadlines within 3 days, webhook callbacks that never came. Every instance may sweep;
  // the alert keys make each mail go out once (see request-staff-alerts.ts). MAMORI_STAFF_ALERT_MINUTES=0 turns it off.
  const minutes = z.coerce.number().min(0).max(24 * 60).catch(15).parse(process.env.MAMORI_STAFF_ALERT_MINUTES ?? 15);
  if (minutes > 0) {
    let timer: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      timer = setInterval(() => {
        sweepStaffAlerts({ store: ctx.store, clock: ctx.clock, policy, baseUrl: ctx.config.baseUrl }).catch((e: unknown) => app.log.error({ err: { type: e instanceof Error ? e.name : 'error' } }, 'staff alert sweep failed'));
      }, minutes * 60_000);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      if (timer) clearInterval(timer);
    });
  }
};
