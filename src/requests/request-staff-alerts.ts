import type { Clock } from '../clock.ts';
import type { Store } from '../store/store.ts';
import type { Policy } from '../policy/schema.ts';
import { localize } from '../policy/load-policy.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { renderStaffAlert, type StaffAlert } from '../mail/templates/staff-alert-mails.ts';
import { rolesWith } from '../staff/staff-permissions.ts';
import { isRequestKind } from './request-inputs.ts';
import { requestStateInfo, requestStates } from './request-state.ts';

/** How far ahead a deadline alert goes out, how long a webhook may stay silent, how far back "new" reaches. */
export const STAFF_ALERT_DEADLINE_DAYS = 3;
export const STAFF_ALERT_CALLBACK_HOURS = 24;
const NEW_REQUEST_WINDOW_DAYS = 7;

export interface StaffAlertDeps {
  store: Store;
  clock: Clock;
  policy: Policy;
  baseUrl: string;
}

/**
 * One sweep of the staff alerts: new requests ready for staff, deadlines within 3 days, webhook callbacks that never
 * came. Each alert has a key (`new:<id>`, `due:<id>:<due date>`, `callback:<task>`); the key's row and the mails are
 * written in one transaction, and a key already present inserts nothing, so any number of instances may run the
 * sweep at the same time and each alert is mailed once. Returns the alerts sent by this call.
 */
export async function sweepStaffAlerts(deps: StaffAlertDeps): Promise<StaffAlert[]> {
  const { store, clock } = deps;
  const db = store.db;
  const now = clock.now();
  const open = requestStates.filter((s) => requestStateInfo[s].open && s !== 'awaiting_verification');
  const candidates: Array<{ key: string; alert: StaffAlert; assignee: string | null }> = [];

  const fresh = await db.selectFrom('requests').select(['id', 'kind', 'due_at', 'assignee']).where('state', 'in', open)
    .where('created_at', '>=', new Date(now.getTime() - NEW_REQUEST_WINDOW_DAYS * 86_400_000).toISOString()).execute();
  for (const r of fresh) if (isRequestKind(r.kind)) candidates.push({ key: `new:${r.id}`, alert: { kind: 'new_request', requestId: r.id, requestKind: r.kind, dueAt: r.due_at }, assignee: r.assignee ?? null });

  const soon = await db.selectFrom('requests').select(['id', 'kind', 'due_at', 'assignee']).where('state', 'in', open).where('paused_since', 'is', null)
    .where('due_at', '>', now.toISOString()).where('due_at', '<=', new Date(now.getTime() + STAFF_ALERT_DEADLINE_DAYS * 86_400_000).toISOString()).execute();
  for (const r of soon) if (isRequestKind(r.kind) && r.due_at) candidates.push({ key: `due:${r.id}:${r.due_at.slice(0, 10)}`, alert: { kind: 'deadline_soon', requestId: r.id, requestKind: r.kind, dueAt: r.due_at }, assignee: r.assignee ?? null });

  const silent = await db.selectFrom('connector_tasks').innerJoin('requests', 'requests.id', 'connector_tasks.request_id')
    .select(['connector_tasks.id as task', 'connector_tasks.dataset', 'connector_tasks.updated_at', 'requests.id as request', 'requests.kind', 'requests.assignee'])
    .where('connector_tasks.kind', '=', 'webhook').where('connector_tasks.status', '=', 'open')
    .where('connector_tasks.updated_at', '<=', new Date(now.getTime() - STAFF_ALERT_CALLBACK_HOURS * 3_600_000).toISOString()).execute();
  for (const t of silent) if (isRequestKind(t.kind)) candidates.push({ key: `callback:${t.task}:${t.updated_at}`, alert: { kind: 'callback_missing', requestId: t.request, requestKind: t.kind, dataset: t.dataset, since: t.updated_at }, assignee: t.assignee ?? null });

  if (candidates.length === 0) return [];
  const handlers = await db.selectFrom('staff_users').select(['id', 'email']).where('disabled', '=', 0).where('role', 'in', rolesWith('requests.handle')).execute();
  const serviceName = localize(deps.policy.service.name, 'ja');
  const sent: StaffAlert[] = [];
  for (const c of candidates) {
    // The assignee alone once a request has one; everyone who handles requests before.
    const to = c.assignee ? handlers.filter((h) => h.id === c.assignee) : handlers;
    const mailed = await db.transaction().execute(async (trx) => {
      const claimed = await trx.insertInto('request_staff_alerts').values({ key: c.key, request_id: c.alert.requestId, kind: c.alert.kind, created_at: now.toISOString() }).onConflict((oc) => oc.column('key').doNothing()).returning('key').executeTakeFirst();
      if (!claimed) return false;
      const mail = renderStaffAlert(c.alert, { serviceName, consoleUrl: deps.baseUrl });
      for (const h of to.length > 0 ? to : handlers) await enqueueMail(trx, clock, { to: h.email, subject: mail.subject, text: mail.text, topic: `staff.${c.alert.kind}`, ref: { type: 'request', id: c.alert.requestId } });
      return true;
    });
    if (mailed) sent.push(c.alert);
  }
  return sent;
}
