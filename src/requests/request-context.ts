import { z } from 'zod';
import { appendAudit, appendAuditEvents, type Actor, type AuditEventInput } from '../audit/audit-log.ts';
import { MamoriError } from '../errors.ts';
import { newId } from '../ids.ts';
import { baseDueDate, pauseDeadline, resumeDeadline } from '../law/appi/deadlines.ts';
import { evaluateFee } from '../law/appi/fees.ts';
import { refusalGrounds } from '../law/appi/refusal-grounds.ts';
import { requestKindRules } from '../law/appi/request-kinds.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { paymentNeededMail, type RenderedMail } from '../mail/templates/request-mails.ts';
import { mailHtml } from '../mail/templates/mail-html.ts';
import { localize } from '../policy/load-policy.ts';
import { storeTransaction, type DbOrTrx } from '../store/store.ts';
import { insertRow, preparedStatement } from '../store/prepared-statement.ts';
import type { PackageInput } from '../delivery/disclosure-package.ts';
import { openText, sealText } from '../delivery/sealed-bytes.ts';
import './request-errors.ts';
import type { GatheredSection, RequestHookInfo, RequestHooks } from './request-hooks.ts';
import { assertActionAllowed, requestStateInfo, settledState, type RequestAction, type RequestState } from './request-state.ts';
import { defaultRequestRateLimits, type RequestRateLimits } from './rate-limit.ts';
import { requestToken, sameDigest, sha256Hex } from './request-secrets.ts';
import { checkGatheredUpload, checkUpload, type UploadedFile } from './request-uploads.ts';
import { newPaymentCode, paymentDaysFor, paymentDueAt, paymentInstructionsFor } from './payment-instructions.ts';
import { requesterTimeline } from './requester-timeline.ts';
import type { RequesterTimelineEntry } from './payment-view.ts';
import type { FilePurpose, Lang, StoredDecision } from './request-inputs.ts';
import { decisionOf, deadlineFacts, deadlineView, parseJson, rowKind, rowLang, rowState, statusUrlFor, type Row } from './request-rows.ts';
import type { RequesterView } from './request-views.ts';
import { hookIdentities, identityPicture, resolutionSeeds, type IdentityPicture, type IdentityResolution } from './request-identities.ts';
import type { RequestServiceDeps } from './request-service-api.ts';

// Prepared once: every step of every request records one (see store/prepared-statement.ts).
const insertEvent = preparedStatement(`insert into request_events (id, request_id, n, at, actor, action, data)
  select ?, ?, coalesce(max(n), 0) + 1, ?, ?, ?, ? from request_events where request_id = ?`, { carriesDeferredExcept: 'request_events' });

/**
 * What every stage of the request workflow shares: the collaborators (store, clock, config, policy, hooks) and the
 * small steps they all take (load a request, record a timeline event with its audit event, move the state, mail).
 */
