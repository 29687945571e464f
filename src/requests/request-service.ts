import { z } from 'zod';
import { sql } from 'kysely';
import { appendAudit, type Actor, type AuditEventInput } from '../audit/audit-log.ts';
import { verifyAssertion, type AssertionPayload } from '../auth/signed-assertion.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { AppContext } from '../context.ts';
import { MamoriError } from '../errors.ts';
import { newId, newSecretToken } from '../ids.ts';
import { baseDueDate, deadlineStatus, dueDate, pauseDeadline, resumeDeadline, targetDaysFor, type DeadlineFacts, type DeadlineStatus } from '../law/appi/deadlines.ts';
import { evaluateFee } from '../law/appi/fees.ts';
import { groundsFor, refusalGrounds, refusalGroundKeys, type RefusalGround } from '../law/appi/refusal-grounds.ts';
import { requestKindRules } from '../law/appi/request-kinds.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { codeMail, decidedMail, deliveredMail, documentsNeededMail, paymentNeededMail, receivedMail, type DecisionForMail, type RenderedMail } from '../mail/templates/request-mails.ts';
import { agentKinds, agentProofs, paymentMethods, requestKinds, type AgentKind, type AgentProof, type PaymentMethod, type Policy, type RequestKind, type RequestProcedure } from '../policy/schema.ts';
import { localize } from '../policy/load-policy.ts';
import type { DbOrTrx, Store } from '../store/store.ts';
import { buildDisclosurePackage, type PackageInput } from '../delivery/disclosure-package.ts';
import { renderPaperLetter } from '../delivery/paper-letter.ts';
import { openText, sealText } from '../delivery/sealed-bytes.ts';
import './request-errors.ts';
import type { GatheredSection, RequestHookInfo, RequestHooks } from './request-hooks.ts';
import { assertActionAllowed, isRequestState, requestStateInfo, requestStates, settledState, type RequestAction, type RequestState } from './request-state.ts';
import { defaultRequestRateLimits, emailRateKey, hitRateLimit, rateBucket, requestRateLimitsFromEnv, type RequestRateLimits } from './rate-limit.ts';
import { CODE_MAX_ATTEMPTS, CODE_TTL_MS, hashEmailCode, newEmailCode, requestToken, sameDigest, sha256Hex } from './request-secrets.ts';
import { checkUpload, type UploadedFile } from './request-uploads.ts';
import type { RequestTable } from './request-tables.ts';

/* ------------------------------------------------------------------------------------------------------------------
 * Inputs (parsed with zod at the edge; the service parses again so it can be called from anywhere)
 * ---------------------------------------------------------------------------------------------------------------- */

export type Lang = 'ja' | 'en';
export type DeliveryChoice = 'electronic' | 'paper';

/** An agent (代理人) applying for the person (37条). */
export interface AgentApplication {
  kind: AgentKind;
  /** The agent's relationship to the person, in their words (e.g. 母, 弁護士). */
  relationship: string;
  name: string;
  proofs: Array<UploadedFile & { proofKind: AgentProof }>;
}

/** A request filed by the person (or their agent) in the privacy center or through the API. */
export interface FileRequestInput {
  kind: RequestKind;
  email: string;
  accountId?: string | undefined;
  description: string;
  delivery?: DeliveryChoice | undefined;
  lang: Lang;
  agent?: AgentApplication | undefined;
  /** A signed assertion from the operator's app: verifies the email without a code. */
  assertion?: string | undefined;
}

const emailSchema = z.email().max(254);

/** The JSON fields of `POST /api/v1/requests` (agent proofs come as multipart files). */
export const fileRequestBody = z.strictObject({
  kind: z.string().min(1).max(40),
  email: z.string().max(254),
  account_id: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(5000).default(''),
  delivery: z.enum(['electronic', 'paper']).optional(),
  lang: z.enum(['ja', 'en']).default('ja'),
  agent: z
    .strictObject({
      kind: z.enum(agentKinds),
      relationship: z.string().trim().min(1).max(200),
      name: z.string().trim().min(1).max(200),
    })
    .optional(),
  assertion: z.string().min(1).max(4096).optional(),
});
export type FileRequestBody = z.infer<typeof fileRequestBody>;

/** Turns the checked JSON fields and uploaded proofs into a service input, with stable codes for the usual mistakes. */
export function toFileRequestInput(body: FileRequestBody, proofs: Array<UploadedFile & { proofKind: AgentProof }>): FileRequestInput {
  if (!isRequestKind(body.kind)) throw new MamoriError('MAMORI_REQUEST_UNKNOWN_KIND', undefined, { kind: body.kind });
  return {
    kind: body.kind,
    email: body.email,
    accountId: body.account_id,
    description: body.description,
    delivery: body.delivery,
    lang: body.lang,
    assertion: body.assertion,
    agent: body.agent ? { ...body.agent, proofs } : undefined,
  };
}

export function isRequestKind(value: string): value is RequestKind {
  return (requestKinds as readonly string[]).includes(value);
}

export function isAgentProof(value: string): value is AgentProof {
  return (agentProofs as readonly string[]).includes(value);
}

/** A request entered by staff from a letter, a call or an inquiry form, with the scanned documents. */
export interface EnterRequestInput {
  kind: RequestKind;
  /** A contact id of the policy listed in the kind's channels (e.g. `postal_office`). */
  channel: string;
  email?: string | undefined;
  accountId?: string | undefined;
  description: string;
  delivery?: DeliveryChoice | undefined;
  lang: Lang;
  agent?: Omit<AgentApplication, 'proofs'> | undefined;
  documents: Array<UploadedFile & { purpose: StaffDocumentPurpose; proofKind?: AgentProof | undefined }>;
}

export type StaffDocumentPurpose = 'request_form' | 'identity_document' | 'agent_proof' | 'other';
export type FilePurpose = StaffDocumentPurpose | 'gathered';

export const enterRequestBody = z.strictObject({
  kind: z.string().min(1).max(40),
  channel: z.string().min(1).max(80),
  email: z.string().max(254).optional(),
  account_id: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(5000).default(''),
  delivery: z.enum(['electronic', 'paper']).optional(),
  lang: z.enum(['ja', 'en']).default('ja'),
  agent: z.strictObject({ kind: z.enum(agentKinds), relationship: z.string().trim().min(1).max(200), name: z.string().trim().min(1).max(200) }).optional(),
});

/** Measures for suspension / stop-provision decisions (35条). */
export type SuspensionMeasure = 'use_stopped' | 'erased' | 'provision_stopped';
export const suspensionMeasures: Record<SuspensionMeasure, { kinds: readonly RequestKind[]; label: { ja: string; en: string } }> = {
  use_stopped: { kinds: ['suspension'], label: { ja: '利用の停止', en: 'Use stopped' } },
  erased: { kinds: ['suspension'], label: { ja: '消去', en: 'Erased' } },
  provision_stopped: { kinds: ['stop_provision'], label: { ja: '第三者への提供の停止', en: 'Provision to third parties stopped' } },
};
const suspensionMeasureKeys = Object.keys(suspensionMeasures) as [SuspensionMeasure, ...SuspensionMeasure[]];

const correction = z.strictObject({ field: z.string().trim().min(1).max(200), before: z.unknown(), after: z.unknown() });
const methodChange = z.strictObject({ to: z.enum(['paper', 'electronic']), reason: z.string().trim().min(1).max(2000) });
const ground = z.enum(refusalGroundKeys);

/** A decision (36条: a written reason whenever we refuse or act differently). */
export const decisionBody = z.discriminatedUnion('outcome', [
  z.strictObject({
    outcome: z.literal('full'),
    reason: z.string().trim().max(5000).optional(),
    corrections: z.array(correction).max(200).optional(),
    measure: z.enum(suspensionMeasureKeys).optional(),
    measure_note: z.string().trim().max(2000).optional(),
    method_change: methodChange.optional(),
  }),
  z.strictObject({
    outcome: z.literal('partial'),
    ground,
    reason: z.string().trim().max(5000),
    corrections: z.array(correction).max(200).optional(),
    measure: z.enum(suspensionMeasureKeys).optional(),
    measure_note: z.string().trim().max(2000).optional(),
    method_change: methodChange.optional(),
  }),
  z.strictObject({ outcome: z.literal('refused'), ground, reason: z.string().trim().max(5000) }),
  z.strictObject({ outcome: z.literal('alternative'), ground, reason: z.string().trim().max(5000), alternative_measure: z.string().trim().max(2000) }),
]);
export type DecisionInput = z.infer<typeof decisionBody>;

