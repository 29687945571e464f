import type { RefusalGround } from '../law/appi/refusal-grounds.ts';
import type { DeadlineStatus } from '../law/appi/deadlines.ts';
import type { AgentKind, PaymentMethod, RequestKind } from '../policy/schema.ts';
import type { DeliveryChoice, Lang, StoredDecision, SuspensionMeasure } from './request-inputs.ts';
import type { GatheredSection } from './request-hooks.ts';
import type { SuspensionGround } from '../law/appi/suspension-grounds.ts';
import type { IdentityPicture } from './request-identities.ts';
import type { RequestState } from './request-state.ts';
import type { PaymentInstructions, RequesterTimelineEntry } from './payment-view.ts';

export type { PaymentInstructions, RequesterStep, RequesterTimelineEntry } from './payment-view.ts';

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
  /** How to pay, when the request has a fee (38条). */
  payment: PaymentInstructions | null;
  /** The steps so far, oldest first. */
  timeline: RequesterTimelineEntry[];
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
  /** The staff id the request is assigned to, or null. */
  assignee: string | null;
}

export interface StaffRequestView extends StaffRequestSummary {
  email: string | null;
  /** The account id as typed: a claim (see `identity`). */
  accountId: string | null;
  /** Suspension / stop of provision: the 35条 conditions the person named. */
  grounds: SuspensionGround[];
  /** Trusted identifiers (verified, confirmed by staff, resolved) and the claims beside what they resolved to. */
  identity: IdentityPicture;
  subjectId: string | null;
  description: string;
  delivery: DeliveryChoice | null;
  agentApplication: { kind: AgentKind; relationship: string; name: string } | null;
  verifiedVia: string | null;
  identityConfirmedAt: string | null;
  feePayment: { method: string | null; reference: string | null; paidAt: string | null };
  /** The payment instructions the requester was given (the 8-digit reference they type before their name). */
  payment: PaymentInstructions | null;
  decision: (StoredDecision & { decidedAt: string }) | null;
  allowedGrounds: RefusalGround[];
  files: Array<{ id: string; purpose: string; proofKind: string | null; filename: string; contentType: string; size: number; uploadedBy: string; createdAt: string }>;
  gathered: Array<{ id: string; source: string; title: { ja: string; en: string }; groupCount: number; rowCount: number; enteredBy: string; createdAt: string }>;
  packages: Array<{ id: string; format: string; createdAt: string; expiresAt: string | null; downloads: number; size: number }>;
  timeline: TimelineEntry[];
  audit: Array<{ seq: number; at: string; actor: string; action: string; data: Record<string, unknown> }>;
}

/** An internal note on a request: who wrote it and when (staff only, never shown to the requester). */
export interface StaffNote {
  n: number;
  at: string;
  actor: string;
  text: string;
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
