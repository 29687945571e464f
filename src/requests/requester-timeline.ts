import type { RequesterStep, RequesterTimelineEntry } from './payment-view.ts';
import { parseJson } from './request-rows.ts';

/** Timeline actions a person is shown, by what they mean to them; everything else (staff views, checks) stays internal. */
const stepOfAction: Record<string, RequesterStep> = {
  filed: 'filed', entered: 'filed', email_verified: 'email_verified', identity_confirmed: 'identity_confirmed', fee_paid: 'fee_paid',
  documents_requested: 'documents_requested', documents_received: 'documents_received', decided: 'decided', delivered: 'delivered',
  closed: 'closed', withdrawn: 'withdrawn', payment_lapsed: 'lapsed', rejected_unverified: 'rejected_unverified',
};

/** The person's timeline from the request's events: state changes become "payment requested" or "work started". */
export function requesterTimeline(events: Array<{ at: string; action: string; data: string }>): RequesterTimelineEntry[] {
  const out: RequesterTimelineEntry[] = [];
  let downloaded = false;
  for (const e of events) {
    let step: RequesterStep | undefined = stepOfAction[e.action];
    if (e.action === 'state_changed') {
      const to = parseJson(e.data).to;
      step = to === 'awaiting_payment' ? 'payment_requested' : to === 'in_progress' ? 'work_started' : undefined;
    }
    if (e.action === 'package_downloaded' && !downloaded) {
      downloaded = true;
      step = 'downloaded';
    }
    if (step && !(out.at(-1)?.step === step)) out.push({ at: e.at, step });
  }
  return out;
}