/** What is stored of a decision. */
export interface StoredDecision {
  outcome: 'full' | 'partial' | 'refused' | 'alternative';
  ground: RefusalGround | null;
  reason: string | null;
  corrections: Array<{ field: string; before: unknown; after: unknown }>;
  measure: SuspensionMeasure | null;
  measureNote: string | null;
  alternativeMeasure: string | null;
  methodChange: { to: DeliveryChoice; reason: string } | null;
  decidedBy: string;
}

const storedDecision = z.object({
  outcome: z.enum(['full', 'partial', 'refused', 'alternative']),
  ground: ground.nullable(),
  reason: z.string().nullable(),
  corrections: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
  measure: z.enum(suspensionMeasureKeys).nullable(),
  measureNote: z.string().nullable(),
  alternativeMeasure: z.string().nullable(),
  methodChange: z.object({ to: z.enum(['paper', 'electronic']), reason: z.string() }).nullable(),
  decidedBy: z.string(),
});

export const markPaidBody = z.strictObject({
  method: z.enum(paymentMethods),
  reference: z.string().trim().min(1).max(200),
  amount: z.number().int().positive().optional(),
});

export const gatherEntryBody = z.strictObject({
  source: z.string().regex(/^[a-z][a-z0-9_:.-]{0,60}$/).default('manual'),
  title: z.strictObject({ ja: z.string().min(1).max(200), en: z.string().min(1).max(200) }),
  groups: z.array(z.strictObject({ name: z.string().min(1).max(200), rows: z.array(z.record(z.string(), z.unknown())).max(10000) })).min(1).max(100),
});

export const listFilters = z.strictObject({
  kind: z.enum(requestKinds).optional(),
  state: z.enum(['awaiting_verification', 'verified', 'awaiting_payment', 'awaiting_documents', 'in_progress', 'decided', 'delivered', 'notified', 'closed', 'withdrawn', 'rejected_unverified']).optional(),
  channel: z.string().max(80).optional(),
  /** Due on or before this date (YYYY-MM-DD, end of that day UTC). */
  due_before: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListFilters = z.infer<typeof listFilters>;

/* ------------------------------------------------------------------------------------------------------------------
 * Outputs
 * ---------------------------------------------------------------------------------------------------------------- */

export interface FiledRequest {
  id: string;
  /** The secret for the status link and `x-request-token`; shown once to the requester, sent in every mail. */
  token: string;
  state: RequestState;
  /** A code was mailed and must be entered (no assertion). */
  codeSent: boolean;
  statusUrl: string;
}

export interface DeadlineView {
  status: DeadlineStatus['kind'];
  dueAt: string | null;
  remainingDays: number | null;
}

export interface RequesterView {
  id: string;
  kind: RequestKind;
  kindName: { ja: string; en: string };
  state: RequestState;
  stateLabel: { ja: string; en: string };
  createdAt: string;
  /** What the requester must do next, if anything. */
  next: 'enter_code' | 'pay_fee' | 'send_documents' | null;
  documentsRequested: string | null;
  fee: { amount: number; wording: { ja: string; en: string }; paymentMethods: PaymentMethod[]; paid: boolean } | null;
  deadline: DeadlineView;
  decision: { outcome: StoredDecision['outcome']; ground: RefusalGround | null; groundLabel: { ja: string; en: string } | null; article: string | null; reason: string | null; corrections: StoredDecision['corrections']; measure: SuspensionMeasure | null; alternativeMeasure: string | null; decidedAt: string } | null;
  delivery: { format: 'zip' | 'letter'; expiresAt: string | null; downloads: number; deliveredAt: string } | null;
}

export interface TimelineEntry {
  n: number;
  at: string;
  actor: string;
  action: string;
  data: Record<string, unknown>;
}

export interface StaffRequestSummary {
  id: string;
  kind: RequestKind;
  state: RequestState;
  channel: string;
  lang: Lang;
  agent: boolean;
  createdAt: string;
  deadline: DeadlineView;
  fee: { amount: number; paid: boolean } | null;
}

export interface StaffRequestView extends StaffRequestSummary {
  email: string | null;
  accountId: string | null;
  subjectId: string | null;
  description: string;
  delivery: DeliveryChoice | null;
  agentApplication: { kind: AgentKind; relationship: string; name: string } | null;
  verifiedVia: string | null;
  identityConfirmedAt: string | null;
  feePayment: { method: string | null; reference: string | null; paidAt: string | null };
  decision: (StoredDecision & { decidedAt: string }) | null;
  allowedGrounds: RefusalGround[];
  files: Array<{ id: string; purpose: string; proofKind: string | null; filename: string; contentType: string; size: number; uploadedBy: string; createdAt: string }>;
  gathered: Array<{ id: string; source: string; title: { ja: string; en: string }; groupCount: number; rowCount: number; enteredBy: string; createdAt: string }>;
  packages: Array<{ id: string; format: string; createdAt: string; expiresAt: string | null; downloads: number; size: number }>;
  timeline: TimelineEntry[];
  audit: Array<{ seq: number; at: string; actor: string; action: string; data: Record<string, unknown> }>;
}

/** Gathered data, decrypted, as staff review it before deciding what to disclose (33条2項). */
export interface StaffGatheredView {
  id: string;
  kind: RequestKind;
  state: RequestState;
  sections: Array<{ id: string; source: string; title: { ja: string; en: string }; groups: GatheredSection['groups']; enteredBy: string; createdAt: string }>;
  /** Gathered files (exports without a connector): listed, opened through the file route (recorded there). */
  files: Array<{ id: string; filename: string; contentType: string; size: number; createdAt: string }>;
}

export interface PackageDownload {
  filename: string;
  contentType: string;
  bytes: Buffer;
}

/* ------------------------------------------------------------------------------------------------------------------
 * The service
 * ---------------------------------------------------------------------------------------------------------------- */

export interface RequestServiceDeps {
  store: Store;
  clock: Clock;
  config: Pick<Config, 'secret' | 'baseUrl' | 'assertionSecret' | 'paymentWebhookSecret' | 'downloadDays'>;
  policy: Policy;
  hooks: readonly RequestHooks[];
  limits?: Partial<RequestRateLimits>;
}

/** Where a request comes from, for rate limits (the IP is only ever hashed). */
export interface CallerMeta {
  ip: string;
}

export interface RequestService {
  /**
   * Files a request from the privacy center or the API. Checks the kind is offered through the privacy center, the
   * email, the delivery choice and any agent proofs; stores everything in one transaction with the timeline event,
   * the audit event and the code mail (or, with a valid assertion, the received mail).
   * @example const { id, token } = await service.fileRequest({ kind: 'disclosure', email: 'a@example.jp', description: '', lang: 'ja' }, { ip });
   */
  fileRequest(input: FileRequestInput, meta: CallerMeta): Promise<FiledRequest>;
  /** Mails a new 6-digit code (the old one stops working). Limited per request and per email. */
  resendCode(id: string, token: string): Promise<void>;
  /**
   * Confirms the email with the mailed code (10 minutes, 5 tries) or a signed assertion from the operator's app.
   * @example await service.verifyRequest(id, { code: '123456' }, { ip });
   */
  verifyRequest(id: string, proof: { code: string } | { assertion: string }, meta: CallerMeta): Promise<RequesterView>;
  /** The requester's view, by the secret token. */
  getForRequester(id: string, token: string): Promise<RequesterView>;
  /** The requester withdraws the request. */
  withdraw(id: string, token: string): Promise<RequesterView>;
  /** The requester sends documents that were asked for (identity, agency, details). */
  uploadDocuments(id: string, token: string, files: Array<UploadedFile & { purpose: StaffDocumentPurpose; proofKind?: AgentProof | undefined }>): Promise<RequesterView>;
  /** Downloads the disclosure package, by the link's download token or the request token; each download is recorded. */
  downloadPackage(id: string, secret: { downloadToken: string } | { requestToken: string }): Promise<PackageDownload>;

  /** Staff enter a request received by post, phone, email or inquiry form, with scanned documents. */
  enterRequest(by: Actor, input: EnterRequestInput): Promise<{ id: string; token: string; statusUrl: string }>;
  /** Staff attach documents to a request (scans, identity documents, agent proofs). */
  attachDocuments(by: Actor, id: string, files: EnterRequestInput['documents']): Promise<void>;
  /** Staff confirm identity (and agency) from the documents: the deadline starts; fee or work follows. */
  confirmIdentity(by: Actor, id: string, note?: string): Promise<void>;
  /** Staff ask the requester for documents; the deadline pauses until staff confirm them. */
  requestDocuments(by: Actor, id: string, what: string): Promise<void>;
  /** Staff record the fee as paid (bank transfer reference, card …); work starts when identity is confirmed. */
  markPaid(by: Actor, id: string, payment: z.infer<typeof markPaidBody>): Promise<void>;
  /** A signed payment webhook (see payment-webhook.ts), already verified by the caller. Idempotent per reference. */
  recordWebhookPayment(payload: unknown): Promise<{ requestId: string; alreadyPaid: boolean }>;
  /** Staff add data they gathered by hand. */
  addGatheredData(by: Actor, id: string, entry: z.infer<typeof gatherEntryBody>): Promise<string>;
  /** Staff add a gathered file (e.g. an export from a system without a connector). */
  addGatheredFile(by: Actor, id: string, file: UploadedFile): Promise<string>;
  /** Asks every registered hook (connectors, consent, provision records) for the person's data and stores it. */
  gatherFromSystems(by: Actor, id: string): Promise<number>;
  /** Decides the request (full, partial, refused with a statutory ground, alternative measure) and notifies. */
  decide(by: Actor, id: string, decision: DecisionInput): Promise<void>;
  /** Delivers a decided disclosure: the electronic package (download link mailed) or the paper letter. */
  deliver(by: Actor, id: string): Promise<{ format: 'zip' | 'letter'; packageId: string }>;
  /** Closes a delivered or notified request, unless another domain still has open work. */
  close(by: Actor, id: string): Promise<void>;
  /** Ends a request whose identity could not be confirmed (37条), notifying the reason. */
  rejectUnverified(by: Actor, id: string, reason: string): Promise<void>;
  /** The queue, with filters. */
  list(by: Actor, filters: ListFilters): Promise<{ items: StaffRequestSummary[]; total: number }>;
  /** One request with its timeline and audit events; the view itself is recorded. */
  getForStaff(by: Actor, id: string): Promise<StaffRequestView>;
  /**
   * The gathered sections with their rows, decrypted, so staff can review what a disclosure would contain (and apply
   * 33条2項 before a partial disclosure). The view is recorded (timeline and audit, counts only) in the same transaction.
   */
  gatheredForStaff(by: Actor, id: string): Promise<StaffGatheredView>;
  /** An attached file, decrypted; the access is recorded. */
  readFile(by: Actor, id: string, fileId: string): Promise<PackageDownload>;
  /** The printable letter (decision notice, and the data for a paper disclosure); the access is recorded. */
  letterHtml(by: Actor, id: string): Promise<string>;
}

type Row = RequestTable;

/** The link a requester follows to see their request. Pages live under the privacy center. */
export function statusUrlFor(baseUrl: string, id: string, token: string): string {
  return `${baseUrl}/privacy-center/requests/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}`;
}

export function downloadUrlFor(baseUrl: string, id: string, downloadToken: string): string {
  return `${baseUrl}/api/v1/requests/${encodeURIComponent(id)}/package?download=${encodeURIComponent(downloadToken)}`;
}

/** Shares one service per app context (the JSON API and the HTML pages use the same). */
const perContext = new WeakMap<object, RequestService>();
/** Rate limits default to MAMORI_REQUEST_LIMITS (see rate-limit.ts) over the built-in ones. */
export function requestServiceFor(ctx: Pick<AppContext, 'store' | 'clock' | 'config' | 'policy' | 'requestHooks'>, limits?: Partial<RequestRateLimits>): RequestService {
  let s = perContext.get(ctx);
  if (!s) {
    s = createRequestService({ store: ctx.store, clock: ctx.clock, config: ctx.config, policy: ctx.policy.policy, hooks: ctx.requestHooks, limits: limits ?? requestRateLimitsFromEnv(process.env) });
    perContext.set(ctx, s);
  }
  return s;
}

function parseJson(text: string): Record<string, unknown> {
  const v: unknown = JSON.parse(text);
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v)) : {};
}

