import type { z } from 'zod';
import type { Actor } from '../audit/audit-log.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { AgentProof, Policy } from '../policy/schema.ts';
import type { Store } from '../store/store.ts';
import type { ConfirmClaimInput, DecisionInput, EnterRequestInput, FileRequestInput, gatherEntryBody, ListFilters, markPaidBody, StaffDocumentPurpose } from './request-inputs.ts';
import type { RequestHooks } from './request-hooks.ts';
import type { IdentityPicture } from './request-identities.ts';
import type { RequestRateLimits } from './rate-limit.ts';
import type { UploadedFile } from './request-uploads.ts';
import type { FiledRequest, PackageDownload, RequesterView, StaffGatheredView, StaffNote, StaffRequestSummary, StaffRequestView } from './request-views.ts';

/* ------------------------------------------------------------------------------------------------------------------
 * The service
 * ---------------------------------------------------------------------------------------------------------------- */

export interface RequestServiceDeps {
  store: Store;
  /** Where the staff queue is listed from: a replica (DATABASE_READ_URL) when there is one; `store` otherwise. */
  read?: Store;
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
  /**
   * Only the check `getForRequester` starts with, for a route that checks the token before it acts: the same error
   * (MAMORI_REQUEST_TOKEN_INVALID) for an unknown id and a wrong token, without building the view.
   */
  checkRequesterToken(id: string, token: string): Promise<void>;
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
  confirmIdentity(by: Actor, id: string, note?: string, options?: { claims?: ReadonlyArray<{ kind: string; value?: string | undefined }> }): Promise<void>;
  /**
   * Staff confirm a claimed identifier (an account id the requester typed, the email of a letter) after checking
   * documents, with a written reason. Until then a claim never reaches the person's data.
   * @example await service.confirmClaim('staff:s1', id, { kind: 'account_id', reason: '運転免許証の氏名と登録氏名が一致' });
   */
  confirmClaim(by: Actor, id: string, claim: ConfirmClaimInput): Promise<void>;
  /** Asks the systems again which identifiers the trusted ones link to; the check is recorded. */
  resolveIdentity(by: Actor, id: string): Promise<IdentityPicture>;
  /** Staff ask the requester for documents; the deadline pauses until staff confirm them. */
  requestDocuments(by: Actor, id: string, what: string): Promise<void>;
  /** Staff record the fee as paid (bank transfer reference, card …); work starts when identity is confirmed. */
  markPaid(by: Actor, id: string, payment: z.infer<typeof markPaidBody>): Promise<void>;
  /** A signed payment webhook (see payment-webhook.ts), already verified by the caller. Idempotent per reference. */
  recordWebhookPayment(payload: unknown): Promise<{ requestId: string; alreadyPaid: boolean }>;
  /** Ends requests whose payment deadline has passed unpaid, with a notice; running it twice changes nothing more. */
  lapseUnpaidRequests(): Promise<{ lapsed: number }>;
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
  /** Assigns the request to a staff member who handles requests (a staff id), or unassigns it (null). */
  assign(by: Actor, id: string, input: { assignee: string | null }): Promise<void>;
  /** Adds an internal note to the request's timeline (staff only; never shown to the requester). */
  addNote(by: Actor, id: string, input: { text: string }): Promise<void>;
  /** The request's internal notes, oldest first; reading them is recorded like any staff view of the request. */
  listNotes(by: Actor, id: string): Promise<StaffNote[]>;
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
  /**
   * The printable letter asking for the fee, for a request waiting for payment (the way to ask a requester who has no
   * email, such as one who wrote by post). The addressee is printed, never stored; the issue is on the timeline.
   */
  paymentLetterHtml(by: Actor, id: string, addressee?: { name?: string | null; address?: string | null }): Promise<string>;
}