export function createRequestContext(deps: RequestServiceDeps) {
  const { store, clock, config, policy } = deps;
  const limits: RequestRateLimits = { ...defaultRequestRateLimits, ...deps.limits };
  const pendingAudits = new WeakMap<DbOrTrx, AuditEventInput[]>();

  /* ---------- small helpers ---------- */

  // A filing needs its request's status token three times (the answer, the stored hash, the code mail's link): each
  // an HMAC, which showed in a filing's profile. The token depends only on the secret and the id, so the last few are
  // kept (the secret is in memory anyway; a token is no more secret than it).
  const recentTokens = new Map<string, string>();
  const statusToken = (id: string): string => {
    let token = recentTokens.get(id);
    if (token === undefined) {
      token = requestToken(config.secret, id);
      if (recentTokens.size >= 256) recentTokens.delete(recentTokens.keys().next().value!);
      recentTokens.set(id, token);
    }
    return token;
  };
  const tokenHash = (id: string) => sha256Hex(statusToken(id));
  const statusUrl = (id: string) => statusUrlFor(config.baseUrl, id, statusToken(id));

  async function load(db: DbOrTrx, id: string, forUpdate: boolean): Promise<Row> {
    let q = db.selectFrom('requests').selectAll().where('id', '=', id);
    if (forUpdate && store.dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw new MamoriError('MAMORI_REQUEST_NOT_FOUND');
    return row;
  }

  function checkToken(row: Row, token: string): void {
    if (!row.token_hash || !sameDigest(row.token_hash, sha256Hex(token))) throw new MamoriError('MAMORI_REQUEST_TOKEN_INVALID');
  }

  async function loadByToken(db: DbOrTrx, id: string, token: string, forUpdate: boolean): Promise<Row> {
    let row: Row;
    try {
      row = await load(db, id, forUpdate);
    } catch (err) {
      // Same answer for an unknown id and a wrong token: the link reveals nothing.
      if (err instanceof MamoriError && err.code === 'MAMORI_REQUEST_NOT_FOUND') throw new MamoriError('MAMORI_REQUEST_TOKEN_INVALID');
      throw err;
    }
    checkToken(row, token);
    return row;
  }

  /**
   * One timeline row plus its audit event, in the caller's transaction. `notes` (staff free text, which may name
   * people) go to the request's own timeline only, never into the audit chain.
   */
  async function record(trx: DbOrTrx, requestId: string, actor: Actor, action: string, data: Record<string, unknown> = {}, notes: Record<string, string> = {}): Promise<void> {
    const at = clock.now().toISOString();
    // The next number in the same statement (the request row is locked, so no two writers race for it).
    await insertEvent.run(trx, [newId('rev'), requestId, at, actor, action, JSON.stringify({ ...data, ...notes }), requestId]);
    await recordAudit(trx, requestId, actor, action, data);
  }

  /**
   * `record` for the first event of a request inserted in the same transaction: its number is 1 without reading the
   * timeline, so the insert reads nothing (on PostgreSQL it waits and travels with the next statement).
   */
  async function recordFirst(trx: DbOrTrx, requestId: string, actor: Actor, action: string, data: Record<string, unknown>): Promise<void> {
    await insertRow(trx, 'request_events', { id: newId('rev'), request_id: requestId, n: 1, at: clock.now().toISOString(), actor, action, data: JSON.stringify(data) });
    await recordAudit(trx, requestId, actor, action, data);
  }

  async function recordAudit(trx: DbOrTrx, requestId: string, actor: Actor, action: string, data: Record<string, unknown>): Promise<void> {
    const audit: AuditEventInput = { actor, action: `request.${action}`, targetType: 'request', targetId: requestId, data };
    const pending = pendingAudits.get(trx);
    if (pending) pending.push(audit);
    else await appendAudit(trx, clock, audit);
  }

  async function mail(trx: DbOrTrx, row: Row, topic: string, rendered: RenderedMail): Promise<void> {
    if (!row.email) return; // e.g. a postal request answered by letter
    const html = mailHtml(rendered.text, { lang: rowLang(row), service: localize(policy.service.name, rowLang(row)) });
    await enqueueMail(trx, clock, { to: row.email, subject: rendered.subject, text: rendered.text, html, topic: `request.${topic}`, ref: { type: 'request', id: row.id } });
  }

  function mailBase(row: Row) {
    return { lang: rowLang(row), policy, requestId: row.id, kind: rowKind(row), ...(row.token_hash ? { statusUrl: statusUrl(row.id) } : {}) };
  }

  /** Who the request is about: trusted identifiers and the claims beside what they resolved to. */
  async function identityOf(db: DbOrTrx, row: Row): Promise<IdentityPicture> {
    const confirmations = await db.selectFrom('request_identity_confirmations').select(['kind', 'value', 'confirmed_by', 'confirmed_at', 'reason']).where('request_id', '=', row.id).orderBy('confirmed_at').orderBy('id').execute();
    return identityPicture(row, confirmations);
  }

  /** What other domains see: read fresh, so a resolution or a confirmation made since `row` was loaded counts. */
  async function hookInfo(row: Row): Promise<RequestHookInfo> {
    const fresh = await load(store.db, row.id, false);
    const { identities, subjectId } = hookIdentities(await identityOf(store.db, fresh));
    return { id: row.id, kind: rowKind(row), identities, subjectId };
  }

  /**
   * Asks the systems which identifiers they link to the request's verified and staff-confirmed ones, and stores the
   * answer on the request (timeline: counts only). A system that fails is recorded and leaves the result partial;
   * the request itself goes on.
   */
  async function resolveIdentities(id: string, by: Actor): Promise<void> {
    const resolvers = deps.hooks.filter((h) => h.resolveIdentities);
    if (resolvers.length === 0) return;
    const row = await load(store.db, id, false);
    const seeds = resolutionSeeds(await identityOf(store.db, row));
    if (Object.keys(seeds).length === 0) return;
    const found = new Map<string, Set<string>>();
    const unavailable: string[] = [];
    for (const [i, h] of deps.hooks.entries()) {
      if (!h.resolveIdentities) continue;
      try {
        const r = await h.resolveIdentities(seeds);
        for (const [kind, values] of Object.entries(r.found)) for (const v of values) found.set(kind, (found.get(kind) ?? new Set()).add(v));
        unavailable.push(...r.unavailable);
      } catch (err) {
        unavailable.push(`hook:${i}`);
        await transaction(async (trx) => {
          await load(trx, id, true);
          await record(trx, id, 'system', 'hook_failed', { hook: 'resolveIdentities', index: i, error: err instanceof Error ? err.name : 'error' });
        });
      }
    }
    const resolution: IdentityResolution = { at: clock.now().toISOString(), found: Object.fromEntries([...found].map(([k, s]) => [k, [...s].sort()])), unavailable };
    await transaction(async (trx) => {
      const r = await load(trx, id, true);
      const values: Partial<Row> = { resolution_json: JSON.stringify(resolution) };
      await update(trx, id, values);
      const picture = await identityOf(trx, rowAfter(r, values));
      await record(trx, id, by, 'identity_resolved', {
        found: Object.fromEntries(Object.entries(resolution.found).map(([k, v]) => [k, v.length])),
        unavailable: unavailable.length,
        mismatches: picture.claims.filter((c) => c.check === 'mismatch').length,
      });
    });
  }

  /** `resolveIdentities` for the workflow's own steps: never lets a system outage fail the step that called it. */
  async function resolveQuietly(id: string, by: Actor): Promise<void> {
    try {
      await resolveIdentities(id, by);
    } catch {
      // recorded per hook above; a store error here leaves the request unresolved, which staff see as "unchecked"
    }
  }

  /** Runs hooks after the commit; a failing hook is recorded on the timeline and does not undo the change. */
  async function runHooks(row: Row, name: 'onWorkStarted' | 'onDecided', call: (h: RequestHooks) => Promise<void> | undefined): Promise<void> {
    for (const [i, h] of deps.hooks.entries()) {
      try {
        await call(h);
      } catch (err) {
        await transaction(async (trx) => {
          await load(trx, row.id, true);
          await record(trx, row.id, 'system', 'hook_failed', { hook: name, index: i, error: err instanceof Error ? err.name : 'error' });
        });
      }
    }
  }

  function feeDue(row: Row): boolean {
    return row.fee_amount !== null && row.fee_paid_at === null;
  }

  /**
   * Applies a state change: deadline paused while waiting on the requester, resumed when leaving such a state.
   * Returns the update to write.
   */
  function moveTo(row: Row, next: RequestState, now: Date): Partial<Row> {
    // Identity confirmation sets identity_confirmed_at in the same update, so the clock has started in `row` already.
    let facts = deadlineFacts(row);
    if (requestStateInfo[next].pausesDeadline) facts = pauseDeadline(facts, now);
    else facts = resumeDeadline(facts, now);
    return { state: next, paused_since: facts.pausedSince ? facts.pausedSince.toISOString() : null, paused_s: facts.pausedSeconds, due_at: baseDueDate(facts)?.toISOString() ?? null, updated_at: now.toISOString() };
  }

  async function update(trx: DbOrTrx, id: string, values: Partial<Row>): Promise<void> {
    await trx.updateTable('requests').set(values).where('id', '=', id).execute();
  }

  function rowAfter(row: Row, values: Partial<Row>): Row {
    return { ...row, ...values };
  }

  /** Identity is settled: move on to payment or work, with the right mail. Returns the new row. */
  async function settle(trx: DbOrTrx, row: Row, by: Actor, now: Date, extra: Partial<Row>): Promise<Row> {
    const base = rowAfter(row, extra);
    const next = settledState({ identityConfirmed: base.identity_confirmed_at !== null, feeDue: feeDue(base) });
    const values: Partial<Row> = { ...extra, ...moveTo(base, next, now) };
    if (next === 'awaiting_payment' && !base.payment_code) {
      values.payment_code = await newPaymentCode(trx);
      const days = paymentDaysFor(policy, base);
      if (days !== undefined) values.payment_due_at = paymentDueAt(now, days);
    }
    await update(trx, row.id, values);
    const after = rowAfter(row, values);
    await record(trx, row.id, by, 'state_changed', { from: row.state, to: next });
    if (next === 'awaiting_payment') {
      const payment = paymentInstructionsFor(policy, after);
      if (payment) await mail(trx, after, 'payment_needed', paymentNeededMail(mailBase(after), payment));
    }
    return after;
  }

  async function storeFile(trx: DbOrTrx, requestId: string, by: Actor, file: UploadedFile, purpose: FilePurpose, proofKind: string | null): Promise<string> {
    const checked = purpose === 'gathered' ? checkGatheredUpload(file) : checkUpload(file);
    const id = newId('rfile');
    await trx
      .insertInto('request_files')
      .values({
        id,
        request_id: requestId,
        purpose,
        proof_kind: proofKind,
        filename: checked.filename,
        content_type: checked.contentType,
        size: file.bytes.length,
        sha256: sha256Hex(file.bytes),
        sealed: sealText(config.secret, 'request-file', file.bytes),
        uploaded_by: by,
        created_at: clock.now().toISOString(),
      })
      .execute();
    return id;
  }


  async function startedWork(row: Row): Promise<void> {
    const info = await hookInfo(row);
    await runHooks(row, 'onWorkStarted', (h) => h.onWorkStarted?.(info));
  }

  function requesterView(row: Row, pkg: { format: string; expires_at: string | null; download_count: number; created_at: string } | null, documentsRequested: string | null, timeline: RequesterTimelineEntry[] = []): RequesterView {
    const kind = rowKind(row);
    const state = rowState(row);
    const fee = row.fee_amount !== null ? evaluateFee(policy, kind) : { status: 'none' as const };
    const d = decisionOf(row);
    const next: RequesterView['next'] = state === 'awaiting_verification' ? 'enter_code' : state === 'awaiting_payment' ? 'pay_fee' : state === 'awaiting_documents' ? 'send_documents' : null;
    return {
      id: row.id,
      kind,
      kindName: requestKindRules[kind].name,
      state,
      stateLabel: requestStateInfo[state].label,
      createdAt: row.created_at,
      next,
      documentsRequested: state === 'awaiting_documents' ? documentsRequested : null,
      fee: fee.status === 'charged' && row.fee_amount !== null ? { amount: row.fee_amount, wording: fee.wording, paymentMethods: fee.payment, paid: row.fee_paid_at !== null } : null,
      deadline: deadlineView(row, clock.now()),
      decision: d && row.decided_at
        ? { outcome: d.outcome, ground: d.ground, groundLabel: d.ground ? refusalGrounds[d.ground].label : null, article: d.ground ? refusalGrounds[d.ground].article : null, reason: d.reason, corrections: d.corrections, measure: d.measure, alternativeMeasure: d.alternativeMeasure, decidedAt: row.decided_at }
        : null,
      delivery: pkg && row.delivered_at ? { format: pkg.format === 'letter' ? 'letter' : 'zip', expiresAt: pkg.expires_at, downloads: pkg.download_count, deliveredAt: row.delivered_at } : null,
      payment: paymentInstructionsFor(policy, row),
      timeline,
    };
  }

  async function requesterViewOf(db: DbOrTrx, row: Row): Promise<RequesterView> {
    const pkg = await db.selectFrom('request_packages').select(['format', 'expires_at', 'download_count', 'created_at']).where('request_id', '=', row.id).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
    let asked: string | null = null;
    if (row.state === 'awaiting_documents') {
      const ev = await db.selectFrom('request_events').select('data').where('request_id', '=', row.id).where('action', '=', 'documents_requested').orderBy('n', 'desc').limit(1).executeTakeFirst();
      const what = ev ? parseJson(ev.data).what : undefined;
      asked = typeof what === 'string' ? what : null;
    }
    const events = await db.selectFrom('request_events').select(['at', 'action', 'data']).where('request_id', '=', row.id).orderBy('n').execute();
    return requesterView(row, pkg ?? null, asked, requesterTimeline(events));
  }

  /**
   * Runs `fn` in one transaction. Audit events recorded inside are appended at the end: on PostgreSQL the audit
   * chain's lock is then held only for the last statements, not the whole transaction (filings run in parallel).
   */
  async function transaction<T>(fn: (trx: DbOrTrx) => Promise<T>): Promise<T> {
    return storeTransaction(store, async (trx) => {
      const pending: AuditEventInput[] = [];
      pendingAudits.set(trx, pending);
      const result = await fn(trx);
      // One lock, one head read and one head move for all of them: the same chain as one append per event.
      await appendAuditEvents(trx, clock, pending);
      return result;
    });
  }

  /** Loads for update and checks the action is allowed in the current state. */
  async function loadFor(trx: DbOrTrx, id: string, action: RequestAction): Promise<Row> {
    const row = await load(trx, id, true);
    assertActionAllowed(rowState(row), action);
    return row;
  }

  async function storedSections(db: DbOrTrx, id: string): Promise<GatheredSection[]> {
    const rows = await db.selectFrom('request_gathered').selectAll().where('request_id', '=', id).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => {
      const title = z.object({ ja: z.string(), en: z.string() }).parse(JSON.parse(r.title_json));
      const groups = z.array(z.object({ name: z.string(), rows: z.array(z.record(z.string(), z.unknown())) })).parse(JSON.parse(openText(config.secret, 'request-gathered', r.sealed_groups).toString('utf8')));
      return { source: r.source, title, groups };
    });
  }

  async function insertSection(trx: DbOrTrx, id: string, by: Actor, section: GatheredSection): Promise<string> {
    const sid = newId('rgat');
    await trx.insertInto('request_gathered').values({ id: sid, request_id: id, source: section.source, title_json: JSON.stringify(section.title), sealed_groups: sealText(config.secret, 'request-gathered', Buffer.from(JSON.stringify(section.groups))), entered_by: by, created_at: clock.now().toISOString() }).execute();
    return sid;
  }

  function purposesSection(lang: Lang): GatheredSection {
    return {
      source: 'policy:purposes',
      title: { ja: '利用目的', en: 'Purposes of use' },
      groups: [{ name: lang === 'ja' ? '利用目的' : 'purposes', rows: policy.purposes.map((p) => ({ id: p.id, purpose: localize(p.description, lang) })) }],
    };
  }

  async function packageInput(db: DbOrTrx, row: Row, d: StoredDecision): Promise<PackageInput> {
    const kind = rowKind(row);
    const lang = rowLang(row);
    const sections = kind === 'purpose_notice' ? [purposesSection(lang)] : await storedSections(db, row.id);
    const files = kind === 'purpose_notice' ? [] : await db.selectFrom('request_files').selectAll().where('request_id', '=', row.id).where('purpose', '=', 'gathered').orderBy('created_at').execute();
    return {
      lang,
      policy,
      request: { id: row.id, kind, decidedAt: row.decided_at ?? clock.now().toISOString(), outcome: d.outcome, partialNote: d.outcome === 'partial' ? d.reason : null },
      generatedAt: clock.now().toISOString(),
      sections,
      files: files.map((f) => ({ name: f.filename, contentType: f.content_type, bytes: openText(config.secret, 'request-file', f.sealed) })),
    };
  }

  async function gatherHooks(row: Row): Promise<GatheredSection[]> {
    const out: GatheredSection[] = [];
    const info = await hookInfo(row);
    for (const h of deps.hooks) if (h.gather) out.push(...(await h.gather(info)));
    return out;
  }

  return { deps, identityOf, resolveIdentities, resolveQuietly, store, clock, config, policy, limits, statusToken, tokenHash, statusUrl, load, checkToken, loadByToken, record, recordFirst, mail, mailBase, hookInfo, runHooks, feeDue, moveTo, update, rowAfter, settle, storeFile, startedWork, requesterView, requesterViewOf, transaction, loadFor, storedSections, insertSection, purposesSection, packageInput, gatherHooks };
}

/** The one explicit context each stage of the workflow is a set of functions over. */
export type RequestContext = ReturnType<typeof createRequestContext>;