function rowState(row: Row): RequestState {
  if (!isRequestState(row.state)) throw new Error(`request ${row.id} has an unknown state`);
  return row.state;
}

function rowKind(row: Row): RequestKind {
  if (!isRequestKind(row.kind)) throw new Error(`request ${row.id} has an unknown kind`);
  return row.kind;
}

function rowLang(row: Row): Lang {
  return row.lang === 'en' ? 'en' : 'ja';
}

function deadlineFacts(row: Row): DeadlineFacts {
  return {
    startedAt: row.identity_confirmed_at ? new Date(row.identity_confirmed_at) : null,
    targetDays: row.target_days,
    pausedSeconds: Number(row.paused_s),
    pausedSince: row.paused_since ? new Date(row.paused_since) : null,
  };
}

function deadlineView(row: Row, now: Date): DeadlineView {
  if (!requestStateInfo[rowState(row)].open) return { status: 'not_started', dueAt: null, remainingDays: null };
  const facts = deadlineFacts(row);
  const st = deadlineStatus(facts, now);
  const due = dueDate(facts, now);
  const days = (ms: number) => Math.round((ms / 86_400_000) * 10) / 10;
  switch (st.kind) {
    case 'not_started':
      return { status: st.kind, dueAt: null, remainingDays: null };
    case 'paused':
      return { status: st.kind, dueAt: due ? due.toISOString() : null, remainingDays: days(st.remainingMs) };
    case 'running':
      return { status: st.kind, dueAt: st.dueAt.toISOString(), remainingDays: days(st.remainingMs) };
    case 'overdue':
      return { status: st.kind, dueAt: st.dueAt.toISOString(), remainingDays: -days(st.overdueMs) };
    default: {
      const never: never = st;
      return never;
    }
  }
}

function decisionOf(row: Row): StoredDecision | null {
  if (!row.decision_json) return null;
  return storedDecision.parse(JSON.parse(row.decision_json));
}

function decisionForMail(d: StoredDecision, willDeliver: boolean, lang: Lang): DecisionForMail {
  const note = d.measureNote ? (lang === 'ja' ? `（${d.measureNote}）` : ` (${d.measureNote})`) : '';
  const measure = d.measure ? `${suspensionMeasures[d.measure].label[lang]}${note}` : null;
  return { outcome: d.outcome, ground: d.ground, reason: d.reason, corrections: d.corrections, measure, alternativeMeasure: d.alternativeMeasure, methodChange: d.methodChange, willDeliver };
}

function procedureFor(policy: Policy, kind: RequestKind): RequestProcedure | null {
  const p = policy.requests.kinds[kind];
  return p && p.offered ? p : null;
}

/** Whether a decision is answered by sending data (disclosure, purpose notice) rather than by the decision itself. */
function decisionDelivers(kind: RequestKind, outcome: StoredDecision['outcome']): boolean {
  const deliversData: Record<RequestKind, boolean> = { purpose_notice: true, disclosure: true, correction: false, suspension: false, stop_provision: false };
  return deliversData[kind] && (outcome === 'full' || outcome === 'partial');
}

