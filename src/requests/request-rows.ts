import { deadlineStatus, dueDate, type DeadlineFacts } from '../law/appi/deadlines.ts';
import type { DecisionForMail } from '../mail/templates/request-mails.ts';
import type { Policy, RequestKind, RequestProcedure } from '../policy/schema.ts';
import { isRequestKind, storedDecision, suspensionMeasures, type Lang, type StoredDecision } from './request-inputs.ts';
import { isRequestState, requestStateInfo, type RequestState } from './request-state.ts';
import type { RequestTable } from './request-tables.ts';
import type { DeadlineView } from './request-views.ts';

/** A stored request row. */
export type Row = RequestTable;

/** The link a requester follows to see their request. Pages live under the privacy center. */
export function statusUrlFor(baseUrl: string, id: string, token: string): string {
  return `${baseUrl}/privacy-center/requests/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}`;
}

export function downloadUrlFor(baseUrl: string, id: string, downloadToken: string): string {
  return `${baseUrl}/api/v1/requests/${encodeURIComponent(id)}/package?download=${encodeURIComponent(downloadToken)}`;
}

export function parseJson(text: string): Record<string, unknown> {
  const v: unknown = JSON.parse(text);
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v)) : {};
}

export function rowState(row: Row): RequestState {
  if (!isRequestState(row.state)) throw new Error(`request ${row.id} has an unknown state`);
  return row.state;
}

export function rowKind(row: Row): RequestKind {
  if (!isRequestKind(row.kind)) throw new Error(`request ${row.id} has an unknown kind`);
  return row.kind;
}

export function rowLang(row: Row): Lang {
  return row.lang === 'en' ? 'en' : 'ja';
}

export function deadlineFacts(row: Row): DeadlineFacts {
  return {
    startedAt: row.identity_confirmed_at ? new Date(row.identity_confirmed_at) : null,
    targetDays: row.target_days,
    pausedSeconds: Number(row.paused_s),
    pausedSince: row.paused_since ? new Date(row.paused_since) : null,
  };
}

export function deadlineView(row: Row, now: Date): DeadlineView {
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

export function decisionOf(row: Row): StoredDecision | null {
  if (!row.decision_json) return null;
  return storedDecision.parse(JSON.parse(row.decision_json));
}

export function decisionForMail(d: StoredDecision, willDeliver: boolean, lang: Lang): DecisionForMail {
  const note = d.measureNote ? (lang === 'ja' ? `（${d.measureNote}）` : ` (${d.measureNote})`) : '';
  const measure = d.measure ? `${suspensionMeasures[d.measure].label[lang]}${note}` : null;
  return { outcome: d.outcome, ground: d.ground, reason: d.reason, corrections: d.corrections, measure, alternativeMeasure: d.alternativeMeasure, methodChange: d.methodChange, willDeliver };
}

export function procedureFor(policy: Policy, kind: RequestKind): RequestProcedure | null {
  const p = policy.requests.kinds[kind];
  return p && p.offered ? p : null;
}

/** Whether a decision is answered by sending data (disclosure, purpose notice) rather than by the decision itself. */
export function decisionDelivers(kind: RequestKind, outcome: StoredDecision['outcome']): boolean {
  const deliversData: Record<RequestKind, boolean> = { purpose_notice: true, disclosure: true, correction: false, suspension: false, stop_provision: false };
  return deliversData[kind] && (outcome === 'full' || outcome === 'partial');
}
