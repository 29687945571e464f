import { MamoriError } from '../errors.ts';
import './request-errors.ts';

/**
 * The life of a request. A closed union: adding a state fails to compile until every table below handles it.
 *
 * awaiting_verification → verified (email known, documents to check) → awaiting_payment / awaiting_documents →
 * in_progress (gathering, investigating) → decided (disclosure to deliver) → delivered → closed;
 * or in_progress → notified (the decision itself is the answer) → closed; plus withdrawn and rejected_unverified.
 */
export type RequestState =
  | 'awaiting_verification'
  | 'verified'
  | 'awaiting_payment'
  | 'awaiting_documents'
  | 'in_progress'
  | 'decided'
  | 'delivered'
  | 'notified'
  | 'closed'
  | 'withdrawn'
  | 'rejected_unverified'
  | 'lapsed';

export const requestStates = [
  'awaiting_verification', 'verified', 'awaiting_payment', 'awaiting_documents', 'in_progress', 'decided', 'delivered', 'notified', 'closed', 'withdrawn', 'rejected_unverified', 'lapsed',
] as const satisfies readonly RequestState[];

export interface RequestStateInfo {
  label: { ja: string; en: string };
  /** Waiting on the requester: the deadline clock stops. */
  pausesDeadline: boolean;
  /** Work for us is still to do (counts for overdue). */
  open: boolean;
}

export const requestStateInfo: Record<RequestState, RequestStateInfo> = {
  awaiting_verification: { label: { ja: 'メールアドレスの確認待ち', en: 'Waiting for email confirmation' }, pausesDeadline: false, open: true },
  verified: { label: { ja: '本人確認書類の確認中', en: 'Checking identity documents' }, pausesDeadline: false, open: true },
  awaiting_payment: { label: { ja: '手数料のお支払い待ち', en: 'Waiting for the fee' }, pausesDeadline: true, open: true },
  awaiting_documents: { label: { ja: '書類の提出待ち', en: 'Waiting for documents' }, pausesDeadline: true, open: true },
  in_progress: { label: { ja: '対応中', en: 'In progress' }, pausesDeadline: false, open: true },
  decided: { label: { ja: '決定済み（お届け準備中）', en: 'Decided (preparing delivery)' }, pausesDeadline: false, open: true },
  delivered: { label: { ja: 'お届け済み', en: 'Delivered' }, pausesDeadline: false, open: false },
  notified: { label: { ja: '結果をご通知済み', en: 'Result sent' }, pausesDeadline: false, open: false },
  closed: { label: { ja: '完了', en: 'Closed' }, pausesDeadline: false, open: false },
  withdrawn: { label: { ja: '取り下げ', en: 'Withdrawn' }, pausesDeadline: false, open: false },
  rejected_unverified: { label: { ja: '本人確認ができず終了', en: 'Closed: identity not confirmed' }, pausesDeadline: false, open: false },
  lapsed: { label: { ja: 'お支払い期限の経過により終了', en: 'Closed: the fee was not paid in time' }, pausesDeadline: false, open: false },
};

/** What can happen to a request. */
export type RequestAction =
  | 'verify_email'
  | 'resend_code'
  | 'confirm_identity'
  | 'confirm_claim'
  | 'request_documents'
  | 'attach_document'
  | 'mark_paid'
  | 'gather'
  | 'decide'
  | 'deliver'
  | 'close'
  | 'withdraw'
  | 'reject_unverified'
  | 'lapse';

/** The states each action may start from. */
export const allowedFrom: Record<RequestAction, readonly RequestState[]> = {
  verify_email: ['awaiting_verification'],
  resend_code: ['awaiting_verification'],
  confirm_identity: ['verified', 'awaiting_documents'],
  // Before the decision only: what the decision acts on must be settled when it is made.
  confirm_claim: ['verified', 'awaiting_payment', 'awaiting_documents', 'in_progress'],
  request_documents: ['verified', 'awaiting_payment', 'in_progress'],
  attach_document: ['awaiting_verification', 'verified', 'awaiting_payment', 'awaiting_documents', 'in_progress'],
  mark_paid: ['verified', 'awaiting_documents', 'awaiting_payment'],
  gather: ['in_progress'],
  decide: ['in_progress'],
  deliver: ['decided'],
  close: ['delivered', 'notified'],
  withdraw: ['awaiting_verification', 'verified', 'awaiting_payment', 'awaiting_documents', 'in_progress'],
  reject_unverified: ['awaiting_verification', 'verified', 'awaiting_documents'],
  lapse: ['awaiting_payment'],
};

export function isRequestState(value: string): value is RequestState {
  return (requestStates as readonly string[]).includes(value);
}

/** Throws MAMORI_REQUEST_STATE_CONFLICT (409) when `action` is not possible in `state`. */
export function assertActionAllowed(state: RequestState, action: RequestAction): void {
  if (!allowedFrom[action].includes(state)) {
    throw new MamoriError('MAMORI_REQUEST_STATE_CONFLICT', `This request is "${requestStateInfo[state].label.en}"; "${action.replace(/_/g, ' ')}" is not possible now.`, { state, action });
  }
}

/**
 * Where a request goes once the email is known: identity not yet confirmed → verified (staff check documents);
 * a fee still due → awaiting_payment; otherwise → in_progress.
 */
export function settledState(facts: { identityConfirmed: boolean; feeDue: boolean }): RequestState {
  if (!facts.identityConfirmed) return 'verified';
  if (facts.feeDue) return 'awaiting_payment';
  return 'in_progress';
}