export function createRequestService(deps: RequestServiceDeps): RequestService {
  const { store, clock, config, policy } = deps;
  const limits: RequestRateLimits = { ...defaultRequestRateLimits, ...deps.limits };
  const pendingAudits = new WeakMap<DbOrTrx, AuditEventInput[]>();

  /* ---------- small helpers ---------- */

  const tokenHash = (id: string) => sha256Hex(requestToken(config.secret, id));
  const statusUrl = (id: string) => statusUrlFor(config.baseUrl, id, requestToken(config.secret, id));

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
    await sql`insert into request_events (id, request_id, n, at, actor, action, data)
      select ${newId('rev')}, ${requestId}, coalesce(max(n), 0) + 1, ${at}, ${actor}, ${action}, ${JSON.stringify({ ...data, ...notes })}
      from request_events where request_id = ${requestId}`.execute(trx);
    const audit: AuditEventInput = { actor, action: `request.${action}`, targetType: 'request', targetId: requestId, data };
    const pending = pendingAudits.get(trx);
    if (pending) pending.push(audit);
    else await appendAudit(trx, clock, audit);
  }

  async function mail(trx: DbOrTrx, row: Row, topic: string, rendered: RenderedMail): Promise<void> {
    if (!row.email) return; // e.g. a postal request answered by letter
    await enqueueMail(trx, clock, { to: row.email, subject: rendered.subject, text: rendered.text, topic: `request.${topic}`, ref: { type: 'request', id: row.id } });
  }

  function mailBase(row: Row) {
    return { lang: rowLang(row), policy, requestId: row.id, kind: rowKind(row), ...(row.token_hash ? { statusUrl: statusUrl(row.id) } : {}) };
  }

  function hookInfo(row: Row): RequestHookInfo {
    const identities: Record<string, string> = {};
    if (row.email) identities.email = row.email;
    if (row.account_id) identities.account_id = row.account_id;
    return { id: row.id, kind: rowKind(row), identities, subjectId: row.subject_id ?? row.account_id };
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
    const values = { ...extra, ...moveTo(base, next, now) };
    await update(trx, row.id, values);
    const after = rowAfter(row, values);
    await record(trx, row.id, by, 'state_changed', { from: row.state, to: next });
    if (next === 'awaiting_payment') {
      const fee = evaluateFee(policy, rowKind(after));
      if (fee.status === 'charged') await mail(trx, after, 'payment_needed', paymentNeededMail(mailBase(after), fee));
    }
    return after;
  }

  async function storeFile(trx: DbOrTrx, requestId: string, by: Actor, file: UploadedFile, purpose: FilePurpose, proofKind: string | null): Promise<string> {
    const checked = checkUpload(file);
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

  function checkEmail(email: string): string {
    const trimmed = email.trim();
    if (!emailSchema.safeParse(trimmed).success) throw new MamoriError('MAMORI_REQUEST_INVALID_EMAIL');
    return trimmed;
  }

  function checkDelivery(kind: RequestKind, proc: RequestProcedure, delivery: DeliveryChoice | undefined): DeliveryChoice | null {
    if (!requestKindRules[kind].deliveryChoice) {
      if (delivery) throw new MamoriError('MAMORI_REQUEST_DELIVERY_INVALID', `A delivery method is chosen only for disclosure requests, not for "${kind}".`);
      return null;
    }
    const offered = (proc.delivery ?? ['electronic', 'paper']).filter((d): d is DeliveryChoice => d === 'electronic' || d === 'paper');
    const chosen = delivery ?? offered[0] ?? 'electronic';
    if (!offered.includes(chosen)) throw new MamoriError('MAMORI_REQUEST_DELIVERY_INVALID', `Delivery "${chosen}" is not offered; choose one of: ${offered.join(', ')}.`);
    return chosen;
  }

  function checkAgent(kind: RequestKind, proc: RequestProcedure, agent: { kind: AgentKind } | undefined, proofs: ReadonlyArray<{ proofKind?: AgentProof | undefined }> | null): void {
    if (!agent) return;
    if (!proc.agents.allowed || !proc.agents.kinds.includes(agent.kind)) {
      throw new MamoriError('MAMORI_REQUEST_AGENT_NOT_ALLOWED', `This service does not accept requests of kind "${kind}" from a ${agent.kind.replace('_', ' ')}.`);
    }
    if (proofs === null) return;
    if (proofs.length === 0) {
      throw new MamoriError('MAMORI_REQUEST_AGENT_PROOF_MISSING', `An agent must attach proof of authority. Accepted documents: ${proc.agents.proofs.join(', ') || 'power_of_attorney'}.`);
    }
    for (const p of proofs) {
      if (p.proofKind && proc.agents.proofs.length > 0 && !proc.agents.proofs.includes(p.proofKind)) {
        throw new MamoriError('MAMORI_REQUEST_AGENT_PROOF_MISSING', `"${p.proofKind}" is not among the accepted proofs (${proc.agents.proofs.join(', ')}).`);
      }
    }
    if (agent.kind === 'mandated' && proc.agents.proofs.includes('power_of_attorney') && !proofs.some((p) => p.proofKind === 'power_of_attorney')) {
      throw new MamoriError('MAMORI_REQUEST_AGENT_PROOF_MISSING', 'A mandated agent must attach the power of attorney (委任状).');
    }
  }

  function checkAssertion(token: string): AssertionPayload {
    const result = verifyAssertion(token, config.assertionSecret, clock);
    if (result.ok) return result.payload;
    switch (result.reason) {
      case 'expired':
        throw new MamoriError('MAMORI_REQUEST_ASSERTION_EXPIRED');
      case 'malformed':
      case 'bad_signature':
      case 'unsupported_algorithm':
      case 'not_configured':
        throw new MamoriError('MAMORI_REQUEST_ASSERTION_INVALID', undefined, { reason: result.reason });
      default: {
        const never: never = result.reason;
        return never;
      }
    }
  }

  /** Identity is confirmed by the email alone when the method used is one the procedure accepts and no agent acts. */
  function emailConfirmsIdentity(proc: RequestProcedure, via: 'email_code' | 'app_assertion', agent: boolean): boolean {
    return !agent && proc.identity.includes(via);
  }

  async function issueCode(trx: DbOrTrx, row: Row, fresh: boolean): Promise<void> {
    const code = newEmailCode();
    const now = clock.now();
    if (!fresh) await trx.deleteFrom('request_codes').where('request_id', '=', row.id).execute();
    await trx.insertInto('request_codes').values({ request_id: row.id, code_hash: hashEmailCode(config.secret, row.id, code), created_at: now.toISOString(), expires_at: new Date(now.getTime() + CODE_TTL_MS).toISOString(), attempts: 0, used_at: null }).execute();
    await mail(trx, row, 'code', codeMail(mailBase(row), code, CODE_TTL_MS / 60_000));
  }

  /** Email confirmed (by code or assertion): identity too, when the procedure allows; then payment or work. */
  async function afterEmailVerified(trx: DbOrTrx, row: Row, via: 'email_code' | 'app_assertion', assertion: AssertionPayload | null): Promise<{ row: Row; workStarted: boolean }> {
    const now = clock.now();
    const kind = rowKind(row);
    const proc = procedureFor(policy, kind);
    const confirmed = proc !== null && emailConfirmsIdentity(proc, via, row.agent_kind !== null);
    const actor: Actor = `requester:${row.id}`;
    await record(trx, row.id, actor, 'email_verified', { via });
    const extra: Partial<Row> = { verified_via: via, verified_at: now.toISOString(), ...(assertion ? { subject_id: assertion.sub } : {}), ...(confirmed ? { identity_confirmed_at: now.toISOString() } : {}) };
    const after = await settle(trx, row, actor, now, extra);
    const due = dueDate(deadlineFacts(after), now);
    await mail(trx, after, 'received', receivedMail(mailBase(after), { dueDate: due ? due.toISOString().slice(0, 10) : null, needsDocumentCheck: !confirmed }));
    return { row: after, workStarted: after.state === 'in_progress' };
  }

  async function startedWork(row: Row): Promise<void> {
    await runHooks(row, 'onWorkStarted', (h) => h.onWorkStarted?.(hookInfo(row)));
  }

  function requesterView(row: Row, pkg: { format: string; expires_at: string | null; download_count: number; created_at: string } | null, documentsRequested: string | null): RequesterView {
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
    return requesterView(row, pkg ?? null, asked);
  }

  /**
   * Runs `fn` in one transaction. Audit events recorded inside are appended at the end: on PostgreSQL the audit
   * chain's lock is then held only for the last statements, not the whole transaction (filings run in parallel).
   */
  async function transaction<T>(fn: (trx: DbOrTrx) => Promise<T>): Promise<T> {
    return store.db.transaction().execute(async (trx) => {
      const pending: AuditEventInput[] = [];
      pendingAudits.set(trx, pending);
      const result = await fn(trx);
      for (const audit of pending) await appendAudit(trx, clock, audit);
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
    for (const h of deps.hooks) if (h.gather) out.push(...(await h.gather(hookInfo(row))));
    return out;
  }

  /* ---------- the service ---------- */

  return {
    async fileRequest(input, meta) {
      const kind = input.kind;
      if (!isRequestKind(kind)) throw new MamoriError('MAMORI_REQUEST_UNKNOWN_KIND');
      const proc = procedureFor(policy, kind);
      if (!proc || !proc.channels.includes('privacy_center')) {
        throw new MamoriError('MAMORI_REQUEST_KIND_NOT_OFFERED', `This service does not accept "${requestKindRules[kind].name.en}" requests online.${proc ? ' Please use the contact shown in the privacy policy.' : ''}`, { kind });
      }
      const email = checkEmail(input.email);
      const delivery = checkDelivery(kind, proc, input.delivery);
      checkAgent(kind, proc, input.agent, input.agent ? input.agent.proofs : null);
      for (const p of input.agent?.proofs ?? []) checkUpload(p);
      const assertion = input.assertion ? checkAssertion(input.assertion) : null;
      if (assertion && assertion.email.toLowerCase() !== email.toLowerCase()) throw new MamoriError('MAMORI_REQUEST_ASSERTION_MISMATCH');

      const fee = evaluateFee(policy, kind);
      const now = clock.now();
      const id = newId('req');
      const token = requestToken(config.secret, id);
      const actor: Actor = `requester:${id}`;
      const result = await transaction(async (trx) => {
        const row: Row = {
          id, kind, state: 'awaiting_verification', channel: 'privacy_center', lang: input.lang, email, account_id: input.accountId ?? null, subject_id: null,
          description: input.description, delivery, agent_kind: input.agent?.kind ?? null, agent_relationship: input.agent?.relationship ?? null, agent_name: input.agent?.name ?? null,
          verified_via: null, verified_at: null, identity_confirmed_at: null, token_hash: tokenHash(id), target_days: targetDaysFor(policy, kind), due_at: null, paused_since: null, paused_s: 0,
          fee_amount: fee.status === 'charged' ? fee.amount : null, fee_tax: fee.status === 'charged' ? fee.tax : null, fee_paid_at: null, fee_payment_method: null, fee_reference: null,
          decision_json: null, decided_at: null, delivered_at: null, closed_at: null, entered_by: null, created_at: now.toISOString(), updated_at: now.toISOString(),
        };
        await trx.insertInto('requests').values(row).execute();
        const fileIds: string[] = [];
        for (const p of input.agent?.proofs ?? []) fileIds.push(await storeFile(trx, id, actor, p, 'agent_proof', p.proofKind));
        await record(trx, id, actor, 'filed', {
          kind, channel: 'privacy_center', delivery, agent: input.agent?.kind ?? null, files: fileIds, fee: fee.status === 'charged' ? fee.amount : null,
          ...(fee.status === 'refused_by_law' ? { fee_refused_by_law: fee.article } : {}),
        });
        let outcome: { row: Row; workStarted: boolean; codeSent: boolean };
        if (assertion) outcome = { ...(await afterEmailVerified(trx, row, 'app_assertion', assertion)), codeSent: false };
        else {
          await issueCode(trx, row, true);
          outcome = { row, workStarted: false, codeSent: true };
        }
        // Counted last in the filing's own transaction: one commit per filing, and on PostgreSQL the counter rows stay
        // locked only for the final statements. A refused filing rolls its own hit back, so the count stays at the
        // limit and later filings are refused until the window ends.
        await hitRateLimit(trx, clock, rateBucket(config.secret, 'file-ip', meta.ip), limits.filingsPerIp);
        await hitRateLimit(trx, clock, rateBucket(config.secret, 'file-email', email.toLowerCase()), limits.filingsPerEmail);
        return outcome;
      });
      if (result.workStarted) await startedWork(result.row);
      return { id, token, state: rowState(result.row), codeSent: result.codeSent, statusUrl: statusUrlFor(config.baseUrl, id, token) };
    },

    async resendCode(id, token) {
      const row0 = await loadByToken(store.db, id, token, false);
      assertActionAllowed(rowState(row0), 'resend_code');
      await hitRateLimit(store.db, clock, rateBucket(config.secret, 'new-code', id), limits.newCodesPerRequest);
      if (row0.email) await hitRateLimit(store.db, clock, rateBucket(config.secret, 'new-code-email', emailRateKey(row0.email)), limits.newCodesPerEmail, 'new_codes_for_email');
      await transaction(async (trx) => {
        const row = await loadFor(trx, id, 'resend_code');
        await issueCode(trx, row, false);
        await record(trx, id, `requester:${id}`, 'code_resent');
      });
    },

    async verifyRequest(id, proof, meta) {
      await hitRateLimit(store.db, clock, rateBucket(config.secret, 'code-ip', meta.ip), limits.codeAttemptsPerIp);
      if ('assertion' in proof) {
        const payload = checkAssertion(proof.assertion);
        const result = await transaction(async (trx) => {
          const row = await load(trx, id, true);
          if (row.email?.toLowerCase() !== payload.email.toLowerCase()) throw new MamoriError('MAMORI_REQUEST_ASSERTION_MISMATCH');
          assertActionAllowed(rowState(row), 'verify_email');
          return afterEmailVerified(trx, row, 'app_assertion', payload);
        });
        if (result.workStarted) await startedWork(result.row);
        return requesterViewOf(store.db, result.row);
      }
      if (!/^\d{6}$/.test(proof.code)) throw new MamoriError('MAMORI_REQUEST_CODE_INVALID', 'The code is 6 digits.');
      // Counted per email too, across all of its requests: filing many requests for one address must not multiply
      // the guesses. An unknown id has no email and fails below.
      const target = await store.db.selectFrom('requests').select('email').where('id', '=', id).executeTakeFirst();
      if (target?.email) await hitRateLimit(store.db, clock, rateBucket(config.secret, 'code-email', emailRateKey(target.email)), limits.codeAttemptsPerEmail, 'code_attempts_for_email');
      // A wrong code must count even though the call fails, so the attempt is committed on its own.
      const outcome = await transaction(async (trx) => {
        const row = await load(trx, id, true);
        const state = rowState(row);
        const code = await trx.selectFrom('request_codes').selectAll().where('request_id', '=', id).executeTakeFirst();
        if (state !== 'awaiting_verification' || code?.used_at) return { kind: 'used' as const };
        if (!code) return { kind: 'expired' as const };
        if (code.attempts >= CODE_MAX_ATTEMPTS) return { kind: 'locked' as const };
        if (new Date(code.expires_at).getTime() <= clock.now().getTime()) return { kind: 'expired' as const };
        if (!sameDigest(code.code_hash, hashEmailCode(config.secret, id, proof.code))) {
          await trx.updateTable('request_codes').set({ attempts: code.attempts + 1 }).where('request_id', '=', id).execute();
          await record(trx, id, 'system', 'code_rejected', { attempt: code.attempts + 1 });
          return { kind: 'wrong' as const, left: CODE_MAX_ATTEMPTS - code.attempts - 1 };
        }
        await trx.updateTable('request_codes').set({ used_at: clock.now().toISOString() }).where('request_id', '=', id).execute();
        return { kind: 'ok' as const, ...(await afterEmailVerified(trx, row, 'email_code', null)) };
      });
      switch (outcome.kind) {
        case 'used':
          throw new MamoriError('MAMORI_REQUEST_CODE_USED');
        case 'expired':
          throw new MamoriError('MAMORI_REQUEST_CODE_EXPIRED');
        case 'locked':
          throw new MamoriError('MAMORI_REQUEST_CODE_LOCKED');
        case 'wrong':
          if (outcome.left <= 0) throw new MamoriError('MAMORI_REQUEST_CODE_LOCKED', 'That was the last try for this code. Please ask for a new code.');
          throw new MamoriError('MAMORI_REQUEST_CODE_INVALID', `The code is not correct. ${outcome.left} ${outcome.left === 1 ? 'try' : 'tries'} left.`, { attemptsLeft: outcome.left });
        case 'ok':
          if (outcome.workStarted) await startedWork(outcome.row);
          return requesterViewOf(store.db, outcome.row);
        default: {
          const never: never = outcome;
          return never;
        }
      }
    },

    async getForRequester(id, token) {
      const row = await loadByToken(store.db, id, token, false);
      return requesterViewOf(store.db, row);
    },

    async withdraw(id, token) {
      const row = await transaction(async (trx) => {
        const r = await loadByToken(trx, id, token, true);
        assertActionAllowed(rowState(r), 'withdraw');
        const values = { ...moveTo(r, 'withdrawn', clock.now()), closed_at: clock.now().toISOString() };
        await update(trx, id, values);
        await record(trx, id, `requester:${id}`, 'withdrawn', { from: r.state });
        return rowAfter(r, values);
      });
      return requesterViewOf(store.db, row);
    },

    async uploadDocuments(id, token, files) {
      if (files.length === 0) throw new MamoriError('MAMORI_VALIDATION_FAILED', 'Attach at least one file.');
      for (const f of files) checkUpload(f);
      const row = await transaction(async (trx) => {
        const r = await loadByToken(trx, id, token, true);
        assertActionAllowed(rowState(r), 'attach_document');
        const actor: Actor = `requester:${id}`;
        const ids: string[] = [];
        for (const f of files) ids.push(await storeFile(trx, id, actor, f, f.purpose, f.proofKind ?? null));
        await record(trx, id, actor, 'documents_received', { files: ids });
        return r;
      });
      return requesterViewOf(store.db, row);
    },

    async downloadPackage(id, secret) {
      return transaction(async (trx) => {
        // Locks the request (the timeline numbers its events); the request token is checked here, a download token
        // below against the package.
        if ('requestToken' in secret) await loadByToken(trx, id, secret.requestToken, true);
        else if (!(await trx.selectFrom('requests').select('id').where('id', '=', id).$call((q) => (store.dialect === 'postgres' ? q.forUpdate() : q)).executeTakeFirst())) {
          throw new MamoriError('MAMORI_REQUEST_TOKEN_INVALID', 'This download link is not valid.');
        }
        let pkgQuery = trx.selectFrom('request_packages').selectAll().where('request_id', '=', id).where('format', '=', 'zip').orderBy('created_at', 'desc');
        let via: string;
        if ('downloadToken' in secret) {
          pkgQuery = pkgQuery.where('download_token_hash', '=', sha256Hex(secret.downloadToken));
          via = 'link';
        } else {
          via = 'status_page';
        }
        const pkg = await pkgQuery.limit(1).executeTakeFirst();
        if (!pkg) throw new MamoriError('MAMORI_REQUEST_TOKEN_INVALID', 'This download link is not valid.');
        if (pkg.expires_at && new Date(pkg.expires_at).getTime() <= clock.now().getTime()) throw new MamoriError('MAMORI_REQUEST_DOWNLOAD_EXPIRED');
        const bytes = openText(config.secret, 'request-package', pkg.sealed);
        await trx.updateTable('request_packages').set({ download_count: sql<number>`download_count + 1` }).where('id', '=', pkg.id).execute();
        await trx.insertInto('request_downloads').values({ id: newId('rdl'), package_id: pkg.id, request_id: id, at: clock.now().toISOString(), via }).execute();
        await record(trx, id, `requester:${id}`, 'package_downloaded', { package: pkg.id, via, n: pkg.download_count + 1 });
        return { filename: `disclosure-${id}.zip`, contentType: 'application/zip', bytes };
      });
    },

    async enterRequest(by, input) {
      const kind = input.kind;
      if (!isRequestKind(kind)) throw new MamoriError('MAMORI_REQUEST_UNKNOWN_KIND');
      const proc = procedureFor(policy, kind);
      if (!proc) throw new MamoriError('MAMORI_REQUEST_KIND_NOT_OFFERED', undefined, { kind });
      const contact = policy.operator.contacts.find((c) => c.id === input.channel);
      if (!contact || !proc.channels.includes(input.channel)) {
        const listed = proc.channels.filter((c) => c !== 'privacy_center');
        throw new MamoriError('MAMORI_REQUEST_CHANNEL_INVALID', `Channel "${input.channel}" is not listed for ${kind} requests. Listed: ${listed.join(', ') || '(privacy center only)'}.`);
      }
      const email = input.email ? checkEmail(input.email) : null;
      const delivery = checkDelivery(kind, proc, input.delivery ?? (email ? undefined : 'paper'));
      checkAgent(kind, proc, input.agent, input.agent ? input.documents.filter((d) => d.purpose === 'agent_proof') : null);
      for (const d of input.documents) checkUpload(d);
      const fee = evaluateFee(policy, kind);
      const now = clock.now();
      const id = newId('req');
      const token = requestToken(config.secret, id);
      await transaction(async (trx) => {
        const row: Row = {
          id, kind, state: 'verified', channel: input.channel, lang: input.lang, email, account_id: input.accountId ?? null, subject_id: null,
          description: input.description, delivery, agent_kind: input.agent?.kind ?? null, agent_relationship: input.agent?.relationship ?? null, agent_name: input.agent?.name ?? null,
          verified_via: 'staff', verified_at: now.toISOString(), identity_confirmed_at: null, token_hash: email ? tokenHash(id) : null, target_days: targetDaysFor(policy, kind), due_at: null, paused_since: null, paused_s: 0,
          fee_amount: fee.status === 'charged' ? fee.amount : null, fee_tax: fee.status === 'charged' ? fee.tax : null, fee_paid_at: null, fee_payment_method: null, fee_reference: null,
          decision_json: null, decided_at: null, delivered_at: null, closed_at: null, entered_by: by, created_at: now.toISOString(), updated_at: now.toISOString(),
        };
        await trx.insertInto('requests').values(row).execute();
        const ids: string[] = [];
        for (const d of input.documents) ids.push(await storeFile(trx, id, by, d, d.purpose, d.proofKind ?? null));
        await record(trx, id, by, 'entered', { kind, channel: input.channel, channel_kind: contact.kind, delivery, agent: input.agent?.kind ?? null, files: ids, fee: fee.status === 'charged' ? fee.amount : null });
        await mail(trx, row, 'received', receivedMail(mailBase(row), { dueDate: null, needsDocumentCheck: true }));
      });
      return { id, token, statusUrl: statusUrlFor(config.baseUrl, id, token) };
    },

    async attachDocuments(by, id, files) {
      if (files.length === 0) throw new MamoriError('MAMORI_VALIDATION_FAILED', 'Attach at least one file.');
      for (const f of files) checkUpload(f);
      await transaction(async (trx) => {
        await loadFor(trx, id, 'attach_document');
        const ids: string[] = [];
        for (const f of files) ids.push(await storeFile(trx, id, by, f, f.purpose, f.proofKind ?? null));
        await record(trx, id, by, 'documents_attached', { files: ids });
      });
    },

    async confirmIdentity(by, id, note) {
      const row = await transaction(async (trx) => {
        const r = await loadFor(trx, id, 'confirm_identity');
        const now = clock.now();
        await record(trx, id, by, 'identity_confirmed', { agent: r.agent_kind }, note ? { note: note.slice(0, 500) } : {});
        const after = await settle(trx, r, by, now, r.identity_confirmed_at ? {} : { identity_confirmed_at: now.toISOString() });
        if (r.identity_confirmed_at === null && after.state !== 'awaiting_payment') {
          const due = dueDate(deadlineFacts(after), now);
          await mail(trx, after, 'received', receivedMail(mailBase(after), { dueDate: due ? due.toISOString().slice(0, 10) : null, needsDocumentCheck: false }));
        }
        return after;
      });
      if (row.state === 'in_progress') await startedWork(row);
    },

    async requestDocuments(by, id, what) {
      const text = what.trim();
      if (!text) throw new MamoriError('MAMORI_VALIDATION_FAILED', 'Say which documents are needed.');
      await transaction(async (trx) => {
        const r = await loadFor(trx, id, 'request_documents');
        const values = moveTo(r, 'awaiting_documents', clock.now());
        await update(trx, id, values);
        await record(trx, id, by, 'documents_requested', { from: r.state }, { what: text.slice(0, 2000) });
        await mail(trx, rowAfter(r, values), 'documents_needed', documentsNeededMail(mailBase(r), text));
      });
    },

    async markPaid(by, id, payment) {
      const p = markPaidBody.parse(payment);
      const row = await transaction(async (trx) => {
        const r = await loadFor(trx, id, 'mark_paid');
        if (r.fee_amount === null) throw new MamoriError('MAMORI_REQUEST_FEE_NOT_DUE');
        if (r.fee_paid_at) throw new MamoriError('MAMORI_REQUEST_STATE_CONFLICT', 'The fee is already recorded as paid.');
        if (p.amount !== undefined && p.amount !== r.fee_amount) throw new MamoriError('MAMORI_REQUEST_FEE_AMOUNT', `The fee is ${r.fee_amount} yen; ${p.amount} yen was recorded.`);
        const now = clock.now();
        const extra: Partial<Row> = { fee_paid_at: now.toISOString(), fee_payment_method: p.method, fee_reference: p.reference };
        await record(trx, id, by, 'fee_paid', { amount: r.fee_amount, method: p.method, reference: p.reference });
        if (r.state === 'awaiting_payment') return settle(trx, r, by, now, extra);
        await update(trx, id, { ...extra, updated_at: now.toISOString() });
        return rowAfter(r, extra);
      });
      if (row.state === 'in_progress') await startedWork(row);
    },

    async recordWebhookPayment(payload) {
      const parsed = z.object({ request_id: z.string().min(1).max(80), amount: z.number().int().positive(), currency: z.literal('JPY'), method: z.enum(paymentMethods).default('card'), reference: z.string().min(1).max(200) }).safeParse(payload);
      if (!parsed.success) throw new MamoriError('MAMORI_VALIDATION_FAILED', 'The payment notification is missing request_id, amount, currency (JPY) or reference.');
      const p = parsed.data;
      const existing = await load(store.db, p.request_id, false);
      if (existing.fee_paid_at) {
        if (existing.fee_reference === p.reference) return { requestId: existing.id, alreadyPaid: true };
        throw new MamoriError('MAMORI_REQUEST_STATE_CONFLICT', 'The fee for this request is already paid under another reference.');
      }
      await this.markPaid('system', p.request_id, { method: p.method, reference: p.reference, amount: p.amount });
      return { requestId: p.request_id, alreadyPaid: false };
    },

    async addGatheredData(by, id, entry) {
      const e = gatherEntryBody.parse(entry);
      return transaction(async (trx) => {
        await loadFor(trx, id, 'gather');
        const sid = await insertSection(trx, id, by, { source: e.source, title: e.title, groups: e.groups });
        await record(trx, id, by, 'data_gathered', { section: sid, source: e.source, groups: e.groups.length, rows: e.groups.reduce((n, g) => n + g.rows.length, 0) });
        return sid;
      });
    },

    async addGatheredFile(by, id, file) {
      checkUpload(file);
      return transaction(async (trx) => {
        await loadFor(trx, id, 'gather');
        const fid = await storeFile(trx, id, by, file, 'gathered', null);
        await record(trx, id, by, 'file_gathered', { file: fid });
        return fid;
      });
    },

    async gatherFromSystems(by, id) {
      const row = await load(store.db, id, false);
      assertActionAllowed(rowState(row), 'gather');
      const sections = await gatherHooks(row);
      await transaction(async (trx) => {
        await loadFor(trx, id, 'gather');
        const ids: string[] = [];
        for (const s of sections) ids.push(await insertSection(trx, id, by, s));
        await record(trx, id, by, 'systems_gathered', { sections: ids, sources: sections.map((s) => s.source) });
      });
      return sections.length;
    },

    async decide(by, id, input) {
      const parsed = decisionBody.safeParse(input);
      if (!parsed.success) throw new MamoriError('MAMORI_REQUEST_DECISION_INVALID', parsed.error.issues.map((i) => `${i.path.join('.') || 'decision'}: ${i.message}`).join('; '));
      const d = parsed.data;
      const row0 = await load(store.db, id, false);
      assertActionAllowed(rowState(row0), 'decide');
      const kind = rowKind(row0);
      const allowed = groundsFor(kind);
      const groundOf = d.outcome === 'full' ? null : d.ground;
      if (groundOf) {
        if (!allowed.includes(groundOf)) throw new MamoriError('MAMORI_REQUEST_GROUND_INVALID', `Ground "${groundOf}" does not apply to ${kind} requests. Applicable: ${allowed.join(', ')}.`);
        const effect = refusalGrounds[groundOf].effect;
        if ((d.outcome === 'alternative') !== (effect === 'alternative')) {
          throw new MamoriError('MAMORI_REQUEST_GROUND_INVALID', d.outcome === 'alternative' ? 'An alternative measure needs the ground "alternative_measure".' : `Ground "${groundOf}" is for an alternative measure; use the outcome "alternative".`);
        }
      }
      const reason = d.reason?.trim() ? d.reason.trim() : null;
      if (d.outcome !== 'full' && !reason) throw new MamoriError('MAMORI_REQUEST_REASON_REQUIRED');
      const corrections = d.outcome === 'full' || d.outcome === 'partial' ? (d.corrections ?? []) : [];
      const measure = d.outcome === 'full' || d.outcome === 'partial' ? (d.measure ?? null) : null;
      const measureNote = d.outcome === 'full' || d.outcome === 'partial' ? (d.measure_note ?? null) : null;
      const change = d.outcome === 'full' || d.outcome === 'partial' ? (d.method_change ?? null) : null;
      const alternativeMeasure = d.outcome === 'alternative' ? d.alternative_measure.trim() : null;
      const accepted = d.outcome === 'full' || d.outcome === 'partial';
      if (kind === 'correction' && accepted && corrections.length === 0) throw new MamoriError('MAMORI_REQUEST_DECISION_INVALID', 'A correction decision must list what changed (field, before, after).');
      if (kind !== 'correction' && corrections.length > 0) throw new MamoriError('MAMORI_REQUEST_DECISION_INVALID', 'Corrections belong to correction requests only.');
      if ((kind === 'suspension' || kind === 'stop_provision') && accepted) {
        if (!measure) throw new MamoriError('MAMORI_REQUEST_DECISION_INVALID', `Say which measure was taken: ${suspensionMeasureKeys.filter((m) => suspensionMeasures[m].kinds.includes(kind)).join(' or ')}.`);
      }
      if (measure && !suspensionMeasures[measure].kinds.includes(kind)) throw new MamoriError('MAMORI_REQUEST_DECISION_INVALID', `The measure "${measure}" does not fit a ${kind} request.`);
      if (d.outcome === 'alternative' && !alternativeMeasure) throw new MamoriError('MAMORI_REQUEST_DECISION_INVALID', 'Describe the alternative measure taken.');
      if (change && kind !== 'disclosure') throw new MamoriError('MAMORI_REQUEST_DECISION_INVALID', 'A change of delivery method applies to disclosure only (33条3項).');
      if (change && change.to === row0.delivery) throw new MamoriError('MAMORI_REQUEST_DECISION_INVALID', 'The new delivery method is the one already chosen.');

      const willDeliver = decisionDelivers(kind, d.outcome);
      if (willDeliver && kind === 'disclosure') {
        let count = (await store.db.selectFrom('request_gathered').select((eb) => eb.fn.countAll<number>().as('n')).where('request_id', '=', id).executeTakeFirstOrThrow()).n;
        count = Number(count) + Number((await store.db.selectFrom('request_files').select((eb) => eb.fn.countAll<number>().as('n')).where('request_id', '=', id).where('purpose', '=', 'gathered').executeTakeFirstOrThrow()).n);
        if (count === 0 && deps.hooks.some((h) => h.gather)) count = await this.gatherFromSystems(by, id);
        if (count === 0) throw new MamoriError('MAMORI_REQUEST_NOTHING_TO_DELIVER', 'No data has been gathered. If we hold no data about the person, decide "refused" with the ground "no_retained_data" to send the notice of 33条3項.');
      }
      const stored: StoredDecision = { outcome: d.outcome, ground: groundOf, reason, corrections, measure, measureNote, alternativeMeasure, methodChange: change, decidedBy: by };
      const row = await transaction(async (trx) => {
        const r = await loadFor(trx, id, 'decide');
        const now = clock.now();
        const next: RequestState = willDeliver ? 'decided' : 'notified';
        const values: Partial<Row> = { ...moveTo(r, next, now), decision_json: JSON.stringify(stored), decided_at: now.toISOString(), ...(change ? { delivery: change.to } : {}) };
        await update(trx, id, values);
        await record(trx, id, by, 'decided', { outcome: d.outcome, ground: groundOf, corrections: corrections.length, measure, alternative: alternativeMeasure !== null, method_change: change?.to ?? null, to: next });
        const after = rowAfter(r, values);
        await mail(trx, after, 'decided', decidedMail(mailBase(after), decisionForMail(stored, willDeliver, rowLang(after))));
        return after;
      });
      await runHooks(row, 'onDecided', (h) => h.onDecided?.(hookInfo(row), { outcome: d.outcome, ...(corrections.length > 0 ? { corrections } : {}) }));
    },

    async deliver(by, id) {
      return transaction(async (trx) => {
        const r = await loadFor(trx, id, 'deliver');
        const d = decisionOf(r);
        if (!d) throw new MamoriError('MAMORI_REQUEST_NOTHING_TO_DELIVER');
        const now = clock.now();
        const input = await packageInput(trx, r, d);
        const format: DeliveryChoice = r.delivery === 'paper' || (!r.email && r.delivery !== 'electronic') ? 'paper' : 'electronic';
        const pkgId = newId('rpkg');
        let downloadToken: string | null = null;
        let bytes: Uint8Array;
        let expiresAt: string | null = null;
        if (format === 'electronic') {
          bytes = buildDisclosurePackage(input);
          downloadToken = newSecretToken();
          expiresAt = new Date(now.getTime() + config.downloadDays * 86_400_000).toISOString();
        } else {
          bytes = Buffer.from(renderPaperLetter({ lang: rowLang(r), policy, request: { id, kind: rowKind(r) }, date: now.toISOString().slice(0, 10), decision: decisionForMail(d, false, rowLang(r)), disclosure: input }));
        }
        await trx.insertInto('request_packages').values({
          id: pkgId, request_id: id, format: format === 'electronic' ? 'zip' : 'letter', created_at: now.toISOString(), expires_at: expiresAt,
          download_token_hash: downloadToken ? sha256Hex(downloadToken) : null, size: bytes.length, sha256: sha256Hex(bytes), sealed: sealText(config.secret, 'request-package', bytes), download_count: 0,
        }).execute();
        const values: Partial<Row> = { ...moveTo(r, 'delivered', now), delivered_at: now.toISOString() };
        await update(trx, id, values);
        await record(trx, id, by, 'delivered', { format: format === 'electronic' ? 'zip' : 'letter', package: pkgId, sections: input.sections.length, files: input.files.length, expires_at: expiresAt });
        const after = rowAfter(r, values);
        await mail(trx, after, 'delivered', deliveredMail(mailBase(after), downloadToken && expiresAt ? { format: 'electronic', url: downloadUrlFor(config.baseUrl, id, downloadToken), expiresOn: expiresAt.slice(0, 10) } : { format: 'paper' }));
        return { format: format === 'electronic' ? ('zip' as const) : ('letter' as const), packageId: pkgId };
      });
    },

    async close(by, id) {
      const row0 = await load(store.db, id, false);
      assertActionAllowed(rowState(row0), 'close');
      const blockers: string[] = [];
      for (const h of deps.hooks) if (h.blockersBeforeClose) blockers.push(...(await h.blockersBeforeClose(hookInfo(row0))));
      if (blockers.length > 0) throw new MamoriError('MAMORI_REQUEST_CLOSE_BLOCKED', `The request cannot be closed yet: ${blockers.join('; ')}`, { blockers });
      await transaction(async (trx) => {
        const r = await loadFor(trx, id, 'close');
        await update(trx, id, { ...moveTo(r, 'closed', clock.now()), closed_at: clock.now().toISOString() });
        await record(trx, id, by, 'closed', { from: r.state });
      });
    },

    async rejectUnverified(by, id, reason) {
      const text = reason.trim();
      if (!text) throw new MamoriError('MAMORI_REQUEST_REASON_REQUIRED');
      await transaction(async (trx) => {
        const r = await loadFor(trx, id, 'reject_unverified');
        const now = clock.now();
        const stored: StoredDecision = { outcome: 'refused', ground: 'identity_not_confirmed', reason: text, corrections: [], measure: null, measureNote: null, alternativeMeasure: null, methodChange: null, decidedBy: by };
        const values: Partial<Row> = { ...moveTo(r, 'rejected_unverified', now), decision_json: JSON.stringify(stored), decided_at: now.toISOString(), closed_at: now.toISOString() };
        await update(trx, id, values);
        await record(trx, id, by, 'rejected_unverified', { from: r.state });
        // Only an address that was confirmed gets the notice: an unconfirmed one may belong to someone else.
        if (r.verified_at) await mail(trx, rowAfter(r, values), 'decided', decidedMail(mailBase(r), decisionForMail(stored, false, rowLang(r))));
      });
    },

    async list(_by, filters) {
      const f = listFilters.parse(filters);
      const now = clock.now().toISOString();
      let q = store.db.selectFrom('requests');
      if (f.kind) q = q.where('kind', '=', f.kind);
      if (f.state) q = q.where('state', '=', f.state);
      if (f.channel) q = q.where('channel', '=', f.channel);
      if (f.due_before) q = q.where('due_at', '<=', `${f.due_before}T23:59:59.999Z`);
      const openStates = requestStates.filter((s) => requestStateInfo[s].open);
      if (f.overdue === 'true') q = q.where('due_at', '<', now).where('paused_since', 'is', null).where('state', 'in', openStates);
      if (f.overdue === 'false') q = q.where((eb) => eb.or([eb('due_at', 'is', null), eb('due_at', '>=', now), eb('paused_since', 'is not', null), eb('state', 'not in', openStates)]));
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
        subjectId: row.subject_id,
        description: row.description,
        delivery: row.delivery === 'paper' || row.delivery === 'electronic' ? row.delivery : null,
        agentApplication: agentKind ? { kind: agentKind, relationship: row.agent_relationship ?? '', name: row.agent_name ?? '' } : null,
        verifiedVia: row.verified_via,
        identityConfirmedAt: row.identity_confirmed_at,
        feePayment: { method: row.fee_payment_method, reference: row.fee_reference, paidAt: row.fee_paid_at },
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
        return renderPaperLetter({ lang: rowLang(r), policy, request: { id, kind: rowKind(r) }, date: clock.now().toISOString().slice(0, 10), decision: decisionForMail(d, decisionDelivers(rowKind(r), d.outcome), rowLang(r)) });
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
    };
  }
}
