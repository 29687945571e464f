import { z } from 'zod';
import { sql } from 'kysely';
import { MamoriError } from '../errors.ts';
import { groundsFor } from '../law/appi/refusal-grounds.ts';
import { agentKinds } from '../policy/schema.ts';
import { renderPaperLetter } from '../delivery/paper-letter.ts';
import { renderPaymentLetter } from '../delivery/payment-letter.ts';
import { paymentInstructionsFor } from './payment-instructions.ts';
import { openText } from '../delivery/sealed-bytes.ts';
import './request-errors.ts';
import { requestStateInfo, requestStates } from './request-state.ts';
import { listFilters } from './request-inputs.ts';
import { decisionDelivers, decisionForMail, decisionOf, deadlineView, parseJson, rowKind, rowLang, rowState, type Row } from './request-rows.ts';
import type { StaffRequestSummary } from './request-views.ts';
import type { RequestService } from './request-service-api.ts';
import { storedGrounds } from './request-grounds.ts';
import type { RequestContext } from './request-context.ts';

/** What staff see: the queue, one request with its timeline and audit, gathered data under review, files and letters. Every view of a person's data is recorded. */
export function createStaffViewStage(ctx: RequestContext): Pick<RequestService, 'list' | 'getForStaff' | 'gatheredForStaff' | 'readFile' | 'letterHtml' | 'paymentLetterHtml'> {
  const { identityOf, store, clock, config, policy, load, record, transaction } = ctx;

  return {
    async list(_by, filters) {
      const f = listFilters.parse(filters);
      const now = clock.now().toISOString();
      // A list tolerates a replica's small lag; the request page itself (below) reads the primary.
      let q = (ctx.deps.read ?? store).db.selectFrom('requests');
      if (f.kind) q = q.where('kind', '=', f.kind);
      if (f.state) q = q.where('state', '=', f.state);
      if (f.channel) q = q.where('channel', '=', f.channel);
      if (f.due_before) q = q.where('due_at', '<=', `${f.due_before}T23:59:59.999Z`);
      const openStates = requestStates.filter((s) => requestStateInfo[s].open);
      if (f.overdue === 'true') q = q.where('due_at', '<', now).where('paused_since', 'is', null).where('state', 'in', openStates);
      if (f.overdue === 'false') q = q.where((eb) => eb.or([eb('due_at', 'is', null), eb('due_at', '>=', now), eb('paused_since', 'is not', null), eb('state', 'not in', openStates)]));
      const finished = requestStates.filter((s) => !requestStateInfo[s].open);
      if (f.scope === 'open') q = q.where('state', 'in', openStates.filter((s) => s !== 'awaiting_verification'));
      if (f.scope === 'unconfirmed') q = q.where('state', '=', 'awaiting_verification');
      if (f.scope === 'closed') q = q.where('state', 'in', finished);
      if (f.assignee === 'none') q = q.where('assignee', 'is', null);
      else if (f.assignee) q = q.where('assignee', '=', f.assignee);
      if (f.q) {
        // Emails are stored as typed; compare case-insensitively. LIKE wildcards in the search are taken literally.
        const needle = f.q.toLowerCase();
        const like = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        q = q.where((eb) => eb.or([
          eb(eb.fn('lower', ['id']), 'like', sql<string>`${like} escape '\\'`),
          eb(eb.fn('lower', ['email']), '=', needle),
          eb(eb.fn('lower', ['account_id']), '=', needle),
          eb(eb.fn('lower', ['agent_name']), 'like', sql<string>`${like} escape '\\'`),
          // The 8-digit payment reference a person typed before their name on a bank transfer (振込名義).
          eb('payment_code', '=', needle.normalize('NFKC').replace(/[\s-]/g, '')),
        ]));
      }
      const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const rows = await q.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(f.limit).offset(f.offset).execute();
      const at = clock.now();
      return { items: rows.map((r) => summary(r, at)), total };
    },

    async getForStaff(by, id) {
      await transaction(async (trx) => {
        await load(trx, id, true);
        await record(trx, id, by, 'viewed');
      });
      const row = await load(store.db, id, false);
      const [events, audit, files, gathered, packages] = await Promise.all([
        store.db.selectFrom('request_events').selectAll().where('request_id', '=', id).orderBy('n').execute(),
        store.db.selectFrom('audit_events').select(['seq', 'at', 'actor', 'action', 'data']).where('target_type', '=', 'request').where('target_id', '=', id).orderBy('seq').execute(),
        store.db.selectFrom('request_files').select(['id', 'purpose', 'proof_kind', 'filename', 'content_type', 'size', 'uploaded_by', 'created_at']).where('request_id', '=', id).orderBy('created_at').execute(),
        store.db.selectFrom('request_gathered').selectAll().where('request_id', '=', id).orderBy('created_at').execute(),
        store.db.selectFrom('request_packages').select(['id', 'format', 'created_at', 'expires_at', 'download_count', 'size']).where('request_id', '=', id).orderBy('created_at').execute(),
      ]);
      const d = decisionOf(row);
      const kind = rowKind(row);
      const agentKind = agentKinds.find((k) => k === row.agent_kind) ?? null;
      return {
        ...summary(row, clock.now()),
        email: row.email,
        accountId: row.account_id,
        identity: await identityOf(store.db, row),
        grounds: storedGrounds(row.grounds_json),
        subjectId: row.subject_id,
        description: row.description,
        delivery: row.delivery === 'paper' || row.delivery === 'electronic' ? row.delivery : null,
        agentApplication: agentKind ? { kind: agentKind, relationship: row.agent_relationship ?? '', name: row.agent_name ?? '' } : null,
        verifiedVia: row.verified_via,
        identityConfirmedAt: row.identity_confirmed_at,
        feePayment: { method: row.fee_payment_method, reference: row.fee_reference, paidAt: row.fee_paid_at },
        payment: paymentInstructionsFor(policy, row),
        decision: d && row.decided_at ? { ...d, decidedAt: row.decided_at } : null,
        allowedGrounds: groundsFor(kind),
        files: files.map((f) => ({ id: f.id, purpose: f.purpose, proofKind: f.proof_kind, filename: f.filename, contentType: f.content_type, size: f.size, uploadedBy: f.uploaded_by, createdAt: f.created_at })),
        gathered: gathered.map((g) => {
          const groups = z.array(z.object({ rows: z.array(z.unknown()) })).parse(JSON.parse(openText(config.secret, 'request-gathered', g.sealed_groups).toString('utf8')));
          return { id: g.id, source: g.source, title: z.object({ ja: z.string(), en: z.string() }).parse(JSON.parse(g.title_json)), groupCount: groups.length, rowCount: groups.reduce((n, x) => n + x.rows.length, 0), enteredBy: g.entered_by, createdAt: g.created_at };
        }),
        packages: packages.map((p) => ({ id: p.id, format: p.format, createdAt: p.created_at, expiresAt: p.expires_at, downloads: p.download_count, size: p.size })),
        timeline: events.map((e) => ({ n: e.n, at: e.at, actor: e.actor, action: e.action, data: parseJson(e.data) })),
        audit: audit.map((a) => ({ seq: a.seq, at: a.at, actor: a.actor, action: a.action, data: parseJson(a.data) })),
      };
    },

    async gatheredForStaff(by, id) {
      return transaction(async (trx) => {
        const r = await load(trx, id, true);
        const rows = await trx.selectFrom('request_gathered').selectAll().where('request_id', '=', id).orderBy('created_at').orderBy('id').execute();
        const files = await trx.selectFrom('request_files').select(['id', 'filename', 'content_type', 'size', 'created_at']).where('request_id', '=', id).where('purpose', '=', 'gathered').orderBy('created_at').execute();
        const sections = rows.map((g) => ({
          id: g.id,
          source: g.source,
          title: z.object({ ja: z.string(), en: z.string() }).parse(JSON.parse(g.title_json)),
          groups: z.array(z.object({ name: z.string(), rows: z.array(z.record(z.string(), z.unknown())) })).parse(JSON.parse(openText(config.secret, 'request-gathered', g.sealed_groups).toString('utf8'))),
          enteredBy: g.entered_by,
          createdAt: g.created_at,
        }));
        // Counts only: the data itself never goes into the timeline or the audit chain.
        await record(trx, id, by, 'gathered_viewed', { sections: sections.length, rows: sections.reduce((n, s) => n + s.groups.reduce((m, g) => m + g.rows.length, 0), 0), files: files.length });
        return {
          id,
          kind: rowKind(r),
          state: rowState(r),
          sections,
          files: files.map((f) => ({ id: f.id, filename: f.filename, contentType: f.content_type, size: f.size, createdAt: f.created_at })),
        };
      });
    },

    async readFile(by, id, fileId) {
      return transaction(async (trx) => {
        await load(trx, id, true);
        const f = await trx.selectFrom('request_files').selectAll().where('id', '=', fileId).where('request_id', '=', id).executeTakeFirst();
        if (!f) throw new MamoriError('MAMORI_NOT_FOUND', 'No such file on this request.');
        await record(trx, id, by, 'file_viewed', { file: fileId });
        return { filename: f.filename, contentType: f.content_type, bytes: openText(config.secret, 'request-file', f.sealed) };
      });
    },

    async letterHtml(by, id) {
      return transaction(async (trx) => {
        const r = await load(trx, id, true);
        const d = decisionOf(r);
        if (!d) throw new MamoriError('MAMORI_REQUEST_STATE_CONFLICT', 'There is no decision to put in a letter yet.');
        await record(trx, id, by, 'letter_viewed');
        const pkg = await trx.selectFrom('request_packages').selectAll().where('request_id', '=', id).where('format', '=', 'letter').orderBy('created_at', 'desc').limit(1).executeTakeFirst();
        if (pkg) return openText(config.secret, 'request-package', pkg.sealed).toString('utf8');
        return renderPaperLetter({ lang: rowLang(r), policy, request: { id, kind: rowKind(r) }, date: clock.now().toISOString(), addressee: r.agent_name, decision: decisionForMail(d, decisionDelivers(rowKind(r), d.outcome), rowLang(r)) });
      });
    },

    async paymentLetterHtml(by, id, addressee) {
      const over = [addressee?.name, addressee?.address].some((v) => (v?.length ?? 0) > 500);
      if (over) throw new MamoriError('MAMORI_VALIDATION_FAILED', 'The addressee’s name and address are up to 500 characters each.');
      return transaction(async (trx) => {
        const r = await load(trx, id, true);
        const payment = paymentInstructionsFor(policy, r);
        if (rowState(r) !== 'awaiting_payment' || !payment || payment.paid) throw new MamoriError('MAMORI_REQUEST_STATE_CONFLICT', 'No fee is waiting to be paid on this request.');
        const now = clock.now().toISOString();
        // What the letter asked for, not to whom: the name and address stay on paper.
        await record(trx, id, by, 'payment_letter_issued', { amount: payment.amount, reference: payment.reference, due_at: payment.dueAt });
        return renderPaymentLetter({ lang: rowLang(r), policy, request: { id, kind: rowKind(r) }, date: now, addressee: { name: addressee?.name || r.agent_name, address: addressee?.address || null }, payment });
      });
    },
  };


  function summary(r: Row, now: Date): StaffRequestSummary {
    return {
      id: r.id,
      kind: rowKind(r),
      state: rowState(r),
      channel: r.channel,
      lang: rowLang(r),
      agent: r.agent_kind !== null,
      createdAt: r.created_at,
      deadline: deadlineView(r, now),
      fee: r.fee_amount !== null ? { amount: r.fee_amount, paid: r.fee_paid_at !== null } : null,
      assignee: r.assignee ?? null,
    };
  }
}
